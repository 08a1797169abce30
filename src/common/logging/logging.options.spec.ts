import pino, { LoggerOptions } from 'pino';
import { Writable } from 'stream';
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildLoggerParams, logDestination } from './logging.options';

// The logger the processes build (nestjs-pino's pinoHttp options), writing to a capture.
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const [options] = buildLoggerParams('debug', 'test').pinoHttp as [LoggerOptions, unknown];
  return { lines, logger: pino(options, stream) };
}

describe('log lines about requests', () => {
  const key = `tm_${'0123456789abcdef'.repeat(2)}_${'s'.repeat(43)}`;

  it('should never print a key, from the headers or the query string', () => {
    const { lines, logger } = capture();
    const req = {
      method: 'GET',
      url: `/api/v1/routes/resolve?tenant=team-a&service=s&env=e&version=v&api_key=${key}`,
      headers: { authorization: `Bearer ${key}`, 'x-api-key': key, host: 'api' },
    };

    logger.info({ req }, 'request completed');
    logger.info({ req: { method: 'GET', url: `/api/v1/routes?tenant=${key}` } }, 'request completed');

    expect(lines.join('')).not.toContain(key);
    expect(JSON.parse(lines[0]).req).toEqual({
      method: 'GET',
      url: '/api/v1/routes/resolve?tenant=team-a&service=s&env=e&version=v&api_key=[REDACTED]',
    });
  });

  it('should never print a key that an object other than the request carries in its headers', () => {
    const { lines, logger } = capture();

    logger.warn({ upstream: { headers: { authorization: `Bearer ${key}`, 'x-api-key': key } } }, 'seen');
    logger.warn({ client: { headers: { Authorization: `Bearer ${key}`, 'X-API-Key': key } } }, 'seen');

    expect(lines.join('')).not.toContain(key);
  });
});

describe('the log destination', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('should gather lines and write them together within the flush interval', async () => {
    const file = join(dir, 'buffered.log');
    const destination = logDestination(150, file);
    destination.write('{"message":"one"}\n');
    destination.write('{"message":"two"}\n');
    await settle(30);
    expect(read(file)).toBe('');
    await settle(400);
    expect(read(file)).toBe('{"message":"one"}\n{"message":"two"}\n');
  });

  it('should write a line as it comes when the interval is 0', async () => {
    const file = join(dir, 'direct.log');
    logDestination(0, file).write('{"message":"now"}\n');
    await settle(50);
    expect(read(file)).toBe('{"message":"now"}\n');
  });

  it('should write what is gathered when the process exits', () => {
    const file = join(dir, 'exit.log');
    const script = `
      const { logDestination } = require(${JSON.stringify(join(__dirname, 'logging.options'))});
      logDestination(60000, ${JSON.stringify(file)}).write('{"message":"last words"}\\n');
      setTimeout(() => process.exit(3), 100);
    `;
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8' });
    expect(run.status).toBe(3);
    expect(read(file)).toBe('{"message":"last words"}\n');
  });

  it('should hand every app of one process the same destination', () => {
    expect(logDestination(100)).toBe(logDestination(100));
  });
});
