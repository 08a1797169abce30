import pino, { LoggerOptions } from 'pino';
import { Writable } from 'stream';
import { buildLoggerParams } from './logging.options';

// The logger the processes build (nestjs-pino's pinoHttp options), writing to a capture.
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const options = buildLoggerParams('debug', 'test').pinoHttp as LoggerOptions;
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
