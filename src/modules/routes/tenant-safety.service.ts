import { Injectable, Logger } from '@nestjs/common';
import { changedByOf, inScope, Principal, TenantScope } from '../../contracts/principal';
import { TenantSafetyRecord, TenantSafetyRepository } from '../route-store';
import { TenantSafetyDto, UpdateTenantSafetyDto } from './dto/tenant-safety.dto';
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

  // PUT: replaces the settings (a breaker left out is off).
  async replace(caller: Principal, tenant: string, body: UpdateTenantSafetyDto): Promise<TenantSafetyDto> {
    if (!inScope({ tenant: caller.tenant }, tenant)) throw new TenantNotFoundError(tenant);
    const mass = body.mass_deactivation ?? null;
    const { record, changed } = await this.repository.set(
      tenant,
      {
        protectLastActive: body.protect_last_active,
        massDeactivation: mass ? { maxPercent: mass.max_percent, windowMinutes: mass.window_minutes, minCount: mass.min_count } : null,
      },
      changedByOf(caller),
    );
    const shown = present(record);
    if (changed) {
      this.logger.log(
        `Tenant ${tenant}: safety set to ${JSON.stringify({ protect_last_active: shown.protect_last_active, mass_deactivation: shown.mass_deactivation })} ` +
          `by ${caller.keyName} (${caller.keyId})`,
      );
    }
    return shown;
  }
}

function present(record: TenantSafetyRecord): TenantSafetyDto {
  const mass = record.massDeactivation;
  return {
    tenant: record.tenant,
    protect_last_active: record.protectLastActive,
    mass_deactivation: mass ? { max_percent: mass.maxPercent, window_minutes: mass.windowMinutes, min_count: mass.minCount } : null,
    updated_at: record.updatedAt ? record.updatedAt.toISOString() : null,
    updated_by: record.updatedBy,
    updated_by_key_id: record.updatedByKeyId,
  };
}
