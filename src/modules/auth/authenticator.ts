import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { IncomingHttpHeaders } from 'http';
import { Counter } from 'prom-client';
import { authConfig } from '../../config/auth.config';
import { isInfrastructureFailure } from '../../common/errors/infrastructure-failure';
import { boundCounter, Increment } from '../../common/metrics/bound-series';
import { Principal } from '../../contracts/principal';
import { InvalidationBus, InvalidationListener } from '../../infra/redis/invalidation-bus';
import { CircuitOpenError, ServiceOverloadedError } from '../resilience';
import { MAX_TOKEN_LENGTH, parseToken, sameDigest, sameSecret, sha256 } from './api-key-token';
import { ApiKeysRepository } from './api-keys.repository';
import { UnauthenticatedError } from './auth.errors';
import { AUTH_FAILURE_REASONS, AUTH_FAILURES_METRIC, AuthFailureReason } from './auth.metrics';
import { KeyUsage } from './key-usage';
import { KEY_INVALIDATION_KIND } from './revocation-channel';
import { KeyEntry, VerifiedKeys } from './verified-keys';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const BOOTSTRAP_PRINCIPAL: Principal = Object.freeze({ keyId: 'bootstrap', keyName: 'bootstrap-admin', tenant: null, role: 'admin' });

const MAX_CACHED_KEYS = 10_000;
// While the invalidation channel is down a missed revocation must not live longer than this.
const UNSUBSCRIBED_TTL_MS = 2_000;
const UNKNOWN_TTL_MS = 10_000;
const MAX_CONCURRENT_READS = 32;
const REPORT_INTERVAL_MS = 60_000;
const USAGE_FLUSH_DELAY_MS = 1_000;
const BEARER = 'bearer ';

// Who sent this request. A key this instance has verified recently is checked synchronously (one
// SHA-256 and a constant-time comparison, no I/O), so resolve can answer from memory without a
// promise; only a key not held yet costs one primary-key query, shared by concurrent requests.
// docs/design.md ("Authentication") explains the cache and the revocation path.
@Injectable()
export class Authenticator implements OnModuleInit, BeforeApplicationShutdown, InvalidationListener {
  private readonly logger = new Logger('Auth');
  private readonly keys: VerifiedKeys;
  private readonly usage: KeyUsage;
  private readonly inflight = new Map<string, Promise<KeyEntry>>();
  private readonly bootstrapHash: Buffer | null;
  private readonly failed: Record<AuthFailureReason, Increment>;

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly repository: ApiKeysRepository,
    private readonly bus: InvalidationBus,
    @InjectMetric(AUTH_FAILURES_METRIC) failures: Counter<string>,
  ) {
    this.keys = new VerifiedKeys({
      maxEntries: MAX_CACHED_KEYS,
      ttlMs: config.keyCacheTtlMs,
      unsubscribedTtlMs: Math.min(UNSUBSCRIBED_TTL_MS, config.keyCacheTtlMs),
      unknownTtlMs: UNKNOWN_TTL_MS,
    });
    this.usage = new KeyUsage({ write: (uses) => repository.recordUse(uses), flushDelayMs: USAGE_FLUSH_DELAY_MS });
    this.bootstrapHash = config.bootstrapKey === null ? null : sha256(config.bootstrapKey);
    this.failed = Object.fromEntries(AUTH_FAILURE_REASONS.map((reason) => [reason, boundCounter(failures, { reason })])) as Record<
      AuthFailureReason,
      Increment
    >;
  }

  onModuleInit(): void {
    this.bus.listen(KEY_INVALIDATION_KIND, this);
    if (this.config.usesDevelopmentKey) {
      this.logger.warn('ENVIRONMENT=development without AUTH_BOOTSTRAP_ADMIN_KEY: the public development key is a platform admin');
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.usage.stop();
  }

  // Whether a key that once authenticated has since been revoked or has expired, read from
  // PostgreSQL (work done later on a key's behalf, such as a scheduled changeset, checks this first).
  // The bootstrap key has no row and is never withdrawn this way.
  async isWithdrawn(keyId: string, now = new Date()): Promise<boolean> {
    if (!UUID.test(keyId)) return false;
    const key = await this.repository.findCredentials(keyId);
    if (!key) return true;
    return key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime());
  }

  // A revoked key ("k|<key id>"): the next request reads it again.
  onInvalidation(keyId: string): void {
    this.keys.invalidate(keyId);
    this.inflight.delete(keyId);
  }

  onReset(): void {
    this.keys.clear();
    this.inflight.clear();
  }

  // The principal, synchronously when the key is held; a promise when PostgreSQL must be asked.
  // Throws (or rejects with) UnauthenticatedError: one answer for every reason, counted by reason.
  authenticate(headers: IncomingHttpHeaders): Principal | Promise<Principal> {
    const token = presentedToken(headers);
    if (token === undefined) throw this.refuse('missing');
    if (token === null || token.length > MAX_TOKEN_LENGTH) throw this.refuse('malformed');
    const parsed = parseToken(token);
    if (parsed === null) return this.bootstrap(token);
    const entry = this.keys.fresh(parsed.id, this.bus.live);
    if (entry !== undefined) return this.admit(entry, parsed.secret);
    return this.read(parsed.id).then((read) => this.admit(read, parsed.secret));
  }

  // Counts a 403 decided by the caller (role or scope too weak).
  countForbidden(): void {
    this.failed.forbidden();
  }

  private bootstrap(token: string): Principal {
    if (this.bootstrapHash !== null && sameDigest(sha256(token), this.bootstrapHash)) return BOOTSTRAP_PRINCIPAL;
    throw this.refuse('malformed');
  }

  private admit(entry: KeyEntry, secret: string): Principal {
    // The secret is checked before anything else is revealed, even to the metric.
    if (!entry.known) throw this.refuse('unknown');
    // SHA-256 costs ~1.7 µs per call here (a resolve from memory costs ~60 µs in all), so a secret
    // that already matched this entry's hash is compared with it in constant time instead; any other
    // secret is hashed and checked, and remembered only once it matches.
    if (entry.verifiedSecret === undefined || !sameSecret(secret, entry.verifiedSecret)) {
      if (!sameDigest(sha256(secret), entry.credentials.secretHash)) throw this.refuse('unknown');
      entry.verifiedSecret = secret;
    }
    if (entry.credentials.revokedAt !== null) throw this.refuse('revoked');
    const now = Date.now();
    if (entry.expiresAtMs <= now) throw this.refuse('expired');
    const tick = performance.now();
    if (tick - entry.reportedAt >= REPORT_INTERVAL_MS) {
      entry.reportedAt = tick;
      this.usage.record(entry.credentials.id, new Date(now));
    }
    return entry.principal;
  }

  private read(id: string): Promise<KeyEntry> {
    let pending = this.inflight.get(id);
    if (!pending) {
      // Made-up ids defeat the unknown-id memory (each is new): bound how many reads they can hold
      // open against the pool. Keys in use are held in memory, so this refuses almost only them.
      if (this.inflight.size >= MAX_CONCURRENT_READS) return Promise.reject(new ServiceOverloadedError('API key verification'));
      const mark = this.keys.begin();
      const started: Promise<KeyEntry> = this.repository
        .findCredentials(id)
        .then(
          (credentials) => this.keys.store(id, credentials, mark),
          (err: unknown) => this.fallback(id, err),
        )
        .finally(() => {
          if (this.inflight.get(id) === started) this.inflight.delete(id);
        });
      pending = started;
      this.inflight.set(id, pending);
    }
    return pending;
  }

  // PostgreSQL cannot be asked: while the channel is live a revocation would still have reached this
  // instance, so the key as last read is still good; otherwise the error stands (503).
  private fallback(id: string, err: unknown): KeyEntry {
    const stale = this.bus.live && (err instanceof CircuitOpenError || isInfrastructureFailure(err)) ? this.keys.stale(id) : undefined;
    if (stale === undefined) throw err;
    return stale;
  }

  private refuse(reason: AuthFailureReason): UnauthenticatedError {
    this.failed[reason]();
    return new UnauthenticatedError();
  }
}

// The key of `Authorization: Bearer <key>`, else of `X-API-Key`; undefined when neither is sent, null
// when what is sent cannot be a key (another scheme only, a repeated header).
function presentedToken(headers: IncomingHttpHeaders): string | null | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined && isBearer(authorization)) return authorization.slice(BEARER.length).trimStart();
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey === '' ? undefined : apiKey;
  if (apiKey !== undefined) return null;
  return authorization === undefined || authorization === '' ? undefined : null;
}

// The scheme is case-insensitive (RFC 9110 §11.1); checked without a regular expression or a copy
// of the whole header, which may be kilobytes long.
function isBearer(authorization: string): boolean {
  return authorization.length > BEARER.length && authorization.slice(0, BEARER.length).toLowerCase() === BEARER;
}
