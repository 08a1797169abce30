import { execFileSync } from 'child_process';
import { existsSync, rmSync } from 'fs';
import { join } from 'path';
import Redis from 'ioredis';
import { Admin, Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { Client } from 'pg';
import { BUILD_DIR, names, ROOT } from './config';
import { logStep } from './processes';

// The bench's own database, Redis db, topic, consumer groups and audit database: prepared at the start,
// seeded with direct SQL, and (except the database, kept for inspection) removed at the end.
const env = process.env;
const pg = {
  host: env.DB_HOST ?? '127.0.0.1',
  port: Number(env.DB_PORT ?? 5432),
  user: env.DB_USER ?? 'traffic_manager',
  password: env.DB_PASSWORD ?? 'traffic_manager',
};
const redisOptions = { host: env.REDIS_HOST ?? '127.0.0.1', port: Number(env.REDIS_PORT ?? 6379), db: names.redisDb };
const kafka = new Kafka({
  clientId: 'tm-bench',
  brokers: (env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092').split(','),
  logLevel: logLevel.NOTHING,
});
const mongoUri = `mongodb://${env.MONGODB_HOST ?? '127.0.0.1'}:${env.MONGODB_PORT ?? 27017}/${names.auditDb}`;

let db: Client | undefined;
let admin: Admin | undefined;

// Returns warnings worth keeping with the results.
export function prepareInfrastructure(skipBuild: boolean): string[] {
  const run = (cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    execFileSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'ignore', 'inherit'] });
  logStep('infrastructure: scripts/infra.sh up');
  run('bash', ['scripts/infra.sh', 'up']);
  ensureDatabase();
  logStep(`migrations on ${names.database}`);
  run('npx', ['typeorm-ts-node-commonjs', 'migration:run', '-d', 'ormconfig.ts'], { DB_NAME: names.database });
  const built = () => existsSync(join(BUILD_DIR, 'src', 'main.js')) && existsSync(join(BUILD_DIR, 'src', 'consumer.js'));
  if (skipBuild && built()) {
    logStep(`build skipped, using ${BUILD_DIR}`);
    return ['build skipped (BENCH_SKIP_BUILD=true): measured an earlier build'];
  }
  // The same compilation as `npm run build` (nest build is tsc with tsconfig.build.json, no plugins), into
  // a directory of its own: others rebuilding dist/ during the run must not pull files from under the API.
  logStep(`build (tsc -p tsconfig.build.json) into ${BUILD_DIR}`);
  rmSync(BUILD_DIR, { recursive: true, force: true });
  try {
    run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR]);
  } catch (err) {
    // tsc still emits on type errors; a tree others are editing may have some for a moment.
    if (!built()) throw err;
    logStep('tsc reported errors but emitted the entry points; measuring that build');
    return ['tsc reported type errors in the measured source tree'];
  }
  return [];
}

// Like scripts/infra.sh: the postgres superuser creates the database, owned by the application role.
function ensureDatabase(): void {
  const psql = (sql: string) =>
    execFileSync('psql', ['-h', pg.host, '-p', String(pg.port), '-U', 'postgres', '-d', 'postgres', '-w', '-X', '-q', '-tA', '-c', sql])
      .toString()
      .trim();
  if (psql(`SELECT 1 FROM pg_database WHERE datname = '${names.database}'`) === '1') return;
  logStep(`creating database ${names.database}`);
  psql(`CREATE DATABASE "${names.database}" OWNER "${pg.user}"`);
}

export async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  if (!db) {
    db = new Client({ ...pg, database: names.database });
    await db.connect();
  }
  return (await db.query(text, values)).rows as T[];
}

export async function resetStores(): Promise<void> {
  await refuseForeignClients();
  await sql('TRUNCATE tenants, services, environments, endpoints, outbox_events RESTART IDENTITY CASCADE');
  await flushRedis();
  await dropAuditDb();
}

// An API process left over from an earlier run (or started by hand) on the bench's database would
// take the outbox relay's leadership and publish this run's events to its own topic, and would
// share the two cores: the run would fail or measure less. It is named, not killed.
async function refuseForeignClients(): Promise<void> {
  const rows = await sql<{ pid: number; application_name: string }>(
    `SELECT pid, application_name FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name = 'traffic-manager'`,
    [names.database],
  );
  if (rows.length > 0) {
    throw new Error(
      `${rows.length} connection(s) of another traffic-manager process use ${names.database} (PostgreSQL backend pids ${rows
        .map((r) => r.pid)
        .join(', ')}): stop that process first (e.g. pgrep -fa 'dist/src/main.js')`,
    );
  }
}

// Tenants <prefix><000..>, each with services s0..s9 in env "prod", each with versions v00..v99:
// key i is tenant floor(i / 1000), service floor(i / 100) % 10, version i % 100 (see routeKey in load.ts).
export async function seedTenants(prefix: string, from: number, to: number): Promise<void> {
  await sql(
    `WITH t AS (
       INSERT INTO tenants (name) SELECT $1 || lpad(g::text, 3, '0') FROM generate_series($2::int, $3::int - 1) g
       RETURNING id, name),
     s AS (
       INSERT INTO services (tenant_id, name) SELECT t.id, 's' || g FROM t, generate_series(0, 9) g
       RETURNING id, tenant_id, name),
     e AS (
       INSERT INTO environments (service_id, name) SELECT s.id, 'prod' FROM s
       RETURNING id, service_id)
     INSERT INTO endpoints (environment_id, version, url)
     SELECT e.id, 'v' || lpad(g::text, 2, '0'),
            format('https://%s-v%s.%s.bench.example.com', s.name, lpad(g::text, 2, '0'), t.name)
       FROM e JOIN s ON s.id = e.service_id JOIN t ON t.id = s.tenant_id, generate_series(0, 99) g`,
    [prefix, from, to],
  );
  // Fresh planner statistics, as a database in service has: without them PostgreSQL plans the resolve
  // query for the empty tables it last analysed and scans 100,000 rows per miss.
  await sql('ANALYZE tenants, services, environments, endpoints');
}

export async function unpublishedOutboxRows(): Promise<number> {
  const [row] = await sql<{ n: string }>('SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL');
  return Number(row.n);
}

async function flushRedis(): Promise<void> {
  const redis = new Redis({ ...redisOptions, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

export async function dropAuditDb(): Promise<void> {
  const conn = await mongoose.createConnection(mongoUri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    await conn.dropDatabase();
  } finally {
    await conn.close();
  }
}

// The MongoDB stand-in (mongo-java-server, a JVM) runs its insert path interpreted until its JIT has
// seen tens of thousands of documents: right after `infra.sh up` its CPU per audit document was 2-3x
// its steady figure. Production MongoDB has no such phase, so before the drain the bench sends it
// documents shaped like the audit trail's, with the same unique indexes, in a scratch database that it
// drops again. Nothing of ours runs in it; the consumer measured afterwards is a fresh process.
export async function warmUpMongoStandIn(documents: number): Promise<void> {
  const conn = await mongoose.createConnection(mongoUri.replace(/[^/]+$/, `${names.auditDb}_warmup`), { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    await conn.dropDatabase();
    const collection = conn.collection<{ _id: string }>('audit_events');
    await collection.createIndex({ event_id: 1 }, { unique: true });
    await collection.createIndex({ 'chain.link': 1 }, { unique: true, sparse: true });
    for (let from = 0; from < documents; from += 500) {
      const docs = Array.from({ length: Math.min(500, documents - from) }, (_, k) => {
        const route = `bench-warmup/s${(from + k) % 10}/prod/v${from + k}`;
        return {
          _id: `${route}#2`,
          event_id: `warmup-${from + k}`,
          url: `https://${route}.example.com`,
          chain: { link: `genesis:${route}`, at: `${route}#2` },
        };
      });
      await collection.find({ _id: { $in: docs.map((d) => d._id.replace(/#2$/, '#1')) } }).toArray();
      await collection.insertMany(docs, { ordered: false });
    }
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }
}

export async function kafkaAdmin(): Promise<Admin> {
  if (!admin) {
    const created = kafka.admin();
    await created.connect();
    admin = created;
  }
  return admin;
}

// Per group: messages of the bench topic not yet committed (a group with no commit counts from 0).
// On a broker's first run the group coordinator (__consumer_offsets) is still being created when the
// drain starts: retriable answers such as NOT_COORDINATOR are asked again, for up to 30 s.
export async function groupLag(groupId: string): Promise<number> {
  const a = await kafkaAdmin();
  const [ends, [committed]] = await untilNotRetriable(() =>
    Promise.all([a.fetchTopicOffsets(names.topic), a.fetchOffsets({ groupId, topics: [names.topic] })]),
  );
  return ends.reduce((sum, { partition, high }) => {
    const done = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
    return sum + Math.max(0, Number(high) - Math.max(0, done));
  }, 0);
}

async function untilNotRetriable<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!(err as { retriable?: boolean }).retriable || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function topicMessages(): Promise<number> {
  const ends = await (await kafkaAdmin()).fetchTopicOffsets(names.topic);
  return ends.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
}

// Best effort: the run's topics, groups, cache entries and audit documents; the database stays.
export async function removeRunResources(groupIds: string[]): Promise<void> {
  const attempts: Array<[string, () => Promise<unknown>]> = [
    [
      'consumer groups',
      async () => {
        const a = await kafkaAdmin();
        const existing = new Set((await a.listGroups()).groups.map((g) => g.groupId));
        const ours = groupIds.filter((g) => existing.has(g));
        if (ours.length > 0) await a.deleteGroups(ours);
      },
    ],
    [
      'topics',
      async () => {
        const a = await kafkaAdmin();
        const ours = (await a.listTopics()).filter((t) => t.startsWith(names.topic));
        if (ours.length > 0) await a.deleteTopics({ topics: ours });
      },
    ],
    ['redis db', flushRedis],
    ['audit db', dropAuditDb],
  ];
  for (const [what, attempt] of attempts) {
    await attempt().catch((err: Error) => logStep(`cleanup of ${what} failed: ${err.message}`));
  }
  await admin?.disconnect().catch(() => undefined);
  admin = undefined;
  await db?.end().catch(() => undefined);
  db = undefined;
}
