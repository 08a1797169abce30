import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { cpus } from 'os';
import { join } from 'path';
import { LOG_DIR, ROOT, settings } from './config';
import { MemoryMb, NODE_FLAGS } from './processes';
import { Generator } from './load';
import { GroupDrain, Propagation } from './pipeline';
import { LoadScenario } from './scenarios';

// One table on stdout and the same figures in bench/results/<date>.json, each target of issue 8
// marked met or MISSED.
export interface Results {
  generator: Generator;
  scenarios: LoadScenario[];
  drain?: GroupDrain[];
  propagation?: Propagation;
  memory?: Record<string, MemoryMb>;
  notes: string[];
}

interface Check {
  scenario: string;
  target: string;
  measured: string;
  met: boolean;
}

const fixed = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));
const whole = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en'));

function checks(r: Results): Check[] {
  const by = (id: string) => r.scenarios.find((s) => s.id === id)?.load;
  const ceiling = by('ceiling');
  const hot = by('resolve_hot');
  const all = by('resolve_all_routes');
  const writes = by('writes');
  const out: Check[] = [];
  if (ceiling && hot) {
    const ratio = hot.rps / ceiling.rps;
    const cpu = hot.cpuUsPerRequest / ceiling.cpuUsPerRequest;
    out.push({ scenario: 'resolve_hot', target: '≥ 0.50× ceiling req/s', measured: `${ratio.toFixed(2)}×`, met: ratio >= 0.5 });
    out.push({ scenario: 'resolve_hot', target: 'CPU/request ≤ 2× ceiling', measured: `${cpu.toFixed(1)}×`, met: cpu <= 2 });
    out.push({
      scenario: 'resolve_hot',
      target: `p99 ≤ 10 ms at 64 connections`,
      measured: `${fixed(hot.p99Ms)} ms at ${hot.connections}`,
      met: hot.p99Ms <= 10 && hot.connections >= 64,
    });
  }
  // Against the hot set measured right after it on the same process when there is one (same moment);
  // the headline's hot row otherwise (older results).
  const hotAfter = by('resolve_hot_adjacent') ?? hot;
  if (hotAfter && all) {
    const ratio = all.rps / hotAfter.rps;
    const against = hotAfter === hot ? 'hot set' : 'hot set right after';
    const headline = hot && hotAfter !== hot ? ` (headline hot row: ${(all.rps / hot.rps).toFixed(2)}×)` : '';
    out.push({
      scenario: 'resolve_all_routes',
      target: `within 10 % of ${against}`,
      measured: `${ratio.toFixed(2)}×${headline}`,
      met: ratio >= 0.9,
    });
  }
  if (writes) {
    out.push({ scenario: 'writes', target: '≥ 1,000 changes/s', measured: `${whole(writes.rps)}/s`, met: writes.rps >= 1000 });
    out.push({
      scenario: 'writes',
      target: 'p99 ≤ 50 ms at 16 connections',
      measured: `${fixed(writes.p99Ms)} ms at ${writes.connections}`,
      met: writes.p99Ms <= 50 && writes.connections >= 16,
    });
  }
  for (const g of r.drain ?? []) {
    out.push({
      scenario: `drain_${g.group}`,
      target: '≥ 1,000 events/s',
      measured: `${whole(g.eventsPerSecond)}/s`,
      met: g.drained && g.eventsPerSecond >= 1000,
    });
  }
  if (r.propagation) {
    const p = r.propagation;
    out.push({ scenario: 'propagation', target: 'p99 ≤ 200 ms', measured: `${fixed(p.p99Ms)} ms`, met: p.p99Ms <= 200 && p.timeouts === 0 });
  }
  const api = r.memory?.api;
  if (api) out.push({ scenario: 'rss', target: 'API RSS ≤ 250 MB', measured: `${fixed(api.rss, 0)} MB`, met: api.rss <= 250 });
  return out;
}

export function printTable(r: Results): void {
  const all = checks(r);
  const verdicts = (id: string) =>
    all
      .filter((c) => c.scenario === id)
      .map((c) => `${c.met ? 'met' : 'MISSED'} ${c.target}`)
      .join('; ');
  const ceiling = r.scenarios.find((s) => s.id === 'ceiling')?.load;
  const header = ['scenario', 'conns', 'req/s', '× ceil', 'p50 ms', 'p99 ms', 'CPU µs/req', 'CPU × ceil', 'errors', 'targets'];
  const rows: string[][] = r.scenarios.map(({ id, label, load }) => [
    label,
    String(load.connections),
    whole(load.rps),
    ceiling ? fixed(load.rps / ceiling.rps, 2) : '–',
    fixed(load.p50Ms, 2),
    fixed(load.p99Ms, 2),
    fixed(load.cpuUsPerRequest, 0),
    ceiling ? fixed(load.cpuUsPerRequest / ceiling.cpuUsPerRequest, 1) : '–',
    String(load.unexpected),
    verdicts(id),
  ]);
  for (const g of r.drain ?? []) {
    const label = `drain ${g.group} (${whole(g.backlog)} events)`;
    const info = `${fixed(g.secondsFromJoin, 2)} s after join, ${fixed(g.secondsFromStart, 1)} s after start${g.drained ? '' : ', NOT DRAINED'}`;
    rows.push([label, '', `${whole(g.eventsPerSecond)} ev/s`, '', '', '', '', '', '', `${verdicts(`drain_${g.group}`)} (${info})`]);
  }
  if (r.propagation) {
    const p = r.propagation;
    const info = `${p.rounds} changes, max ${fixed(p.maxMs)} ms, ${p.timeouts} timeouts`;
    rows.push([
      'propagation A → B (commit → served)',
      '',
      '',
      '',
      fixed(p.p50Ms, 2),
      fixed(p.p99Ms, 2),
      '',
      '',
      String(p.timeouts),
      `${verdicts('propagation')} (${info})`,
    ]);
  }
  for (const [name, m] of Object.entries(r.memory ?? {})) {
    const verdict = name === 'api' ? `${verdicts('rss')} ` : '';
    rows.push([
      `RSS ${name} after the run`,
      '',
      `${fixed(m.rss, 0)} MB`,
      '',
      '',
      '',
      '',
      '',
      '',
      `${verdict}(peak ${fixed(m.peak, 0)} MB; anonymous ${fixed(m.anon, 0)} MB, file-backed ${fixed(m.file, 0)} MB)`,
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const out = process.stdout;
  out.write(
    `\nTraffic Manager bench: ${r.generator.name} ${r.generator.version}, ${settings.seconds} s per scenario after ${settings.warmupSeconds} s warm-up\n\n`,
  );
  out.write(`${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) out.write(`${line(row)}\n`);
  const met = all.filter((c) => c.met).length;
  out.write(`\ntargets met: ${met} of ${all.length}\n`);
  for (const s of r.scenarios) for (const n of s.notes) out.write(`  ${s.id}: ${n}\n`);
  for (const n of r.notes) out.write(`  ${n}\n`);
}

export function writeJson(r: Results, partial = false): string {
  const dir = partial ? join(LOG_DIR, 'results') : join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const now = new Date();
  let file = join(dir, `${now.toISOString().slice(0, 10)}.json`);
  if (existsSync(file)) file = join(dir, `${now.toISOString().slice(0, 16).replace(':', '-')}.json`);
  const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT }).toString().trim();
  const report = {
    date: now.toISOString(),
    git: { commit: git(['rev-parse', 'HEAD']), dirty: git(['status', '--porcelain', '--', 'src', 'migrations']) !== '' },
    node: process.version,
    // Flags every process was started with (package.json's, plus BENCH_NODE_FLAGS when set).
    node_flags: NODE_FLAGS,
    machine: { cpus: cpus().length, model: cpus()[0]?.model },
    generator: { name: r.generator.name, version: r.generator.version },
    settings,
    scenarios: r.scenarios.map(({ id, label, load, notes }) => ({ id, label, ...load, notes })),
    consumer_drain: r.drain,
    propagation: r.propagation,
    memory_mb: r.memory,
    targets: checks(r),
    notes: r.notes,
  };
  const rounded = (_: string, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(3)) : v);
  writeFileSync(file, `${JSON.stringify(report, rounded, 2)}\n`);
  return file;
}
