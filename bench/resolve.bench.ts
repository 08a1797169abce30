/*
 * Resolve benchmark: the built API process (node dist/src/main.js) against real PostgreSQL and
 * Redis, driven by autocannon over loopback. Each scenario runs next to a ceiling in the same run:
 * GET /health/live, the same HTTP stack doing no work. Server time comes from the API's own
 * resolve_latency_seconds histogram (what the product promises: well under a millisecond); under
 * many connections it includes event-loop queueing, so the 1-connection row shows the service time.
 * autocannon shares the machine's cores with the API, so absolute numbers are a floor.
 *
 *   npm run bench                     # defaults: 10 s per scenario, 50 connections
 *   BENCH_SECONDS=30 BENCH_CONNECTIONS=100 npm run bench
 */
import autocannon from 'autocannon';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { join } from 'path';

const ROOT = join(__dirname, '..');
const PORT = Number(process.env.BENCH_PORT ?? 18200);
const BASE = `http://127.0.0.1:${PORT}`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUTES = 1000;
const TENANT = `bench-${Date.now().toString(36)}`;
const env = { ...process.env, DB_NAME: 'traffic_manager_test', API_PORT: String(PORT), LOG_LEVEL: 'WARNING' };

interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  serverP50?: string;
  serverP99?: string;
  non2xx: number;
}

async function main(): Promise<void> {
  execFileSync('bash', ['scripts/infra.sh', 'up'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('npx', ['typeorm-ts-node-commonjs', 'migration:run', '-d', 'ormconfig.ts'], { cwd: ROOT, env, stdio: 'ignore' });
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const api = spawn('node', ['dist/src/main.js'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitReady();
    await seed();
    const paths = Array.from({ length: ROUTES }, (_, i) => resolvePath(`v${i}`));
    await Promise.all(paths.map((p) => fetch(`${BASE}${p}`)));

    const rows: Row[] = [];
    rows.push(await run('ceiling: GET /health/live', ['/health/live']));
    rows.push(await run('resolve, cache hit (1000 routes)', paths, true));
    rows.push(await run('resolve, negative cache hit', [resolvePath('missing')], true));
    rows.push(await run('resolve, cache hit, 1 connection', paths, true, 1));
    print(rows);
  } finally {
    await stop(api);
  }
}

function resolvePath(version: string): string {
  return `/api/v1/routes/resolve?tenant=${TENANT}&service=payments&env=prod&version=${version}`;
}

async function waitReady(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if ((await fetch(`${BASE}/health/ready`).catch(() => null))?.ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('API did not become ready');
}

async function seed(): Promise<void> {
  const create = (i: number) =>
    fetch(`${BASE}/api/v1/routes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: TENANT, service: 'payments', env: 'prod', version: `v${i}`, url: `https://v${i}.bench.example.com` }),
    });
  for (let i = 0; i < ROUTES; i += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => create(i + k)));
}

async function run(scenario: string, paths: string[], serverTime = false, connections = CONNECTIONS): Promise<Row> {
  const before = serverTime ? await histogram() : undefined;
  let next = 0;
  const result = await autocannon({
    url: BASE,
    connections,
    duration: SECONDS,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
  });
  const row: Row = {
    scenario,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
  if (before) {
    const after = await histogram();
    const delta = after.map(([le, n], i) => [le, n - before[i][1]] as [number, number]);
    row.serverP50 = quantile(delta, 0.5);
    row.serverP99 = quantile(delta, 0.99);
  }
  return row;
}

// Cumulative bucket counts of resolve_latency_seconds, as [upper bound in seconds, count].
async function histogram(): Promise<Array<[number, number]>> {
  const text = await (await fetch(`${BASE}/metrics`)).text();
  return [...text.matchAll(/^resolve_latency_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => [
    m[1] === '+Inf' ? Infinity : Number(m[1]),
    Number(m[2]),
  ]);
}

function quantile(buckets: Array<[number, number]>, q: number): string {
  const total = buckets[buckets.length - 1][1];
  const bound = buckets.find(([, n]) => n >= total * q)?.[0] ?? Infinity;
  return bound === Infinity ? '> 5 s' : `≤ ${(bound * 1000).toFixed(1)} ms`;
}

function print(rows: Row[]): void {
  const ceiling = rows[0].rps;
  process.stdout.write(`\nresolve benchmark: ${CONNECTIONS} connections, ${SECONDS} s per scenario, ${ROUTES} cached routes\n`);
  for (const r of rows) {
    process.stdout.write(
      `${r.scenario.padEnd(36)} ${String(r.rps).padStart(7)} req/s (${((r.rps / ceiling) * 100).toFixed(0).padStart(3)}% of ceiling)` +
        `  client p50 ${r.p50} ms p99 ${r.p99} ms` +
        (r.serverP50 ? `  server p50 ${r.serverP50} p99 ${r.serverP99}` : '') +
        (r.non2xx ? `  non-2xx ${r.non2xx}` : '') +
        '\n',
    );
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exit(1);
});
