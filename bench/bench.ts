/*
 * npm run bench: the whole benchmark of issue 8 in one run (see bench/README.md).
 *   BENCH_SECONDS=3 BENCH_WARMUP_SECONDS=1 npm run bench      # a quick run
 */
import { allocatePorts, ports, settings } from './config';
import { chooseGenerator } from './load';
import { drainBacklog, groupIds, propagation, startCaughtUpConsumer } from './pipeline';
import { killAllNow, logStep, memoryMb, stopAll, stopService } from './processes';
import { printTable, Results, writeJson } from './report';
import * as scenario from './scenarios';
import { heapNote, mallocTrimNote, startApi, startCeiling } from './stack';
import { createTrafficKey } from './auth';
import { prepareInfrastructure, removeRunResources, resetStores, seedTenants } from './stores';

// BENCH_ONLY=writes,propagation runs only those steps (for working on one figure); its result goes to
// .tmp/bench/results, not bench/results, and the targets it did not measure are left out.
const STEPS = ['headline', 'no-local-tier', 'all-routes', 'missing', 'cold', 'drain', 'writes', 'propagation', 'watch'] as const;
type Step = (typeof STEPS)[number];

function chosenSteps(): Set<Step> {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return new Set(STEPS);
  const asked = raw.split(',').map((s) => s.trim());
  const unknown = asked.filter((s) => !(STEPS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown step(s) ${unknown.join(', ')}; the steps are ${STEPS.join(', ')}`);
  return new Set(asked as Step[]);
}

async function run(): Promise<void> {
  const steps = chosenSteps();
  const partial = steps.size < STEPS.length;
  await allocatePorts();
  const generator = chooseGenerator();
  logStep(`load generator: ${generator.name} ${generator.version}`);
  const buildNotes = prepareInfrastructure(settings.skipBuild);
  await resetStores();
  logStep(`seeding ${settings.totalRoutes.toLocaleString('en')} routes`);
  await seedTenants(scenario.SEEDED, 0, settings.totalRoutes / 1000);
  const results: Results = { generator, scenarios: [], notes: buildNotes };
  if (partial) results.notes.push(`partial run, BENCH_ONLY=${[...steps].join(',')}`);

  const a = await startApi('api-a', ports.apiA);
  await createTrafficKey(a.baseUrl);
  // API A's RSS after each step, so a reader sees which load grew it (RSS rarely shrinks again).
  const rssSteps: string[] = [];
  const rssAfter = (step: string) => rssSteps.push(`${step} ${Math.round(memoryMb(a.pid).rss)}`);
  rssAfter('started');
  if (steps.has('headline')) {
    const ceiling = await startCeiling();
    results.scenarios.push(...(await scenario.headline(generator, ceiling, a)));
    await stopService(ceiling.service);
    rssAfter('hot set');
  }
  if (steps.has('no-local-tier')) {
    const noLocalCache = await startApi('api-no-local-cache', ports.apiNoLocalCache, { RESOLVE_LOCAL_CACHE_ENABLED: 'false' });
    results.scenarios.push(await scenario.resolveHotNoLocalTier(generator, noLocalCache));
    await stopService(noLocalCache.service);
  }
  if (steps.has('all-routes')) {
    results.scenarios.push(...(await scenario.resolveAllRoutes(generator, a)));
    rssAfter('100k routes');
  }
  if (steps.has('missing')) {
    results.scenarios.push(await scenario.resolveMissing(generator, a));
    rssAfter('missing');
  }
  if (steps.has('cold')) {
    results.scenarios.push(await scenario.resolveCold(generator, a));
    rssAfter('cold');
  }
  if (steps.has('drain')) {
    results.drain = await drainBacklog(a);
    rssAfter('backlog');
  }
  if (steps.has('writes')) {
    results.scenarios.push(await scenario.writes(generator, a));
    rssAfter('writes');
  }

  if (steps.has('propagation')) {
    logStep('i: second API instance and the consumer for propagation');
    const b = await startApi('api-b', ports.apiB);
    const { consumer, caughtUp } = await startCaughtUpConsumer();
    if (!caughtUp) results.notes.push('propagation started before the consumer had caught up with the write scenario');
    results.propagation = await propagation(a, b);
    rssAfter('propagation');
    if (!partial) {
      logStep('j: memory');
      results.memory = { api: memoryMb(a.pid), api_b: memoryMb(b.pid), consumer: memoryMb(consumer.pid) };
      results.notes.push(await heapNote(a));
      results.notes.push(await mallocTrimNote(a));
    }
  }
  // Not part of issue 8's list, so after its memory figures: the write path with watch streams open.
  if (steps.has('watch')) {
    results.scenarios.push(await scenario.writesWatched(generator, a));
    rssAfter('watched writes (after the memory figures)');
  }
  results.notes.push(`API RSS (MB) after each step: ${rssSteps.join(', ')}`);
  printTable(results);
  const file = writeJson(results, partial);
  process.stdout.write(`\nwritten: ${file}\n`);
}

let cleaning: Promise<void> | undefined;
let interrupted = false;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    logStep('stopping everything the bench started');
    await stopAll();
    await removeRunResources(groupIds());
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (cleaning) {
      killAllNow();
      process.exit(130);
    }
    interrupted = true;
    logStep(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', killAllNow);
// kafkajs 2.2.4's admin client schedules a negative timeout, which Node 24 reports; it is harmless.
process.removeAllListeners('warning');
process.on('warning', (w) => w.name !== 'TimeoutNegativeWarning' && process.stderr.write(`${w.name}: ${w.message}\n`));

run()
  .then(cleanup)
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    if (!interrupted) process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    await cleanup();
    process.exit(1);
  });
