import { AddressInfo, createServer } from 'net';
import { join } from 'path';
import { bootstrapKey } from './auth';

// Everything the bench can be told through the environment, and the names it gives its own resources
// (database, Redis db, topic, consumer groups, audit database, ports), so it never touches what tests or
// a developer's stack use.
function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const runId = `${Date.now().toString(36)}-${process.pid}`;

export const ROOT = join(__dirname, '..');
export const LOG_DIR = join(ROOT, '.tmp', 'bench');
export const BUILD_DIR = join(LOG_DIR, 'dist');

export const settings = {
  seconds: Math.max(1, int('BENCH_SECONDS', 10)),
  warmupSeconds: int('BENCH_WARMUP_SECONDS', 3),
  connections: Math.max(1, int('BENCH_CONNECTIONS', 64)),
  writeConnections: Math.max(1, int('BENCH_WRITE_CONNECTIONS', 16)),
  generator: (process.env.BENCH_GENERATOR ?? 'auto') as 'auto' | 'wrk' | 'autocannon',
  installWrk: process.env.BENCH_INSTALL_WRK !== 'false',
  skipBuild: process.env.BENCH_SKIP_BUILD === 'true',
  // Multiples of 1,000: one tenant holds 1,000 routes (10 services x 100 versions).
  hotRoutes: 1000,
  totalRoutes: Math.max(1000, Math.ceil(int('BENCH_TOTAL_ROUTES', 100_000) / 1000) * 1000),
  coldRoutes: Math.max(1000, Math.ceil(int('BENCH_COLD_ROUTES', 100_000) / 1000) * 1000),
  backlog: Math.max(1, int('BENCH_BACKLOG', 10_000)),
  // Changes drained, unmeasured, before the backlog is made: they warm the stores' servers (the
  // MongoDB stand-in is a JVM whose JIT is cold when infra.sh has just started it); 0 skips it.
  drainWarmup: Math.max(0, int('BENCH_DRAIN_WARMUP', 2_000)),
  // Scratch documents sent to the MongoDB stand-in before that, for its JIT (stores.ts); 0 skips it.
  mongoWarmup: Math.max(0, int('BENCH_MONGO_WARMUP', 30_000)),
  propagationRounds: Math.max(1, int('BENCH_PROPAGATION_ROUNDS', 200)),
  drainTimeoutSeconds: int('BENCH_DRAIN_TIMEOUT', 300),
  prefillTimeoutSeconds: int('BENCH_PREFILL_TIMEOUT', 120),
  // Warm-up of a scenario whose process has just started (JIT, pools, start-up work) and of the
  // 100k-route scenario (long enough for the generator to ask for every route once).
  longWarmupSeconds: int('BENCH_LONG_WARMUP_SECONDS', 12),
  // Ceiling and hot-set runs alternate this many times; the pair with the median ratio is reported.
  rounds: Math.max(1, int('BENCH_ROUNDS', 5)),
  // Filling 100,000 keys runs at cold-miss speed (about 100 s here), longer than the 60 s default TTL.
  cachePositiveTtl: Math.max(1, int('BENCH_CACHE_POSITIVE_TTL', 600)),
};

export const names = {
  runId,
  database: process.env.BENCH_DB_NAME ?? 'traffic_manager_bench',
  redisDb: int('BENCH_REDIS_DB', 11),
  topic: `tm-bench-${runId}.route-events`,
  groupPrefix: `tm-bench-${runId}`,
  auditDb: 'tm_bench_audit',
};

// Free ports chosen at start (allocatePorts), or BENCH_PORT and the four after it.
export const ports = { ceiling: 0, apiA: 0, apiNoLocalCache: 0, apiB: 0, consumer: 0 };

export async function allocatePorts(): Promise<void> {
  const keys = Object.keys(ports) as Array<keyof typeof ports>;
  const base = int('BENCH_PORT', 0);
  const chosen = base > 0 ? keys.map((_, i) => base + i) : await Promise.all(keys.map(() => freePort(0)));
  for (const [i, key] of keys.entries()) {
    if (base > 0 && (await freePort(chosen[i]).catch(() => undefined)) === undefined) throw new Error(`port ${chosen[i]} is in use`);
    ports[key] = chosen[i];
  }
}

function freePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

// Production settings for every process the bench starts; names, ports and the positive cache TTL differ.
export function serviceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ENVIRONMENT: 'production',
    LOG_LEVEL: 'INFO',
    DB_NAME: names.database,
    REDIS_DB: String(names.redisDb),
    KAFKA_ROUTE_EVENTS_TOPIC: names.topic,
    KAFKA_CONSUMER_GROUP_PREFIX: names.groupPrefix,
    MONGODB_DB: names.auditDb,
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    CACHE_POSITIVE_TTL: String(settings.cachePositiveTtl),
    AUTH_BOOTSTRAP_ADMIN_KEY: bootstrapKey,
    // The bench measures the API, not its per-tenant limits: its few tenants send far more than the
    // production defaults allow (the limiters still run, with these limits never reached).
    RATE_LIMIT_READS: '100000000',
    RATE_LIMIT_WRITES: '100000000',
    ...extra,
  };
}
