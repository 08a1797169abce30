import { ChildProcess, spawn } from 'child_process';
import { freePort } from './ports';
import { redisClient } from './redis';

// A redis-server of its own (no persistence: a restart comes back empty, like a replaced node) that
// a test can kill and start again on the same port. stop() may be called any number of times.
export class PrivateRedis {
  private process?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.process = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const probe = redisClient(this.port);
    probe.on('error', () => undefined);
    try {
      for (let i = 0; i < 200; i++) {
        if (await probe.ping().catch(() => null)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`redis-server on ${this.port} did not start`);
    } finally {
      probe.disconnect();
    }
  }

  // Killed, not shut down: clients see their connections drop, as when a node dies.
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await this.exited;
  }
}
