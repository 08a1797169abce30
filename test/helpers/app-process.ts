import { ChildProcess, execFile, spawn } from 'child_process';
import { existsSync } from 'fs';
import { readdir, stat, writeFile } from 'fs/promises';
import { join } from 'path';
import { promisify } from 'util';
import { HttpClient } from './http';
import { freePort } from './ports';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
// A build of its own: `dist/` belongs to `npm run build` and the smoke test, which may be using it
// right now, and `nest build` empties it first.
const BUILD_DIR = join(ROOT, '.tmp', 'faults-build');
const STAMP = join(BUILD_DIR, '.built-at');
// The flags `npm run start:prod` and `start:consumer:prod` run with.
const NODE_FLAGS = ['--max-semi-space-size=16', '--max-old-space-size=256'];

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestMtime(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

// Compiles src/ and migrations/ (tsconfig.build.json) unless the build is newer than every source.
export async function ensureBuild(): Promise<void> {
  const sources = Math.max(await newestMtime(join(ROOT, 'src')), await newestMtime(join(ROOT, 'migrations')));
  if (existsSync(STAMP) && (await stat(STAMP)).mtimeMs > sources) return;
  const startedAt = new Date();
  try {
    await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR], { cwd: ROOT, timeout: 300_000 });
  } catch (err) {
    // Type errors still emit JavaScript (noEmitOnError is off); only a build without output is fatal.
    if (!existsSync(join(BUILD_DIR, 'src', 'main.js'))) throw err;
  }
  await writeFile(STAMP, startedAt.toISOString());
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// One built entry point (`main` or `consumer`) running as a real process, so tests can send it
// real signals and see its real exit code.
export class AppProcess {
  readonly exited: Promise<Exit>;
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly http: HttpClient,
  ) {
    const append = (chunk: Buffer) => (this.output = (this.output + chunk.toString('utf8')).slice(-20_000));
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  // `port` goes to API_PORT or CONSUMER_PORT; everything else comes from this test process's env
  // (test database, e2e topic and audit database) plus `env`.
  static async start(entry: 'main' | 'consumer', env: Record<string, string>): Promise<AppProcess> {
    await ensureBuild();
    const port = await freePort();
    const portVar = entry === 'main' ? 'API_PORT' : 'CONSUMER_PORT';
    const child = spawn(process.execPath, [...NODE_FLAGS, join(BUILD_DIR, 'src', `${entry}.js`)], {
      cwd: ROOT,
      env: { ...process.env, API_HOST: '127.0.0.1', LOG_LEVEL: 'INFO', ...env, [portVar]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(child, new HttpClient(`http://127.0.0.1:${port}`));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  // The last lines the process wrote, for failure messages.
  get log(): string {
    return this.output;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  // Cleanup only: makes sure nothing outlives the test, whatever state it is in.
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}
