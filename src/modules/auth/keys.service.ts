import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '../../common/errors/common.errors';
import { Principal, Role, roleAllows, scopeOf } from '../../contracts/principal';
import { generateKey } from './api-key-token';
import { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository';
import { ForbiddenError, ScopeForbiddenError } from './auth.errors';
import { BOOTSTRAP_PRINCIPAL } from './authenticator';
import { KeyPosition } from './key-cursor';
import { KeyNameTakenError, KeyNotFoundError } from './keys.errors';
import { RevocationChannel } from './revocation-channel';

export interface KeyRequest {
  name: string;
  // A tenant name, '*' (every tenant), or undefined (the caller's own tenant).
  tenant?: string;
  role: Role;
  expiresAt?: Date;
}

export interface KeyPage {
  tenant?: string;
  after?: KeyPosition;
  limit: number;
}

const ALL = '*';

// Key management within the caller's scope: a tenant admin manages its tenant's keys only, a
// platform admin every key. Keys outside the scope are not found (404), as routes are.
@Injectable()
export class KeysService {
  constructor(
    private readonly repository: ApiKeysRepository,
    private readonly revocations: RevocationChannel,
  ) {}

  async create(caller: Principal, request: KeyRequest): Promise<{ record: ApiKeyRecord; token: string }> {
    if (!roleAllows(caller.role, request.role)) throw new ForbiddenError(request.role, caller.role);
    const tenant = this.tenantFor(caller, request.tenant);
    if (request.expiresAt && request.expiresAt.getTime() <= Date.now()) {
      throw new ValidationFailedError([{ field: 'expires_at', problem: 'must be in the future' }]);
    }
    // The bootstrap key is not a row, but its name appears as changed_by and created_by.
    if (tenant === null && request.name === BOOTSTRAP_PRINCIPAL.keyName) throw new KeyNameTakenError(request.name);
    const key = generateKey();
    const record = await this.repository.insert({
      id: key.id,
      name: request.name,
      tenant,
      role: request.role,
      secretHash: key.secretHash,
      createdBy: caller.keyName,
      expiresAt: request.expiresAt ?? null,
    });
    return { record, token: key.token };
  }

  list(caller: Principal, page: KeyPage): Promise<ApiKeyRecord[]> {
    return this.repository.list(scopeOf(caller), { tenant: page.tenant, after: page.after, limit: page.limit });
  }

  async get(caller: Principal, id: string): Promise<ApiKeyRecord> {
    const record = await this.repository.findOne(scopeOf(caller), id);
    if (!record) throw new KeyNotFoundError(id);
    return record;
  }

  // Idempotent. Announced every time, so repeating a revocation also repairs a missed announcement.
  async revoke(caller: Principal, id: string): Promise<ApiKeyRecord> {
    const record = await this.repository.revoke(scopeOf(caller), id);
    if (!record) throw new KeyNotFoundError(id);
    await this.revocations.announce(record.id);
    return record;
  }

  // The tenant the new key is bound to (null: every tenant). Only a platform admin may issue
  // platform keys or keys of any tenant, and must say which: nothing is issued for every tenant by
  // omission.
  private tenantFor(caller: Principal, requested: string | undefined): string | null {
    if (caller.tenant === null) {
      if (requested === undefined) {
        throw new ValidationFailedError([{ field: 'tenant', problem: 'is required from a platform key: a tenant name, or "*" for every tenant' }]);
      }
      return requested === ALL ? null : requested;
    }
    if (requested === undefined || requested === caller.tenant) return caller.tenant;
    throw new ScopeForbiddenError(`A key of tenant ${caller.tenant} can only create keys of tenant ${caller.tenant}`);
  }
}
