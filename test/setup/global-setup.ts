import { execFileSync } from 'child_process';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');

// Starts whatever infrastructure is not running yet (idempotent) and applies the real migrations
// to the test database, exactly as an operator would with `npm run migration:run`.
export default async function globalSetup(): Promise<void> {
  process.env.TM_E2E_STARTED_AT = String(Date.now()); // for global-teardown.ts
  execFileSync('bash', [join(ROOT, 'scripts', 'infra.sh'), 'up'], { cwd: ROOT, stdio: 'inherit' });
  const env = { ...process.env, DB_NAME: process.env.TEST_DB_NAME ?? 'traffic_manager_test' };
  execFileSync('npx', ['typeorm-ts-node-commonjs', 'migration:run', '-d', 'ormconfig.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
