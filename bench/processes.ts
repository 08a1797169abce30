import { ChildProcess, execFileSync, spawn } from 'child_process';
import { mkdirSync, openSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { LOG_DIR, ROOT } from './config';

// The processes the bench starts, each in its own process group so that stopping it stops all it
// started; stopAll() runs on success, failure and Ctrl-C.
export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
  log: string;
}

// The same V8 memory flags as `npm run start:prod` (package.json), so RSS is measured as deployed.
// BENCH_NODE_FLAGS adds flags for a profiling run, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (Node
// refuses --cpu-prof in NODE_OPTIONS); such a run's figures are not comparable.
export const NODE_FLAGS = [
  '--max-semi-space-size=16',
  '--max-old-space-size=256',
  ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
];
const running = new Set<Service>();
const helpers = new Set<ChildProcess>(); // short-lived tools such as wrk
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export function startService(name: string, args: string[], env: NodeJS.ProcessEnv): Service {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = join(LOG_DIR, `${name}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(process.execPath, [...NODE_FLAGS, ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', fd, fd] });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const service = { name, child, pid: child.pid, log };
  running.add(service);
  child.once('exit', () => running.delete(service));
  return service;
}

export async function stopService(service: Service, timeoutMs = 15_000): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return void running.delete(service);
  const exited = new Promise<void>((resolve) => service.child.once('exit', () => resolve()));
  signal(service, 'SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    signal(service, 'SIGKILL');
    await exited;
  }
  running.delete(service);
}

export function trackHelper(child: ChildProcess): void {
  helpers.add(child);
  child.once('exit', () => helpers.delete(child));
}

export async function stopAll(): Promise<void> {
  for (const child of helpers) child.kill('SIGTERM');
  await Promise.all([...running].map((s) => stopService(s)));
}

// Last resort when the bench itself is exiting and cannot wait any more.
export function killAllNow(): void {
  for (const child of helpers) child.kill('SIGKILL');
  for (const service of running) signal(service, 'SIGKILL');
}

function signal(service: Service, sig: NodeJS.Signals): void {
  try {
    process.kill(-service.pid, sig);
  } catch {
    // already gone
  }
}

export async function waitForHttp(service: Service, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited (code ${service.child.exitCode}); see ${service.log}`);
    const res = await fetch(url).catch(() => null);
    await res?.arrayBuffer();
    await sleep(res?.ok ? 50 : 250);
    // A 200 counts only while our process is alive: another program may hold the port.
    if (res?.ok && service.child.exitCode === null) return;
  }
  throw new Error(`${service.name} not ready at ${url} after ${timeoutMs / 1000} s; see ${service.log}`);
}

// CPU seconds (user + system, all threads) the process has used so far, from /proc/<pid>/stat.
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

// CPU used by every process of the named programs (/proc/<pid>/comm, e.g. "postgres") between start()
// and stop(), summed per program: what the rest of the machine spends on the measured load. A process
// that exits before stop() is not counted (PostgreSQL's pooled backends stay); one started meanwhile
// counts from its start. Empty where /proc shows none of them (a database in a container elsewhere).
export class ProgramCpu {
  private before = new Map<number, { comm: string; seconds: number }>();

  constructor(private readonly programs: readonly string[]) {}

  start(): void {
    this.before = this.snapshot();
  }

  stop(): Record<string, number> {
    const used: Record<string, number> = {};
    for (const [pid, now] of this.snapshot()) {
      used[now.comm] = (used[now.comm] ?? 0) + now.seconds - (this.before.get(pid)?.seconds ?? 0);
    }
    return used;
  }

  private snapshot(): Map<number, { comm: string; seconds: number }> {
    const found = new Map<number, { comm: string; seconds: number }>();
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        if (this.programs.includes(comm)) found.set(pid, { comm, seconds: cpuSeconds(pid) });
      } catch {
        // gone meanwhile
      }
    }
    return found;
  }
}

export interface MemoryMb {
  rss: number;
  peak: number;
  // RSS split: anonymous memory (V8 heap, malloc) and file-backed pages (mostly the node binary's
  // code and read-only data touched so far), which no setting of ours changes.
  anon: number;
  file: number;
}

export function memoryMb(pid: number): MemoryMb {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function logStep(message: string): void {
  process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}
