import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

export const CHECK_TIMEOUT_MS = 1000;

// Every readiness check goes through here: it answers within `timeoutMs` whatever the dependency
// does (a stopped server may only fail after its own much longer timeouts), clears its timer, and
// reports the latency or the reason.
export async function timedCheck(
  health: HealthIndicatorService,
  key: string,
  what: string,
  probe: () => Promise<Record<string, unknown> | void>,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<HealthIndicatorResult> {
  const indicator = health.check(key);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const extra = await Promise.race([probe(), deadline]);
    return indicator.up({ latency_ms: Math.round((performance.now() - started) * 100) / 100, ...(extra ?? {}) });
  } catch (err) {
    return indicator.down({ message: `${what} is not reachable: ${(err as Error).message}` });
  } finally {
    clearTimeout(timer);
  }
}

// For dependencies the process can serve without (degraded, not failing): a down result is reported
// as up with `degraded: true`, so readiness stays 200 and the details still say what is wrong.
export function degraded(result: HealthIndicatorResult): HealthIndicatorResult {
  return Object.fromEntries(
    Object.entries(result).map(([key, value]) => [key, value.status === 'down' ? { ...value, status: 'up', degraded: true } : value]),
  ) as HealthIndicatorResult;
}
