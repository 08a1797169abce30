import { execFile } from 'child_process';
import { chown, mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { promisify } from 'util';
import { freePort } from './ports';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const BIN = '/usr/lib/postgresql/15/bin';
const ROLE = 'traffic_manager';

// A PostgreSQL 15 cluster of its own (initdb in a temporary directory, its own port, trust auth,
// no fsync) with the real migrations applied, for tests that stop and start the database. initdb
// and postgres refuse to run as root, so every server command runs as the `postgres` OS user.
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    readonly database: string,
  ) {}

  static async create(database = 'traffic_manager_faults'): Promise<PrivatePostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'tm-faults-pg-'));
    const [uid, gid] = await Promise.all(['-u', '-g'].map(async (flag) => Number((await run('id', [flag, 'postgres'])).stdout.trim())));
    await chown(dir, uid, gid);
    const pg = new PrivatePostgres(await freePort(), dir, database);
    try {
      await pg.asPostgres('initdb', ['-D', pg.dataDir, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      await pg.start();
      await pg.admin(async (db) => {
        await db.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE}'`);
        await db.query(`CREATE DATABASE ${database} OWNER ${ROLE}`);
      });
      await run('npx', ['typeorm-ts-node-commonjs', 'migration:run', '-d', 'ormconfig.ts'], {
        cwd: ROOT,
        env: { ...process.env, ...pg.env() },
        timeout: 180_000,
      });
    } catch (err) {
      await pg.destroy();
      throw err;
    }
    return pg;
  }

  // What an app (or the migration CLI) needs to use this cluster instead of the shared one.
  env(): Record<string, string> {
    return { DB_HOST: '127.0.0.1', DB_PORT: String(this.port), DB_NAME: this.database, DB_USER: ROLE, DB_PASSWORD: ROLE };
  }

  async connect(): Promise<Client> {
    const client = new Client({ host: '127.0.0.1', port: this.port, database: this.database, user: ROLE });
    await client.connect();
    return client;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50`;
    await this.asPostgres('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  }

  // A fast shutdown: every connection is terminated, as when the database goes away for real.
  async stop(): Promise<void> {
    await this.asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private async admin(work: (db: Client) => Promise<void>): Promise<void> {
    const db = new Client({ host: '127.0.0.1', port: this.port, database: 'postgres', user: 'postgres' });
    await db.connect();
    try {
      await work(db);
    } finally {
      await db.end();
    }
  }

  private async asPostgres(command: string, args: string[]): Promise<void> {
    await run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { cwd: this.dir, timeout: 120_000 });
  }
}
