import { join } from 'path';
import { BUILD_DIR, ports, serviceEnv } from './config';
import { Service, startService, waitForHttp } from './processes';
import { adminHeaders } from './auth';

// The processes under test: the built API and consumer exactly as `npm run start:prod` /
// `start:consumer:prod` run them (production settings, the bench's own names), and the ceiling.
export interface Target {
  service: Service;
  baseUrl: string;
  pid: number;
}

function target(service: Service, port: number): Target {
  return { service, baseUrl: `http://127.0.0.1:${port}`, pid: service.pid };
}

export async function startCeiling(): Promise<Target> {
  const service = startService('ceiling', [join(__dirname, 'ceiling-server.js'), String(ports.ceiling)], process.env);
  const t = target(service, ports.ceiling);
  await waitForHttp(service, `${t.baseUrl}/health/live`);
  return t;
}

export async function startApi(name: string, port: number, extra: Record<string, string> = {}): Promise<Target> {
  const service = startService(name, [join(BUILD_DIR, 'src', 'main.js')], serviceEnv({ API_PORT: String(port), API_HOST: '127.0.0.1', ...extra }));
  const t = target(service, port);
  await waitForHttp(service, `${t.baseUrl}/health/ready`);
  return t;
}

export function startConsumer(): Target {
  const service = startService('consumer', [join(BUILD_DIR, 'src', 'consumer.js')], serviceEnv({ CONSUMER_PORT: String(ports.consumer) }));
  return target(service, ports.consumer);
}

export async function waitConsumerReady(consumer: Target): Promise<void> {
  await waitForHttp(consumer.service, `${consumer.baseUrl}/health/ready`, 120_000);
}

// Sum of every sample of a counter on /metrics (all label sets), or undefined if absent.
export async function metricTotal(t: Target, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${t.baseUrl}/metrics`, { headers: adminHeaders() })).text();
  const samples = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))];
  return samples.length === 0 ? undefined : samples.reduce((sum, m) => sum + Number(m[1]), 0);
}

// Every sample of a metric by one label's value, e.g. consumer_events_processed_total by group.
export async function metricByLabel(t: Target, name: string, label: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${t.baseUrl}/metrics`, { headers: adminHeaders() })).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const value = new RegExp(`${label}="([^"]*)"`).exec(m[1])?.[1];
    if (value !== undefined) out[value] = (out[value] ?? 0) + Number(m[2]);
  }
  return out;
}

// Where the API's anonymous memory is: V8's committed heap by space and Buffers outside it, from the
// API's own /metrics (prom-client's default metrics). The rest of the anonymous RSS is pages V8 freed
// but keeps pooled (docs/design.md, "Memory"), malloc and thread stacks.
export async function heapNote(t: Target): Promise<string> {
  const spaces = await metricByLabel(t, 'nodejs_heap_space_size_total_bytes', 'space');
  const external = await metricTotal(t, 'nodejs_external_memory_bytes');
  const mb = (bytes: number | undefined) => ((bytes ?? 0) / 1048576).toFixed(1);
  const total = Object.values(spaces).reduce((sum, v) => sum + v, 0);
  const code = (spaces.code ?? 0) + (spaces.trusted ?? 0) + (spaces.code_large_object ?? 0) + (spaces.trusted_large_object ?? 0);
  const large = (spaces.large_object ?? 0) + (spaces.new_large_object ?? 0);
  return (
    `API V8 heap after the run: ${mb(total)} MB committed (new space ${mb(spaces.new)}, old space ${mb(spaces.old)}, ` +
    `large objects ${mb(large)}, code and bytecode ${mb(code)}); Buffers outside the heap ${mb(external)} MB (reserved, not all resident)`
  );
}

// The API's malloc_trim runs (src/common/runtime/malloc-trim.ts) over the whole run: how many, how
// long they took (on a worker thread, not the event loop) and what they gave back.
export async function mallocTrimNote(t: Target): Promise<string> {
  const count = (await metricTotal(t, 'malloc_trim_seconds_count')) ?? 0;
  if (count === 0) return 'API malloc_trim: none ran (MALLOC_TRIM_INTERVAL_MS=0, or no glibc)';
  const seconds = (await metricTotal(t, 'malloc_trim_seconds_sum')) ?? 0;
  const within = await metricByLabel(t, 'malloc_trim_seconds_bucket', 'le');
  const released = (await metricTotal(t, 'malloc_trim_released_bytes_total')) ?? 0;
  return (
    `API malloc_trim: ${count} runs, mean ${((seconds / count) * 1000).toFixed(2)} ms, ` +
    `${Math.round(((within['0.005'] ?? 0) / count) * 100)} % within 5 ms, ` +
    `${(released / 1048576).toFixed(1)} MB given back to the kernel (RSS before minus after, summed)`
  );
}
