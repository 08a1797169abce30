import { availableParallelism } from 'os';
import { settings } from './config';
import { forEachConcurrently, Generator, HttpRequest, LoadRow, measure, range, resolveRequest, routeKey, writeRequest } from './load';
import { logStep, ProgramCpu } from './processes';
import { metricTotal, Target } from './stack';
import { seedTenants, sql } from './stores';
import { trafficHeaders } from './auth';

// The load scenarios: each is a warm-up and a measured run of the same generator, against one process.
export interface LoadScenario {
  id: string;
  label: string;
  load: LoadRow;
  notes: string[];
}

// Key prefixes (tenant names): the seeded set, the cold set, and routes created by the write scenario.
export const SEEDED = 'bench-t';
const COLD = 'bench-c';
const CREATED = 'bench-w';
const CREATED_DURING_WARMUP = 'bench-v';
const CREATED_WATCHED = 'bench-x';
const CREATED_WATCHED_WARMUP = 'bench-y';

// Watch streams open during the watched writes (GET /api/v1/routes/watch, every tenant).
export const WATCH_STREAMS = 100;

const hotKeys = () => range(0, settings.hotRoutes, (i) => routeKey(SEEDED, i));
const allKeys = () => range(0, settings.totalRoutes, (i) => routeKey(SEEDED, i));

// The headline pair: the ceiling and the hot set, alternated settings.rounds times (both processes
// running), so a slow stretch of this shared machine lands on both sides of a ratio instead of on one
// row. The round with the median hot/ceiling ratio is reported, all of its figures from that round;
// the notes list every round.
export async function headline(generator: Generator, ceilingServer: Target, api: Target): Promise<LoadScenario[]> {
  const list = hotKeys().map(resolveRequest);
  await prefill(api, list);
  const rounds: Array<{ ceiling: LoadRow; hot: LoadRow }> = [];
  for (let round = 1; round <= settings.rounds; round++) {
    logStep(`a: round ${round} of ${settings.rounds}: ceiling, bare Fastify`);
    const ceiling = await measure(generator, ceilingServer, list, { connections: settings.connections, expect: 'ok' });
    logStep(`b: round ${round} of ${settings.rounds}: resolve, hot set`);
    // The API was started just before the first round: measured once the JIT and its start-up work
    // are done, as every later scenario is.
    const hot = await measure(generator, api, list, {
      connections: settings.connections,
      expect: 'ok',
      warmupSeconds: round === 1 ? Math.max(settings.warmupSeconds, settings.longWarmupSeconds) : settings.warmupSeconds,
      counters: resolveCounters(api),
    });
    rounds.push({ ceiling, hot });
  }
  const ratio = (r: { ceiling: LoadRow; hot: LoadRow }) => r.hot.rps / r.ceiling.rps;
  const median = [...rounds].sort((x, y) => ratio(x) - ratio(y))[Math.floor((rounds.length - 1) / 2)];
  const roundNotes = [
    `${rounds.length} alternating rounds; reported: round ${rounds.indexOf(median) + 1}, the median hot/ceiling ratio`,
    `per round, hot/ceiling req/s: ${rounds.map((r) => ratio(r).toFixed(2)).join(', ')}; CPU per request: ${rounds
      .map((r) => (r.hot.cpuUsPerRequest / r.ceiling.cpuUsPerRequest).toFixed(2))
      .join(', ')}; hot p99 ms: ${rounds.map((r) => r.hot.p99Ms.toFixed(1)).join(', ')}`,
  ];
  return [
    { id: 'ceiling', label: 'ceiling: bare Fastify, same JSON', load: median.ceiling, notes: [] },
    {
      id: 'resolve_hot',
      label: `resolve, hot set (${settings.hotRoutes.toLocaleString('en')} keys)`,
      load: median.hot,
      notes: [...roundNotes, ...counterNotes(median.hot)],
    },
  ];
}

// The hot set against the API process with the in-process tier off (Redis only).
export async function resolveHotNoLocalTier(generator: Generator, api: Target): Promise<LoadScenario> {
  logStep('c: resolve, hot set, in-process tier off');
  const list = hotKeys().map(resolveRequest);
  await prefill(api, list);
  // Started just before this scenario: measured after the same long warm-up as the headline.
  const load = await measure(generator, api, list, {
    connections: settings.connections,
    expect: 'ok',
    warmupSeconds: Math.max(settings.warmupSeconds, settings.longWarmupSeconds),
    counters: resolveCounters(api),
  });
  return {
    id: 'resolve_hot_no_local_cache',
    label: `resolve, hot set (${settings.hotRoutes.toLocaleString('en')} keys), local tier off`,
    load,
    notes: counterNotes(load),
  };
}

export async function resolveMissing(generator: Generator, api: Target): Promise<LoadScenario> {
  logStep('e: resolve, missing routes');
  // Existing tenants/services/env, versions that do not exist: 404 from the negative cache.
  const missing = hotKeys().map((k) => resolveRequest({ ...k, version: k.version.replace('v', 'x') }));
  const load = await measure(generator, api, missing, {
    connections: settings.connections,
    expect: 'not-found',
    counters: resolveCounters(api),
  });
  return { id: 'resolve_missing', label: 'resolve, missing routes (404)', load, notes: counterNotes(load) };
}

// Every seeded key, each requested once in the order the measured run will use (entries are cached for
// CACHE_POSITIVE_TTL), then the same rotation over the whole set as the hot-set scenario.
export async function resolveAllRoutes(generator: Generator, api: Target): Promise<LoadScenario[]> {
  const list = allKeys().map(resolveRequest);
  logStep(`d: resolve over all ${list.length.toLocaleString('en')} routes (filling the caches first)`);
  const started = Date.now();
  const filled = await prefill(api, list, started + settings.prefillTimeoutSeconds * 1000);
  const prewarmSeconds = (Date.now() - started) / 1000;
  // Filling takes longer than the in-process tier's lifetime, so a longer warm-up (the generator over
  // the whole list) brings every instance-local entry back before measuring: the steady state of a
  // fleet whose 100k routes are all asked for every few seconds.
  const warmupSeconds = Math.max(settings.warmupSeconds, settings.longWarmupSeconds);
  const load = await measure(generator, api, list, {
    connections: settings.connections,
    expect: 'ok',
    warmupSeconds,
    counters: resolveCounters(api),
  });
  const notes = [`caches filled with ${filled} of ${list.length} keys in ${prewarmSeconds.toFixed(1)} s before the warm-up`, ...counterNotes(load)];
  if (filled < list.length)
    notes.push(`filling stopped after BENCH_PREFILL_TIMEOUT (${settings.prefillTimeoutSeconds} s): part of the run were misses`);
  else if (prewarmSeconds + settings.warmupSeconds + settings.seconds > settings.cachePositiveTtl) {
    notes.push(`filling took long enough for some Redis entries (CACHE_POSITIVE_TTL ${settings.cachePositiveTtl} s) to expire`);
  }
  // The hot set again, right after, on the same process: the 100k figure's target compares it with
  // this one. The headline's rounds ran minutes earlier, and on this shared VM figures of the same
  // build move by up to 2x between moments (bench/README.md).
  logStep('d: resolve, hot set again, right after the 100k routes');
  const hot = await measure(generator, api, hotKeys().map(resolveRequest), {
    connections: settings.connections,
    expect: 'ok',
    counters: resolveCounters(api),
  });
  return [
    { id: 'resolve_all_routes', label: `resolve, all ${(settings.totalRoutes / 1000).toFixed(0)}k routes`, load, notes },
    { id: 'resolve_hot_adjacent', label: 'resolve, hot set, right after the 100k', load: hot, notes: counterNotes(hot) },
  ];
}

// Keys never requested before (a separate set seeded now): every request is a miss of both cache tiers.
export async function resolveCold(generator: Generator, api: Target): Promise<LoadScenario> {
  logStep(`f: resolve, cold misses (seeding ${settings.coldRoutes.toLocaleString('en')} more routes)`);
  await seedTenants(COLD, 0, settings.coldRoutes / 1000);
  const keys = range(0, settings.coldRoutes, (i) => routeKey(COLD, i));
  const split = Math.max(1000, Math.floor(keys.length / 10));
  const measured = keys.slice(split).map(resolveRequest);
  const load = await measure(generator, api, measured, {
    connections: settings.connections,
    expect: 'ok',
    warmList: keys.slice(0, split).map(resolveRequest),
    counters: resolveCounters(api),
  });
  const notes = counterNotes(load);
  if (load.requests > measured.length) notes.push(`cold set exhausted: ${load.requests - measured.length} requests were repeats`);
  return { id: 'resolve_cold', label: 'resolve, cold misses (→ PostgreSQL)', load, notes };
}

// Half creates of new routes, half updates of seeded ones to a URL they never had: every request is a
// change with its outbox row. The warm-up uses other keys, so the measured run repeats nothing.
export async function writes(generator: Generator, api: Target): Promise<LoadScenario> {
  logStep(`g: writes at ${settings.writeConnections} connections`);
  const changes = (created: string, updated: string, n: number): HttpRequest[] =>
    range(0, 2 * n, (i) => {
      const k = i >> 1;
      if (i % 2 === 0) {
        const key = routeKey(created, k);
        return writeRequest(key, `https://${key.service}-${key.version}.${key.tenant}.bench.example.com`);
      }
      const key = routeKey(updated, k);
      return writeRequest(key, `https://${key.service}-${key.version}.${key.tenant}.bench.example.com/updated`);
    });
  const list = changes(CREATED, SEEDED, settings.totalRoutes);
  const others = new ProgramCpu(OTHER_PROGRAMS);
  let measuring = false;
  const load = await measure(generator, api, list, {
    connections: settings.writeConnections,
    expect: 'ok',
    warmList: changes(CREATED_DURING_WARMUP, COLD, settings.coldRoutes),
    counters: async () => {
      const counters = {
        outbox_rows: Number((await sql<{ n: string }>('SELECT count(*) AS n FROM outbox_events'))[0].n),
        ...(await walCounters()),
        ...(await groupCounters(api)),
      };
      // Called before and after the measured run: the first call starts the count, the second ends it.
      if (!measuring) {
        measuring = true;
        others.start();
        return counters;
      }
      return { ...counters, ...programCounters(others.stop()) };
    },
  });
  const outboxRows = load.counters?.outbox_rows ?? NaN;
  const notes = [`${load.requests} changes, ${outboxRows} outbox rows (${(outboxRows / load.requests).toFixed(3)} per change)`];
  const wal = walNote(load.counters, load.requests);
  if (wal) notes.push(wal);
  const groups = groupNote(load.counters);
  if (groups) notes.push(groups);
  const machine = machineNote(load.counters, load.requests, load.cpuUsPerRequest);
  if (machine) notes.push(machine);
  if (load.requests > list.length) notes.push(`change list exhausted: ${load.requests - list.length} requests were no-op repeats`);
  return { id: 'writes', label: 'writes: creates + updates', load, notes };
}

// Group commit's figures (docs/design.md, "Group commit"): groups sent and the changes in them.
async function groupCounters(api: Target): Promise<Record<string, number>> {
  const [groups, changes] = await Promise.all([metricTotal(api, 'write_commit_group_size_count'), metricTotal(api, 'write_commit_group_size_sum')]);
  return groups === undefined || changes === undefined ? {} : { write_groups: groups, write_grouped_changes: changes };
}

function groupNote(counters: Record<string, number> | undefined): string | undefined {
  if (!counters?.write_groups) return undefined;
  const perGroup = counters.write_grouped_changes / counters.write_groups;
  return `group commit: ${counters.write_groups} transactions for ${counters.write_grouped_changes} changes (${perGroup.toFixed(1)} per transaction)`;
}

// The other programs a change keeps busy on this machine (same names as their /proc/<pid>/comm): the
// database, the cache, and the JVMs of the Kafka broker and the MongoDB stand-in. Not the load generator:
// each wrk run is its own process and has exited before the count ends.
const OTHER_PROGRAMS = ['postgres', 'redis-server', 'java'] as const;

function programCounters(used: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(used).map(([program, seconds]) => [`cpu_us_${program}`, seconds * 1e6]));
}

// What one change costs the whole machine: the API's CPU (the row's own figure) and each other
// program's, per change, and the most changes per second that leaves room for (cores × 1,000,000 µs
// of CPU per second, divided by the sum).
function machineNote(counters: Record<string, number> | undefined, changes: number, apiUs: number): string | undefined {
  if (!counters || changes === 0) return undefined;
  const parts = OTHER_PROGRAMS.filter((p) => counters[`cpu_us_${p}`] !== undefined).map((p) => [p, counters[`cpu_us_${p}`] / changes] as const);
  if (!parts.length) return undefined;
  const total = apiUs + parts.reduce((sum, [, us]) => sum + us, 0);
  const listed = parts.map(([p, us]) => `${p === 'java' ? 'Kafka and MongoDB JVMs' : p} ${us.toFixed(0)}`).join(', ');
  const cores = availableParallelism();
  return (
    `CPU per change across the machine: API ${apiUs.toFixed(0)}, ${listed} µs; ${total.toFixed(0)} µs in all, ` +
    `so ${cores} cores allow at most ~${Math.round((cores * 1e6) / total).toLocaleString('en')} changes/s before the load generator's share`
  );
}

// PostgreSQL's WAL counters (cluster-wide, PostgreSQL 14+), for the write row's notes: the first change
// to a page after a checkpoint starts writes the whole 8 KB page to the WAL (a full-page image), so a
// run that starts shortly after a checkpoint writes several times the WAL per change, and every commit
// waits for its flush; the write p99 follows. Empty where the views differ (PostgreSQL 17 moved the
// checkpoint counts to pg_stat_checkpointer).
async function walCounters(): Promise<Record<string, number>> {
  try {
    const [wal] = await sql<{ fpi: string; bytes: string }>('SELECT wal_fpi AS fpi, wal_bytes AS bytes FROM pg_stat_wal');
    const [checkpoints] = await sql<{ n: string }>('SELECT checkpoints_timed + checkpoints_req AS n FROM pg_stat_bgwriter');
    return { wal_fpi: Number(wal.fpi), wal_bytes: Number(wal.bytes), checkpoints: Number(checkpoints.n) };
  } catch {
    return {};
  }
}

function walNote(counters: Record<string, number> | undefined, changes: number): string | undefined {
  if (counters?.wal_bytes === undefined || changes === 0) return undefined;
  const perChange = (n: number) => (n / changes).toFixed(n / changes < 10 ? 2 : 0);
  const checkpoints = counters.checkpoints > 0 ? `; ${counters.checkpoints} checkpoint(s) completed during the run` : '';
  return `PostgreSQL WAL per change: ${perChange(counters.wal_bytes)} bytes, ${perChange(counters.wal_fpi)} full-page images (cluster-wide pg_stat_wal${checkpoints})`;
}

// The writes again, with WATCH_STREAMS watch streams open on the same instance, each receiving every
// change: what pushing changes costs the write path. New routes and new URLs, so every request is a
// change. Not a target of issue 8; the notes give the events each stream received.
export async function writesWatched(generator: Generator, api: Target): Promise<LoadScenario> {
  logStep(`g2: writes at ${settings.writeConnections} connections, ${WATCH_STREAMS} watch streams open`);
  const changes = (created: string, suffix: string, n: number): HttpRequest[] =>
    range(0, 2 * n, (i) => {
      const k = i >> 1;
      const key = routeKey(i % 2 === 0 ? created : SEEDED, k);
      return writeRequest(key, `https://${key.service}-${key.version}.${key.tenant}.bench.example.com/${i % 2 === 0 ? 'new' : suffix}`);
    });
  const streams = await Promise.all(range(0, WATCH_STREAMS, () => openWatch(api)));
  try {
    const load = await measure(generator, api, changes(CREATED_WATCHED, 'watched', settings.totalRoutes), {
      connections: settings.writeConnections,
      expect: 'ok',
      warmList: changes(CREATED_WATCHED_WARMUP, 'watched-warm-up', settings.coldRoutes),
    });
    // Let the last batch arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const events = streams.map((stream) => stream.events);
    const notes = [
      `${WATCH_STREAMS} streams open: route events per stream min ${Math.min(...events)}, max ${Math.max(...events)} ` +
        `(warm-up and measured run: ${load.requests} changes measured; several changes of one route within 25 ms arrive as one event)`,
    ];
    return { id: 'writes_watched', label: `writes, ${WATCH_STREAMS} watch streams open`, load, notes };
  } finally {
    for (const stream of streams) stream.close();
  }
}

// A watch stream that counts the route events it receives.
async function openWatch(api: Target): Promise<{ events: number; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${api.baseUrl}/api/v1/routes/watch`, { headers: trafficHeaders(), signal: abort.signal });
  if (res.status !== 200 || !res.body) throw new Error(`watch stream answered ${res.status}`);
  const stream = { events: 0, close: () => abort.abort() };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let tail = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const text = tail + decoder.decode(value, { stream: true });
        stream.events += text.split('event: route\n').length - 1;
        tail = text.slice(-16);
        stream.events -= tail.split('event: route\n').length - 1;
      }
    } catch {
      // closed
    }
  })();
  return stream;
}

// Each key requested once, so the measured run starts with the caches holding the whole list.
async function prefill(api: Target, list: HttpRequest[], deadline = Infinity): Promise<number> {
  const get = async (r: HttpRequest) => void (await (await fetch(`${api.baseUrl}${r.path}`, { headers: trafficHeaders() })).arrayBuffer());
  return forEachConcurrently(list, settings.connections, get, deadline);
}

function resolveCounters(api: Target): () => Promise<Record<string, number>> {
  return async () => {
    const names = [
      'db_queries_total',
      'resolve_cache_hit_total',
      'resolve_cache_miss_total',
      'resolve_negative_cache_hit_total',
      'resolve_local_cache_hit_total',
      'resolve_local_cache_refresh_total',
      'cache_errors_total',
    ];
    const values = await Promise.all(names.map((n) => metricTotal(api, n)));
    return Object.fromEntries(names.map((n, i) => [n, values[i] ?? NaN]));
  };
}

function counterNotes(load: LoadRow): string[] {
  const queries = load.counters?.db_queries_total;
  if (queries === undefined || Number.isNaN(queries) || load.requests === 0) return [];
  const notes = [`PostgreSQL queries per request: ${(queries / load.requests).toFixed(3)}`];
  // Share answered from the API's own memory, and in-process entries fetched again from Redis ahead of
  // expiry (docs/design.md, "Refresh-ahead"), per request.
  const local = load.counters?.resolve_local_cache_hit_total;
  if (local !== undefined && !Number.isNaN(local)) notes.push(`in-process hits per request: ${(local / load.requests).toFixed(3)}`);
  const refreshed = load.counters?.resolve_local_cache_refresh_total;
  if (refreshed) notes.push(`refresh-ahead reads per request: ${(refreshed / load.requests).toFixed(3)}`);
  // Failed or timed-out Redis commands (each sends its resolve to PostgreSQL); should be 0.
  const redisErrors = load.counters?.cache_errors_total;
  if (redisErrors) notes.push(`Redis command failures: ${redisErrors}`);
  return notes;
}
