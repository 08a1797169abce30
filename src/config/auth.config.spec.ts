import { authSettings, DEVELOPMENT_ADMIN_KEY } from './auth.config';
import { validateEnv } from './env.validation';

const REAL_KEY = 'k'.repeat(32);

describe(authSettings.name, () => {
  it('should make the development key the bootstrap key in development only when none is set', () => {
    expect(authSettings(validateEnv({}))).toMatchObject({
      bootstrapKey: DEVELOPMENT_ADMIN_KEY,
      usesDevelopmentKey: true,
      metrics: 'open',
      docs: 'open',
    });
    expect(authSettings(validateEnv({ AUTH_BOOTSTRAP_ADMIN_KEY: REAL_KEY }))).toMatchObject({ bootstrapKey: REAL_KEY, usesDevelopmentKey: false });
  });

  it.each(['production', 'staging', 'test'])('should refuse to start with ENVIRONMENT=%s and no bootstrap key', (environment) => {
    expect(() => authSettings(validateEnv({ ENVIRONMENT: environment }))).toThrow(/AUTH_BOOTSTRAP_ADMIN_KEY: required with ENVIRONMENT=/);
  });

  it.each([
    ['the development key', DEVELOPMENT_ADMIN_KEY],
    ['a short key', 'k'.repeat(31)],
    ['a key with a space', `${'k'.repeat(20)} ${'k'.repeat(20)}`],
    ['a key shaped like a generated one', `tm_${'k'.repeat(40)}`],
  ])('should refuse %s without showing it', (_, key) => {
    let message = '';
    try {
      authSettings(validateEnv({ ENVIRONMENT: 'production', AUTH_BOOTSTRAP_ADMIN_KEY: key }));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/AUTH_BOOTSTRAP_ADMIN_KEY/);
    expect(message).not.toContain(key);
  });

  it('should protect /metrics and /docs outside development unless told otherwise', () => {
    const production = { ENVIRONMENT: 'production', AUTH_BOOTSTRAP_ADMIN_KEY: REAL_KEY };

    expect(authSettings(validateEnv(production))).toMatchObject({ metrics: 'key', docs: 'key', keyCacheTtlMs: 60_000 });
    expect(authSettings(validateEnv({ ...production, METRICS_AUTH: 'open', DOCS_AUTH: 'open' }))).toMatchObject({ metrics: 'open', docs: 'open' });
    expect(() => validateEnv({ METRICS_AUTH: 'token' })).toThrow(/METRICS_AUTH="token"/);
  });
});
