import { consumerGroups } from '../modules/consumers/consumer-groups';
import { validateEnv } from './env.validation';

describe(validateEnv.name, () => {
  it('should apply the documented defaults when nothing is set', () => {
    const env = validateEnv({});

    expect(env).toMatchObject({ API_PORT: 8000, CACHE_POSITIVE_TTL: 60, CACHE_NEGATIVE_TTL: 10, DB_POOL_MAX: 10, OUTBOX_RELAY_ENABLED: true });
  });

  it('should convert numeric and boolean strings', () => {
    const env = validateEnv({ API_PORT: '9000', OUTBOX_RELAY_ENABLED: 'FALSE', LOG_LEVEL: 'warning' });

    expect(env).toMatchObject({ API_PORT: 9000, OUTBOX_RELAY_ENABLED: false, LOG_LEVEL: 'WARNING' });
  });

  it.each([
    ['API_PORT', 'eighty'],
    ['API_PORT', '70000'],
    ['CACHE_POSITIVE_TTL', '0'],
    ['ENVIRONMENT', 'prod'],
    ['LOG_LEVEL', 'loud'],
    ['OUTBOX_RELAY_ENABLED', 'yes'],
    ['KAFKA_BOOTSTRAP_SERVERS', 'localhost'],
    ['CONSUMER_GROUPS', 'audit_log,billing'],
    ['HTTP_HEADERS_TIMEOUT_MS', '999'],
    ['HTTP_BODY_TIMEOUT_MS', 'soon'],
    ['HTTP_REQUEST_TIMEOUT_MS', '600001'],
    ['HTTP_KEEP_ALIVE_TIMEOUT_MS', '0'],
  ])('should refuse %s=%s with a message naming the variable', (name, value) => {
    expect(() => validateEnv({ [name]: value })).toThrow(new RegExp(`${name}="${value}"`));
  });

  it.each(['HTTP_HEADERS_TIMEOUT_MS', 'HTTP_BODY_TIMEOUT_MS'])('should refuse %s longer than HTTP_REQUEST_TIMEOUT_MS', (name) => {
    expect(() => validateEnv({ [name]: '20000', HTTP_REQUEST_TIMEOUT_MS: '15000' })).toThrow(
      new RegExp(`${name}="20000": must not exceed HTTP_REQUEST_TIMEOUT_MS`),
    );
  });

  it('should take the valid CONSUMER_GROUPS from the consumer group table, all enabled by default', () => {
    const names = Object.keys(consumerGroups());

    expect(validateEnv({}).CONSUMER_GROUPS).toBe(names.join(','));
    for (const name of names) expect(validateEnv({ CONSUMER_GROUPS: name }).CONSUMER_GROUPS).toBe(name);
    expect(() => validateEnv({ CONSUMER_GROUPS: 'billing' })).toThrow(
      `CONSUMER_GROUPS="billing": must be a comma-separated subset of ${names.join(',')}`,
    );
  });
});
