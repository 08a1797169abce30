import pino from 'pino';
import { Writable } from 'stream';
import { REDACTED_PATHS, redactKeys, redactRequestUrl, redactUrls, serializeError } from './log-redaction';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: pino({ serializers: { err: serializeError }, redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' } }, stream) };
}

describe(redactKeys.name, () => {
  it.each([
    [`Tenant tm_${'a1'.repeat(16)}_${'Zx-9'.repeat(11)} exceeded the reads limit`, 'Tenant [REDACTED] exceeded the reads limit'],
    [`a tm_${'0'.repeat(32)}_${'A'.repeat(43)} and tm_${'f'.repeat(32)}_${'_'.repeat(43)}`, 'a [REDACTED] and [REDACTED]'],
    ['Tenant team-a exceeded the reads limit', 'Tenant team-a exceeded the reads limit'],
    ['tm_short_key stays', 'tm_short_key stays'],
  ])('should replace generated keys in %s', (text, expected) => {
    expect(redactKeys(text)).toBe(expected);
  });
});

describe(redactUrls.name, () => {
  it.each([
    ['https://svc.example.com/x?token=abc', 'https://svc.example.com/x?[REDACTED]'],
    ['at "http://user:pw@db.internal:5432/app" now', 'at "http://[REDACTED]@db.internal:5432/app" now'],
    ['two: https://a.example.com/?k=1 and ftp://b/x?s=2', 'two: https://a.example.com/?[REDACTED] and ftp://b/x?[REDACTED]'],
    ['no url here', 'no url here'],
  ])('should turn %j into %j', (input, expected) => {
    expect(redactUrls(input)).toBe(expected);
  });
});

describe(serializeError.name, () => {
  it('should keep the SQL text but drop bound parameters, driver details and headers', () => {
    const err = Object.assign(new Error('invalid byte sequence for "https://a.example.com/?token=s3cret"'), {
      query: 'INSERT INTO endpoints (url) VALUES ($1)',
      parameters: ['https://a.example.com/?token=s3cret'],
      driverError: { detail: 'Key (url)=(https://a.example.com/?token=s3cret)' },
      headers: { authorization: 'Bearer s3cret' },
      code: '22021',
    });
    const { lines, logger } = capture();

    logger.error({ err }, 'write failed');

    const line = lines.join('');
    expect(line).not.toContain('s3cret');
    expect(JSON.parse(line).err).toMatchObject({ query: 'INSERT INTO endpoints (url) VALUES ($1)', code: '22021', type: 'Error' });
  });

  it('should redact credential headers wherever a logged object carries them', () => {
    const { lines, logger } = capture();

    logger.warn({ req: { headers: { authorization: 'Basic s3cret', 'x-api-key': 's3cret', accept: '*/*' } } }, 'seen');
    logger.warn({ upstream: { headers: { 'proxy-authorization': 's3cret', cookie: 's3cret' } } }, 'seen');

    expect(lines.join('')).not.toContain('s3cret');
    expect(JSON.parse(lines[0]).req.headers).toEqual({ authorization: '[REDACTED]', 'x-api-key': '[REDACTED]', accept: '*/*' });
  });
});

describe(redactRequestUrl.name, () => {
  const key = `tm_${'0123456789abcdef'.repeat(2)}_${'A'.repeat(43)}`;

  it.each([
    ['/api/v1/routes/resolve?tenant=a&service=b&env=c&version=d', '/api/v1/routes/resolve?tenant=a&service=b&env=c&version=d'],
    ['/health/live', '/health/live'],
    ['/api/v1/routes/resolve?tenant=a&api_key=s3cret', '/api/v1/routes/resolve?tenant=a&api_key=[REDACTED]'],
    ['/x?apikey=s3cret&X-API-Key=s3cret&key=s3cret', '/x?apikey=[REDACTED]&X-API-Key=[REDACTED]&key=[REDACTED]'],
    ['/x?token=s3cret&access%5Ftoken=s3cret&accessToken=s3cret', '/x?token=[REDACTED]&access%5Ftoken=[REDACTED]&accessToken=[REDACTED]'],
    ['/x?authorization=Bearer%20s3cret&auth=s3cret&client_secret=s3cret', '/x?authorization=[REDACTED]&auth=[REDACTED]&client_secret=[REDACTED]'],
    ['/api/v1/audit/recent?changed_by=ci&changed_by_key_id=0b7e', '/api/v1/audit/recent?changed_by=ci&changed_by_key_id=0b7e'],
    [`/api/v1/routes?tenant=${key}`, '/api/v1/routes?tenant=[REDACTED]'],
    [`/api/v1/keys/${key}`, '/api/v1/keys/[REDACTED]'],
    [`/x?${key}`, '/x?[REDACTED]'],
    ['/x?%E0%A4%A=1&password=s3cret', '/x?%E0%A4%A=1&password=[REDACTED]'],
  ])('should log %j as %j', (url, expected) => {
    expect(redactRequestUrl(url)).toBe(expected);
  });
});
