import { LRUCache } from 'lru-cache';
import { Principal } from '../../contracts/principal';
import { KeyCredentials } from './api-keys.repository';

// A key as read from PostgreSQL, or the fact that no key has this id.
export type KeyEntry = KnownKey | UnknownKey;

export interface KnownKey {
  readonly known: true;
  readonly credentials: KeyCredentials;
  // Built once per read, so an authenticated request allocates nothing.
  readonly principal: Principal;
  readonly expiresAtMs: number;
  readonly checkedAt: number;
  // When this instance last queued the key's last_used_at (carried over when the entry is re-read).
  reportedAt: number;
  // The secret that last matched secretHash, held with the entry (and dropped with it on revocation
  // or expiry), so a key in use is hashed once per entry, not once per request (Authenticator.admit).
  verifiedSecret?: string;
}

export interface UnknownKey {
  readonly known: false;
  readonly checkedAt: number;
}

export interface VerifiedKeysOptions {
  maxEntries: number;
  // How long a key read from PostgreSQL is trusted (AUTH_KEY_CACHE_TTL_MS)...
  ttlMs: number;
  // ...and while revocations may be missed (the invalidation channel is down).
  unsubscribedTtlMs: number;
  // How long an unknown id is remembered, so repeating a made-up token costs no query.
  unknownTtlMs: number;
  now?: () => number;
}

// The keys this instance has read, by id. Whether an entry may be used depends on its age and on
// whether the invalidation channel is live: with the channel up, a revocation drops the entry within
// milliseconds and the TTL is only a backstop; with it down, entries are re-read after a few seconds.
// A read that began before an invalidation (or a reset) is not stored, so it cannot bring back a key
// revoked while it was under way.
export class VerifiedKeys {
  private readonly entries: LRUCache<string, KeyEntry>;
  private readonly now: () => number;
  private epoch = 0;

  constructor(private readonly options: VerifiedKeysOptions) {
    this.entries = new LRUCache({ max: options.maxEntries });
    this.now = options.now ?? (() => performance.now());
  }

  // The entry if it may be used without asking PostgreSQL.
  fresh(id: string, live: boolean): KeyEntry | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    const ttl = !entry.known ? this.options.unknownTtlMs : live ? this.options.ttlMs : this.options.unsubscribedTtlMs;
    return this.now() - entry.checkedAt < ttl ? entry : undefined;
  }

  // Whatever is held, however old (the answer while PostgreSQL cannot be asked and the channel is up).
  stale(id: string): KeyEntry | undefined {
    return this.entries.get(id);
  }

  // Marks the start of a read; pass the mark to store().
  begin(): number {
    return this.epoch;
  }

  // The entry for what PostgreSQL returned; stored unless an invalidation happened since `mark`.
  store(id: string, credentials: KeyCredentials | null, mark: number): KeyEntry {
    const checkedAt = this.now();
    const previous = this.entries.get(id);
    const entry: KeyEntry = credentials
      ? {
          known: true,
          credentials,
          principal: { keyId: credentials.id, keyName: credentials.name, tenant: credentials.tenant, role: credentials.role },
          expiresAtMs: credentials.expiresAt ? credentials.expiresAt.getTime() : Infinity,
          checkedAt,
          reportedAt: previous?.known ? previous.reportedAt : -Infinity,
        }
      : { known: false, checkedAt };
    if (mark === this.epoch) this.entries.set(id, entry);
    return entry;
  }

  invalidate(id: string): void {
    this.epoch += 1;
    this.entries.delete(id);
  }

  clear(): void {
    this.epoch += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
