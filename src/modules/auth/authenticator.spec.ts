import { Counter, Registry } from 'prom-client';
import { AuthSettings } from '../../config/auth.config';
import { InvalidationBus } from '../../infra/redis/invalidation-bus';
import { CircuitOpenError, ServiceOverloadedError } from '../resilience/resilience.errors';
import { generateKey } from './api-key-token';
import { ApiKeysRepository, KeyCredentials } from './api-keys.repository';
import { UnauthenticatedError } from './auth.errors';
import { Authenticator, BOOTSTRAP_PRINCIPAL } from './authenticator';

const BOOTSTRAP = 'a-bootstrap-admin-key-of-32-chars-or-more';

function setup(overrides: Partial<AuthSettings> = {}) {
  const registry = new Registry();
  const failures = new Counter({ name: 'auth_failures_total', help: 'f', labelNames: ['reason'], registers: [registry] });
  const rows = new Map<string, KeyCredentials>();
  const repository = {
    findCredentials: jest.fn(async (id: string) => rows.get(id) ?? null),
    recordUse: jest.fn().mockResolvedValue(undefined),
  };
  const bus = { live: true, listen: jest.fn() };
  const config: AuthSettings = {
    bootstrapKey: BOOTSTRAP,
    usesDevelopmentKey: false,
    keyCacheTtlMs: 60_000,
    metrics: 'key',
    docs: 'key',
    ...overrides,
  };
  const sut = new Authenticator(config, repository as unknown as ApiKeysRepository, bus as unknown as InvalidationBus, failures);
  const addKey = (fields: Partial<KeyCredentials> = {}) => {
    const key = generateKey();
    rows.set(key.id, {
      id: key.id,
      name: 'ci',
      tenant: 'team-a',
      role: 'writer',
      secretHash: key.secretHash,
      expiresAt: null,
      revokedAt: null,
      ...fields,
    });
    return key;
  };
  const failed = async (reason: string) => (await failures.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  return { sut, repository, bus, addKey, failed, rows };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe(Authenticator.name, () => {
  it('should accept the bootstrap key as a platform admin, by either header', () => {
    const { sut, repository } = setup();

    expect(sut.authenticate(bearer(BOOTSTRAP))).toBe(BOOTSTRAP_PRINCIPAL);
    expect(sut.authenticate({ 'x-api-key': BOOTSTRAP })).toBe(BOOTSTRAP_PRINCIPAL);
    expect(sut.authenticate({ authorization: `bearer  ${BOOTSTRAP}` })).toBe(BOOTSTRAP_PRINCIPAL);
    expect(repository.findCredentials).not.toHaveBeenCalled();
  });

  it.each([
    ['no key', {}, 'missing'],
    ['an empty X-API-Key', { 'x-api-key': '' }, 'missing'],
    ['another scheme', { authorization: `Basic ${BOOTSTRAP}` }, 'malformed'],
    ['a repeated X-API-Key', { 'x-api-key': [BOOTSTRAP, BOOTSTRAP] }, 'malformed'],
    ['garbage', bearer('not-a-key'), 'malformed'],
    ['a 4 kB token', bearer('x'.repeat(4096)), 'malformed'],
    ['a near miss of the bootstrap key', bearer(`${BOOTSTRAP}x`), 'malformed'],
  ])('should refuse %s synchronously, without a query, counted by reason', async (_, headers, reason) => {
    const { sut, repository, failed } = setup();

    expect(() => sut.authenticate(headers as Record<string, string>)).toThrow(UnauthenticatedError);
    expect(repository.findCredentials).not.toHaveBeenCalled();
    expect(await failed(reason)).toBe(1);
  });

  it('should read a key once, then verify it from memory synchronously', async () => {
    const { sut, repository, addKey } = setup();
    const key = addKey();

    await expect(sut.authenticate(bearer(key.token))).resolves.toEqual({ keyId: key.id, keyName: 'ci', tenant: 'team-a', role: 'writer' });
    expect(sut.authenticate(bearer(key.token))).toMatchObject({ keyId: key.id });
    expect(repository.findCredentials).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['another secret of the same length', (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`],
    ['the first character changed', (s: string) => `${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`],
  ])('should refuse %s for a key whose right secret was already verified (the remembered secret is no shortcut)', async (_, alter) => {
    const { sut, addKey, failed } = setup();
    const key = addKey();
    await sut.authenticate(bearer(key.token));
    const [prefix, secret] = [key.token.slice(0, 36), key.token.slice(36)];

    expect(sut.authenticate(bearer(key.token))).toMatchObject({ keyId: key.id });
    expect(() => sut.authenticate(bearer(prefix + alter(secret)))).toThrow(UnauthenticatedError);
    expect(await failed('unknown')).toBe(1);
    expect(sut.authenticate(bearer(key.token))).toMatchObject({ keyId: key.id });
  });

  it('should share one query between concurrent first uses of a key', async () => {
    const { sut, repository, addKey } = setup();
    const key = addKey();

    await Promise.all([sut.authenticate(bearer(key.token)), sut.authenticate(bearer(key.token))]);
    expect(repository.findCredentials).toHaveBeenCalledTimes(1);
  });

  it('should hold at most 32 key reads open at once, refusing more with 503 instead of queueing them on the pool', async () => {
    const { sut, repository } = setup();
    repository.findCredentials.mockImplementation(() => new Promise(() => undefined));

    for (let i = 0; i < 32; i++) void sut.authenticate(bearer(generateKey().token));
    await expect(sut.authenticate(bearer(generateKey().token))).rejects.toBeInstanceOf(ServiceOverloadedError);
    expect(repository.findCredentials).toHaveBeenCalledTimes(32);
  });

  it('should refuse a wrong secret for a known id, from memory too', async () => {
    const { sut, addKey, failed } = setup();
    const key = addKey();
    await sut.authenticate(bearer(key.token));
    const forged = `${key.token.slice(0, -4)}AAAA` === key.token ? `${key.token.slice(0, -4)}BBBB` : `${key.token.slice(0, -4)}AAAA`;

    expect(() => sut.authenticate(bearer(forged))).toThrow(UnauthenticatedError);
    expect(await failed('unknown')).toBe(1);
  });

  it('should remember an unknown id, so repeating a made-up key costs one query', async () => {
    const { sut, repository, failed } = setup();
    const token = generateKey().token;

    await expect(sut.authenticate(bearer(token))).rejects.toThrow(UnauthenticatedError);
    expect(() => sut.authenticate(bearer(token))).toThrow(UnauthenticatedError);
    expect(repository.findCredentials).toHaveBeenCalledTimes(1);
    expect(await failed('unknown')).toBe(2);
  });

  it('should refuse expired and revoked keys', async () => {
    const { sut, addKey, failed } = setup();
    const expired = addKey({ expiresAt: new Date(Date.now() - 1) });
    const revoked = addKey({ revokedAt: new Date() });

    await expect(sut.authenticate(bearer(expired.token))).rejects.toThrow(UnauthenticatedError);
    await expect(sut.authenticate(bearer(revoked.token))).rejects.toThrow(UnauthenticatedError);
    expect(await failed('expired')).toBe(1);
    expect(await failed('revoked')).toBe(1);
  });

  it('should check expiry on every request from the key it holds', async () => {
    const { sut, addKey } = setup();
    const key = addKey({ expiresAt: new Date(Date.now() + 60_000) });
    await sut.authenticate(bearer(key.token));
    jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000);

    try {
      expect(() => sut.authenticate(bearer(key.token))).toThrow(UnauthenticatedError);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('should read a key again after a revocation announcement, and after a reset', async () => {
    const { sut, repository, addKey, rows } = setup();
    const key = addKey();
    await sut.authenticate(bearer(key.token));

    rows.set(key.id, { ...rows.get(key.id)!, revokedAt: new Date() });
    sut.onInvalidation(key.id);
    await expect(sut.authenticate(bearer(key.token))).rejects.toThrow(UnauthenticatedError);
    sut.onReset();
    await expect(sut.authenticate(bearer(key.token))).rejects.toThrow(UnauthenticatedError);
    expect(repository.findCredentials).toHaveBeenCalledTimes(3);
  });

  it('should not keep a read that was under way when the key was revoked', async () => {
    const { sut, repository, addKey, rows } = setup();
    const key = addKey();
    const before = rows.get(key.id)!;
    let answer!: (row: KeyCredentials) => void;
    repository.findCredentials.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));

    const first = sut.authenticate(bearer(key.token));
    rows.set(key.id, { ...before, revokedAt: new Date() });
    sut.onInvalidation(key.id);
    answer(before);
    await first;

    await expect(sut.authenticate(bearer(key.token))).rejects.toThrow(UnauthenticatedError);
  });

  it('should re-read keys older than 2 s while the invalidation channel is down', async () => {
    const { sut, repository, addKey, bus } = setup();
    const key = addKey();
    await sut.authenticate(bearer(key.token));
    const now = performance.now();
    bus.live = false;

    const later = jest.spyOn(performance, 'now').mockReturnValue(now + 2_500);
    try {
      await expect(sut.authenticate(bearer(key.token))).resolves.toMatchObject({ keyId: key.id });
      expect(repository.findCredentials).toHaveBeenCalledTimes(2);
    } finally {
      later.mockRestore();
    }
  });

  it('should keep serving a key it holds while PostgreSQL is unavailable, but only while the channel is live', async () => {
    const { sut, repository, addKey, bus } = setup({ keyCacheTtlMs: 1000 });
    const key = addKey();
    await sut.authenticate(bearer(key.token));
    repository.findCredentials.mockRejectedValue(new CircuitOpenError('database'));
    const now = performance.now();

    const later = jest.spyOn(performance, 'now').mockReturnValue(now + 5_000);
    try {
      await expect(sut.authenticate(bearer(key.token))).resolves.toMatchObject({ keyId: key.id });
      bus.live = false;
      await expect(sut.authenticate(bearer(key.token))).rejects.toBeInstanceOf(CircuitOpenError);
    } finally {
      later.mockRestore();
    }
  });

  it('should report a key as used at most once a minute', async () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    try {
      const { sut, repository, addKey } = setup();
      const key = addKey();
      await sut.authenticate(bearer(key.token));
      expect(sut.authenticate(bearer(key.token))).toMatchObject({ keyId: key.id });
      await jest.advanceTimersByTimeAsync(1_000);
      expect(sut.authenticate(bearer(key.token))).toMatchObject({ keyId: key.id });
      await jest.advanceTimersByTimeAsync(1_000);

      expect(repository.recordUse).toHaveBeenCalledTimes(1);
      expect([...repository.recordUse.mock.calls[0][0].keys()]).toEqual([key.id]);
    } finally {
      jest.useRealTimers();
    }
  });
});
