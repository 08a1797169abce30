import { Injectable, Logger } from '@nestjs/common';
import { changedByOf, inScope, Principal, scopeOf, TenantScope } from '../../contracts/principal';
import { TenantSafetyRecord, TenantSafetyRepository } from '../route-store';
import { TenantSafetyDto } from './dto/tenant-safety.dto';
import { TenantNotFoundError } from './routes.errors';

// The tenant's write-time safety settings (docs/design.md, "Write-time safety interlocks"). A tenant
// outside the caller's scope is 404, as its routes are.
@Injectable()
export class TenantSafetyService {
  private readonly logger = new Logger(TenantSafetyService.name);

  constructor(private readonly repository: TenantSafetyRepository) {}

  async get(scope: TenantScope, tenant: string): Promise<TenantSafetyDto> {
    if (!inScope(scope, tenant)) throw new TenantNotFoundError(tenant);
    return present(await this.repository.find(tenant));
  }

  async setProtectLastActive(caller: Principal, tenant: string, protect: boolean): Promise<TenantSafetyDto> {
    if (!inScope(scopeOf(caller), tenant)) throw new TenantNotFoundError(tenant);
    const { record, changed } = await this.repository.setProtectLastActive(tenant, protect, changedByOf(caller));
    if (changed) this.logger.log(`Tenant ${tenant}: protect_last_active set to ${protect} by ${caller.keyName} (${caller.keyId})`);
    return present(record);
  }
}

function present(record: TenantSafetyRecord): TenantSafetyDto {
  return {
    tenant: record.tenant,
    protect_last_active: record.protectLastActive,
    updated_at: record.updatedAt ? record.updatedAt.toISOString() : null,
    updated_by: record.updatedBy,
    updated_by_key_id: record.updatedByKeyId,
  };
}
