import { execFile } from 'child_process';
import { rm } from 'fs/promises';
import { join } from 'path';
import { promisify } from 'util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'infra.sh');

// A second Kafka broker of this checkout (scripts/infra.sh KAFKA_INSTANCE), on its own ports and with
// an empty data directory, started when a test says so: what a new machine's broker looks like.
export class PrivateKafka {
  constructor(
    readonly name: string,
    readonly port: number,
  ) {}

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  async wipe(): Promise<void> {
    await this.stop();
    await rm(join(ROOT, '.tmp', `kafka-${this.name}`), { recursive: true, force: true });
  }

  async start(): Promise<void> {
    await run('bash', [SCRIPT, 'up', 'kafka'], { env: this.env(), timeout: 180_000 });
  }

  async stop(): Promise<void> {
    await run('bash', [SCRIPT, 'stop', 'kafka'], { env: this.env(), timeout: 120_000 });
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_INSTANCE: this.name,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.port + 1),
    };
  }
}
