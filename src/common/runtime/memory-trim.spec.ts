import { execFileSync } from 'child_process';
import { join } from 'path';
import { MemoryTrimDeps, MemoryTrimPolicy } from './memory-trim';

const MB = 1024 * 1024;

// A process whose load and RSS the test sets between checks.
function fakeProcess(startRssMb: number) {
  const state = { busy: 0, rssMb: startRssMb, releaseTo: undefined as number | undefined, fail: false, releases: 0, clock: 0 };
  const deps: MemoryTrimDeps = {
    busyShare: () => state.busy,
    residentBytes: () => state.rssMb * MB,
    release: async () => {
      state.releases += 1;
      state.clock += 120;
      if (state.fail) throw new Error('inspector unavailable');
      if (state.releaseTo !== undefined) state.rssMb = state.releaseTo;
    },
    now: () => state.clock,
  };
  return { state, deps };
}

describe('MemoryTrimPolicy', () => {
  const options = { idleBusyShare: 0.1, minGrowthBytes: 32 * MB };

  it('should give memory back once the process is idle after it grew', async () => {
    const { state, deps } = fakeProcess(170);
    const policy = new MemoryTrimPolicy(options, deps);
    state.rssMb = 270;
    state.releaseTo = 190;

    expect(await policy.check()).toEqual({ result: 'trimmed', beforeBytes: 270 * MB, afterBytes: 190 * MB, pauseMs: 120, busyShare: 0 });
    expect(state.releases).toBe(1);
  });

  it('should never collect under load, however much RSS grew', async () => {
    const { state, deps } = fakeProcess(170);
    const policy = new MemoryTrimPolicy(options, deps);
    state.rssMb = 400;
    for (const busy of [1, 0.5, 0.11]) {
      state.busy = busy;
      expect(await policy.check()).toBeUndefined();
    }
    expect(state.releases).toBe(0);
    state.busy = 0.1;
    expect(await policy.check()).toMatchObject({ result: 'trimmed' });
  });

  it('should not collect for growth below the threshold', async () => {
    const { state, deps } = fakeProcess(170);
    const policy = new MemoryTrimPolicy(options, deps);
    state.rssMb = 201;
    expect(await policy.check()).toBeUndefined();
    state.rssMb = 202;
    expect(await policy.check()).toMatchObject({ result: 'trimmed' });
  });

  it('should measure growth from what the last collection left, so live memory is not collected again and again', async () => {
    const { state, deps } = fakeProcess(170);
    const policy = new MemoryTrimPolicy(options, deps);
    state.rssMb = 300;
    state.releaseTo = 290; // most of it was live
    expect(await policy.check()).toMatchObject({ result: 'trimmed', afterBytes: 290 * MB });
    state.rssMb = 300;
    expect(await policy.check()).toBeUndefined();
    state.rssMb = 322;
    expect(await policy.check()).toMatchObject({ result: 'trimmed' });
    expect(state.releases).toBe(2);
  });

  it('should measure growth from the lowest RSS seen, when memory went down on its own', async () => {
    const { state, deps } = fakeProcess(200);
    const policy = new MemoryTrimPolicy(options, deps);
    state.rssMb = 180;
    expect(await policy.check()).toBeUndefined();
    state.rssMb = 212; // 32 MB above the low point, 12 above the start
    expect(await policy.check()).toMatchObject({ result: 'trimmed', beforeBytes: 212 * MB });
  });

  it('should report a failure and not try again until RSS grows by the threshold once more', async () => {
    const { state, deps } = fakeProcess(170);
    const policy = new MemoryTrimPolicy(options, deps);
    state.rssMb = 250;
    state.fail = true;
    const outcome = await policy.check();
    expect(outcome).toMatchObject({ result: 'failed', pauseMs: 120 });
    expect(outcome?.result === 'failed' && outcome.error.message).toBe('inspector unavailable');
    expect(await policy.check()).toBeUndefined();
    state.rssMb = 282;
    state.fail = false;
    expect(await policy.check()).toMatchObject({ result: 'trimmed' });
  });

  it('should not start a second collection while one is running', async () => {
    const { state, deps } = fakeProcess(170);
    let finish: () => void = () => undefined;
    deps.release = () => new Promise<void>((resolve) => (finish = resolve));
    const policy = new MemoryTrimPolicy(options, deps);
    state.rssMb = 250;
    const first = policy.check();
    expect(await policy.check()).toBeUndefined();
    finish();
    expect(await first).toMatchObject({ result: 'trimmed' });
  });
});

// The real thing, in a process of its own: garbage is dropped, V8 keeps the pages, and the inspector
// collection gives them back. Twice, then a normal exit: disconnecting the inspector session inside its
// own callback once deadlocked the main thread, which would hang this child until the timeout.
describe('collectAllAvailableGarbage', () => {
  it('should give a dropped heap back to the OS, and leave the process able to run and exit', () => {
    const script = `
      const { collectAllAvailableGarbage, residentBytes } = require('./src/common/runtime/memory-trim');
      let garbage = [];
      for (let i = 0; i < 200000; i++) garbage.push({ id: i, name: 'route-' + i, tags: [i, i + 1, i + 2] });
      const grown = residentBytes();
      garbage = undefined;
      (async () => {
        await collectAllAvailableGarbage();
        const first = residentBytes();
        await collectAllAvailableGarbage();
        setTimeout(() => process.stdout.write(JSON.stringify({ grown, first })), 10);
      })();`;
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: join(__dirname, '..', '..', '..'),
      timeout: 60_000,
      encoding: 'utf8',
    });
    const { grown, first } = JSON.parse(out) as { grown: number; first: number };
    expect(grown - first).toBeGreaterThan(20 * MB);
  });
});
