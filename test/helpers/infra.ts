import { execFile } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'infra.sh');

// Real outages: stops and restarts the project's own Kafka broker or MongoDB wire server.
export async function stopService(service: 'kafka' | 'mongo'): Promise<void> {
  await run('bash', [SCRIPT, 'stop', service], { timeout: 120_000 });
}

export async function startService(service: 'kafka' | 'mongo'): Promise<void> {
  await run('bash', [SCRIPT, 'start', service], { timeout: 180_000 });
}
