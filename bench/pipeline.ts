import { performance } from 'perf_hooks';
import { names, settings } from './config';
import { forEachConcurrently, range, routeKey, writeRequest } from './load';
import { logStep, sleep, stopService } from './processes';
import { SEEDED } from './scenarios';
import { metricByLabel, startConsumer, Target, waitConsumerReady } from './stack';
import { dropAuditDb, warmUpMongoStandIn, groupLag, kafkaAdmin, topicMessages, unpublishedOutboxRows } from './stores';
import { adminHeaders, trafficHeaders } from './auth';

// The event pipeline: how fast each consumer group drains a backlog, and how long a change made
// through one API instance takes to be served by another.
export const GROUP_TYPES = ['cache_invalidation', 'cache_warming', 'audit_log', 'webhooks'] as const;
export const groupIds = () => GROUP_TYPES.map((t) => `${names.groupPrefix}-${t}`);

export interface GroupDrain {
  group: string;
  backlog: number;
  secondsFromJoin: number; // group Stable (joined, partitions assigned) until lag 0
  secondsFromStart: number; // consumer process spawned until lag 0
  eventsPerSecond: number;
  drained: boolean;
  processed?: number;
  duplicates?: number;
}

export interface Propagation {
  rounds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  timeouts: number;
  writeP50Ms: number;
}

// Changes made while no consumer of this run's groups exists (the topic is this run's own), then the
// consumer process starts and each group's lag is polled every 100 ms until it reaches 0.
export async function drainBacklog(api: Target): Promise<GroupDrain[]> {
  if (settings.mongoWarmup > 0) {
    logStep(`h: warm-up of the MongoDB stand-in, ${settings.mongoWarmup.toLocaleString('en')} scratch documents`);
    await warmUpMongoStandIn(settings.mongoWarmup);
  }
  if (settings.drainWarmup > 0) await warmUpDrain(api);
  logStep(`h: ${settings.backlog.toLocaleString('en')} changes with no consumer running`);
  const published = await topicMessages();
  await makeChanges(
    api,
    'backlog',
    range(0, settings.backlog, (i) => i),
  );
  // If the relay has not published everything by then, the drain counts what the topic holds (the backlog column).
  await waitFor(
    'the outbox relay to publish the backlog',
    300,
    async () => (await unpublishedOutboxRows()) === 0 && (await topicMessages()) >= published + settings.backlog,
    false,
  );

  // The webhooks group queues a delivery per event and matching webhook: one webhook per seeded
  // tenant makes it do that work for every backlog event. Their host does not resolve (.invalid), so
  // the dispatcher's attempts fail and are retried later; the webhooks and their queued deliveries
  // are deleted right after the drain, so they cost nothing in the steps after it.
  const tenants = [...new Set(range(0, Math.min(settings.backlog, settings.totalRoutes), (i) => routeKey(SEEDED, i).tenant))];
  const hookIds: string[] = [];
  await forEachConcurrently(tenants, 8, async (tenant) => {
    const hook = await fetch(`${api.baseUrl}/api/v1/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeaders() },
      body: JSON.stringify({ tenant, url: 'https://hooks.invalid/bench', description: 'bench: drain of the webhooks group' }),
    });
    if (hook.status !== 201) throw new Error(`registering a bench webhook failed: ${hook.status} ${await hook.text()}`);
    hookIds.push(((await hook.json()) as { id: string }).id);
  });

  logStep('h: consumer started, draining');
  const consumer = startConsumer();
  const started = performance.now();
  const state = await pollDrain(started);
  const processed = await metricByLabel(consumer, 'consumer_events_processed_total', 'group').catch(() => ({}) as Record<string, number>);
  const duplicates = await metricByLabel(consumer, 'consumer_events_duplicate_total', 'group').catch(() => ({}) as Record<string, number>);
  await stopService(consumer.service);
  await forEachConcurrently(hookIds, 8, async (id) => {
    await (await fetch(`${api.baseUrl}/api/v1/webhooks/${id}`, { method: 'DELETE', headers: adminHeaders() })).arrayBuffer();
  });
  return GROUP_TYPES.map((type, i) => {
    const s = state[i];
    const end = s.doneAt ?? performance.now();
    const fromJoin = (end - (s.stableAt ?? started)) / 1000;
    const drainedEvents = s.backlog - (s.doneAt ? 0 : s.lastLag);
    return {
      group: type,
      backlog: s.backlog,
      secondsFromJoin: fromJoin,
      secondsFromStart: (end - started) / 1000,
      eventsPerSecond: drainedEvents / fromJoin,
      drained: s.doneAt !== undefined,
      processed: processed[type] ?? processed[groupIds()[i]],
      duplicates: duplicates[type] ?? duplicates[groupIds()[i]],
    };
  });
}

// A change to each seeded route with these indexes (modulo the seeded set): a URL ending in
// `<label>-<pass>`, new for the route, so every change is an event.
async function makeChanges(api: Target, label: string, indexes: number[]): Promise<void> {
  const changes = indexes.map((i) => {
    const key = routeKey(SEEDED, i % settings.totalRoutes);
    return writeRequest(
      key,
      `https://${key.service}-${key.version}.${key.tenant}.bench.example.com/${label}-${Math.floor(i / settings.totalRoutes)}`,
    );
  });
  let failed = 0;
  await forEachConcurrently(changes, 32, async (r) => {
    const res = await fetch(`${api.baseUrl}${r.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...trafficHeaders() },
      body: r.body,
    });
    await res.arrayBuffer();
    if (!res.ok) failed++;
  });
  if (failed > 0) throw new Error(`${failed} of ${indexes.length} changes failed`);
}

// Production stores are long-running servers; the local ones may have started seconds ago (the
// MongoDB stand-in is a JVM: in a first drain after its start the audit group ran at ~1,000
// events/s, ~1,450 once its JIT had compiled the insert path). So before the backlog is made, a
// consumer drains BENCH_DRAIN_WARMUP changes to other routes and stops, committing its offsets; the
// measured drain then starts a new consumer process (cold, as after a deploy) for the same groups.
async function warmUpDrain(api: Target): Promise<void> {
  logStep(`h: warm-up, ${settings.drainWarmup.toLocaleString('en')} changes drained unmeasured`);
  const before = await topicMessages();
  // Counted back from the last seeded route, so they are other routes than the backlog's.
  await makeChanges(
    api,
    'warmup',
    range(0, settings.drainWarmup, (i) => settings.drainWarmup - 1 - i + Math.max(0, settings.totalRoutes - settings.drainWarmup)),
  );
  await waitFor('the outbox relay to publish the warm-up', 120, async () => (await topicMessages()) >= before + settings.drainWarmup);
  const { consumer } = await startCaughtUpConsumer();
  await stopService(consumer.service);
  // The measured drain starts from an empty audit trail, as without the warm-up (the stand-in's
  // inserts get slower as a collection grows: its H2 indexes compare keys by serializing them).
  await dropAuditDb();
}

interface DrainState {
  backlog: number;
  lastLag: number;
  stableAt?: number;
  doneAt?: number;
}

async function pollDrain(started: number): Promise<DrainState[]> {
  const ids = groupIds();
  const backlog = await Promise.all(ids.map(groupLag));
  const state: DrainState[] = backlog.map((b) => ({ backlog: b, lastLag: b }));
  const admin = await kafkaAdmin();
  const deadline = started + settings.drainTimeoutSeconds * 1000;
  while (state.some((s) => s.doneAt === undefined) && performance.now() < deadline) {
    const [lags, described] = await Promise.all([Promise.all(ids.map(groupLag)), admin.describeGroups(ids).catch(() => undefined)]);
    const now = performance.now();
    ids.forEach((id, i) => {
      const s = state[i];
      s.lastLag = lags[i];
      const group = described?.groups.find((g) => g.groupId === id);
      if (s.stableAt === undefined && (group?.state === 'Stable' || lags[i] < s.backlog)) s.stableAt = now;
      if (s.doneAt === undefined && lags[i] === 0) s.doneAt = now;
    });
    await sleep(100);
  }
  return state;
}

// A and B serve the same route; each round changes its URL through A and polls B (every 2 ms) until B
// answers with the new URL. Measured from A's answer (the commit is behind it) to B's first new answer.
export async function propagation(a: Target, b: Target): Promise<Propagation> {
  logStep(`i: propagation A → B, ${settings.propagationRounds} changes`);
  const key = routeKey('bench-p', 0);
  const query = `${b.baseUrl}/api/v1/routes/resolve?tenant=${key.tenant}&service=${key.service}&env=${key.env}&version=${key.version}`;
  const change = async (url: string) => {
    const r = writeRequest(key, url);
    const res = await fetch(`${a.baseUrl}${r.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...trafficHeaders() },
      body: r.body,
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`change through A failed with ${res.status}`);
  };
  const servedByB = async (url: string, timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const res = await fetch(query, { headers: trafficHeaders() });
      const body = (await res.json()) as { url?: string };
      if (body.url === url) return true;
      await sleep(2);
    }
    return false;
  };
  await change('https://prop-start.bench.example.com');
  if (!(await servedByB('https://prop-start.bench.example.com', 10_000))) throw new Error('B never served the route created through A');

  const delays: number[] = [];
  const writes: number[] = [];
  let timeouts = 0;
  for (let round = 0; round < settings.propagationRounds; round++) {
    const url = `https://prop-${round}.bench.example.com`;
    const sent = performance.now();
    await change(url);
    const committed = performance.now();
    const served = await servedByB(url, 5000);
    if (!served) timeouts++;
    delays.push(performance.now() - committed);
    writes.push(committed - sent);
    await sleep(20 + Math.random() * 30);
  }
  return {
    rounds: delays.length,
    p50Ms: percentile(delays, 50),
    p99Ms: percentile(delays, 99),
    maxMs: Math.max(...delays),
    timeouts,
    writeP50Ms: percentile(writes, 50),
  };
}

// Before propagation: the restarted consumer catches up with the write scenario's events first.
export async function startCaughtUpConsumer(): Promise<{ consumer: Target; caughtUp: boolean }> {
  const consumer = startConsumer();
  await waitConsumerReady(consumer);
  const caughtUp = await waitFor(
    'the consumer to catch up',
    180,
    async () => (await Promise.all(groupIds().map(groupLag))).every((l) => l === 0),
    false,
  );
  return { consumer, caughtUp };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function waitFor(what: string, seconds: number, check: () => Promise<boolean>, required = true): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(200);
  }
  if (required) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
  logStep(`gave up after ${seconds} s waiting for ${what}`);
  return false;
}
