import { readFileSync } from 'fs';
import autocannon from 'autocannon';
import { execFileSync, spawn, spawnSync } from 'child_process';
import { writeFileSync } from 'fs';
import { cpus } from 'os';
import { join } from 'path';
import { LOG_DIR, settings } from './config';
import { cpuSeconds, logStep, trackHelper } from './processes';
import { trafficAuthorization, trafficHeaders } from './auth';

// The load generator (wrk when available, else autocannon), the same for every scenario of a run, and
// the measurement around it: warm-up, then req/s, latency and the server's CPU time per request.
export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface RouteKey {
  tenant: string;
  service: string;
  env: string;
  version: string;
}

interface RawResult {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  statusErrors: number; // answers with status >= 400
  socketErrors: number; // connect/read/write errors and timeouts
}

export interface LoadRow extends RawResult {
  rps: number;
  cpuUsPerRequest: number;
  connections: number;
  unexpected: number; // answers not of the expected kind, plus socket errors
  counters?: Record<string, number>; // the server's own counters, change during the measured run
}

export interface Generator {
  name: string;
  version: string;
  run(baseUrl: string, list: HttpRequest[], connections: number, seconds: number): Promise<RawResult>;
}

// See seedTenants in stores.ts: the same numbering.
export function routeKey(prefix: string, i: number): RouteKey {
  const tenant = `${prefix}${String(Math.floor(i / 1000)).padStart(3, '0')}`;
  return { tenant, service: `s${Math.floor(i / 100) % 10}`, env: 'prod', version: `v${String(i % 100).padStart(2, '0')}` };
}

export function resolveRequest(key: RouteKey): HttpRequest {
  const { tenant, service, env, version } = key;
  return { method: 'GET', path: `/api/v1/routes/resolve?tenant=${tenant}&service=${service}&env=${env}&version=${version}` };
}

export function writeRequest(key: RouteKey, url: string): HttpRequest {
  return { method: 'POST', path: '/api/v1/routes', body: JSON.stringify({ ...key, url }) };
}

export function range<T>(from: number, to: number, map: (i: number) => T): T[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => map(from + k));
}

export async function measure(
  generator: Generator,
  target: { baseUrl: string; pid: number },
  list: HttpRequest[],
  options: {
    connections: number;
    expect: 'ok' | 'not-found';
    warmList?: HttpRequest[];
    warmupSeconds?: number;
    counters?: () => Promise<Record<string, number>>;
  },
): Promise<LoadRow> {
  const warmupSeconds = options.warmupSeconds ?? settings.warmupSeconds;
  if (warmupSeconds > 0) {
    await generator.run(target.baseUrl, options.warmList ?? list, options.connections, warmupSeconds);
  }
  const countersBefore = await options.counters?.();
  const cpuBefore = cpuSeconds(target.pid);
  const raw = await generator.run(target.baseUrl, list, options.connections, settings.seconds);
  const cpu = cpuSeconds(target.pid) - cpuBefore;
  const countersAfter = await options.counters?.();
  const counters =
    countersBefore && countersAfter
      ? Object.fromEntries(Object.entries(countersAfter).map(([k, v]) => [k, v - (countersBefore[k] ?? 0)]))
      : undefined;
  const wrongKind = options.expect === 'ok' ? raw.statusErrors : raw.requests - raw.statusErrors;
  logStep(`  ${Math.round(raw.requests / raw.seconds)} req/s, p99 ${raw.p99Ms.toFixed(2)} ms, CPU ${((cpu * 1e6) / raw.requests).toFixed(0)} µs/req`);
  return {
    ...raw,
    rps: raw.requests / raw.seconds,
    cpuUsPerRequest: raw.requests > 0 ? (cpu * 1e6) / raw.requests : NaN,
    connections: options.connections,
    unexpected: wrongKind + raw.socketErrors,
    counters,
  };
}

// Runs fn over items with at most `concurrency` in flight (filling caches, building a backlog), in order,
// until done or past `deadline` (epoch ms); returns how many items were started.
export async function forEachConcurrently<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>, deadline = Infinity): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && Date.now() < deadline) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return next;
}

export function chooseGenerator(): Generator {
  if (settings.generator !== 'autocannon') {
    const wrk = wrkVersion() ?? (settings.installWrk ? installWrk() : undefined);
    if (wrk) return wrkGenerator(wrk);
    if (settings.generator === 'wrk') throw new Error('BENCH_GENERATOR=wrk but wrk is not installed and could not be installed');
    logStep('wrk unavailable, falling back to autocannon');
  }
  const version = (JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')) as { version: string }).version;
  return { name: 'autocannon', version, run: runAutocannon };
}

function wrkVersion(): string | undefined {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (out.error) return undefined;
  return /wrk (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'unknown';
}

function installWrk(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const apt = (args: string[]) =>
    execFileSync('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: 'ignore', timeout: 300_000 });
  logStep('wrk not found: apt-get install -y wrk');
  try {
    apt(['install', '-y', '-q', 'wrk']);
  } catch {
    try {
      apt(['update', '-q']);
      apt(['install', '-y', '-q', 'wrk']);
    } catch {
      return undefined;
    }
  }
  return wrkVersion();
}

function wrkGenerator(version: string): Generator {
  let file = 0;
  return {
    name: 'wrk',
    version,
    run: (baseUrl, list, connections, seconds) => {
      const path = join(LOG_DIR, `requests-${file++ % 4}.tsv`);
      writeFileSync(path, list.map((r) => [r.method, r.path, r.body ?? ''].join('\t')).join('\n') + '\n');
      const threads = Math.max(1, Math.min(cpus().length, connections));
      const args = [
        `-t${threads}`,
        `-c${connections}`,
        `-d${seconds}s`,
        '--timeout',
        '5s',
        '-s',
        join(__dirname, 'rotate.lua'),
        baseUrl,
        '--',
        path,
        String(threads),
        trafficAuthorization(),
      ];
      return runWrk(args);
    },
  };
}

function runWrk(args: string[]): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackHelper(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = /WRK_RESULT (\{.*\})/.exec(out)?.[1];
      if (code !== 0 || !line) return reject(new Error(`wrk failed (exit ${code}): ${out.slice(-500)}`));
      const r = JSON.parse(line) as Record<string, number>;
      resolve({
        requests: r.requests,
        seconds: r.duration_us / 1e6,
        p50Ms: r.p50_us / 1000,
        p99Ms: r.p99_us / 1000,
        statusErrors: r.status_errors,
        socketErrors: r.socket_errors,
      });
    });
  });
}

async function runAutocannon(baseUrl: string, list: HttpRequest[], connections: number, seconds: number): Promise<RawResult> {
  let next = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    timeout: 5,
    requests: [
      {
        setupRequest: (req) => {
          const r = list[next++ % list.length];
          const headers: Record<string, string> = r.body ? { 'content-type': 'application/json', ...trafficHeaders() } : trafficHeaders();
          return { ...req, method: r.method, path: r.path, body: r.body, headers };
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statusErrors: result['4xx'] + result['5xx'],
    socketErrors: result.errors + result.timeouts,
  };
}
