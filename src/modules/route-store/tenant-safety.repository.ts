import { Injectable } from '@nestjs/common';
import { ChangedBy } from '../../contracts/principal';
import { GuardedQueries } from './guarded-queries';

// A tenant's write-time safety settings (tenants.protect_last_active, the mass-deactivation limit and
// who set them last). The interlocks themselves are enforced by PostgreSQL (migrations
// LastActiveInterlock, MassDeactivationBreaker); this only reads and sets them.
export interface MassDeactivationSetting {
  maxPercent: number;
  windowMinutes: number;
  minCount: number;
}

export interface TenantSafetySettings {
  protectLastActive: boolean;
  massDeactivation: MassDeactivationSetting | null;
}

export interface TenantSafetyRecord extends TenantSafetySettings {
  tenant: string;
  updatedAt: Date | null;
  updatedBy: string | null;
  updatedByKeyId: string | null;
}

interface Row {
  name: string;
  protect_last_active: boolean;
  mass_deactivation_percent: number | null;
  mass_deactivation_window_minutes: number | null;
  mass_deactivation_min_count: number | null;
  safety_updated_at: Date | null;
  safety_updated_by: string | null;
  safety_updated_by_key_id: string | null;
}

const COLUMNS = `name, protect_last_active, mass_deactivation_percent, mass_deactivation_window_minutes, mass_deactivation_min_count,
  safety_updated_at, safety_updated_by, safety_updated_by_key_id`;

// The caller checks the tenant is in its scope first (TenantSafetyService).
@Injectable()
export class TenantSafetyRepository {
  constructor(private readonly db: GuardedQueries) {}

  // A tenant with no row yet (no route created, nothing set) has the defaults.
  async find(tenant: string): Promise<TenantSafetyRecord> {
    const rows = await this.db.query<Row[]>(`SELECT ${COLUMNS} FROM tenants WHERE name = $1`, [tenant]);
    if (rows.length) return toRecord(rows[0]);
    return { tenant, protectLastActive: false, massDeactivation: null, updatedAt: null, updatedBy: null, updatedByKeyId: null };
  }

  // Replaces the settings, creating the tenant's row if it has none (so a tenant can be protected
  // before its first route). Who and when change only when a value does; `changed` says whether one did.
  async set(tenant: string, settings: TenantSafetySettings, by: ChangedBy): Promise<{ record: TenantSafetyRecord; changed: boolean }> {
    const mass = settings.massDeactivation;
    const rows = await this.db.query<Row[]>(
      `INSERT INTO tenants (name, protect_last_active, mass_deactivation_percent, mass_deactivation_window_minutes,
         mass_deactivation_min_count, safety_updated_at, safety_updated_by, safety_updated_by_key_id)
       VALUES ($1, $2, $3, $4, $5, now(), $6, $7)
       ON CONFLICT ON CONSTRAINT uq_tenants_name DO UPDATE
         SET protect_last_active = EXCLUDED.protect_last_active,
             mass_deactivation_percent = EXCLUDED.mass_deactivation_percent,
             mass_deactivation_window_minutes = EXCLUDED.mass_deactivation_window_minutes,
             mass_deactivation_min_count = EXCLUDED.mass_deactivation_min_count,
             safety_updated_at = EXCLUDED.safety_updated_at, safety_updated_by = EXCLUDED.safety_updated_by,
             safety_updated_by_key_id = EXCLUDED.safety_updated_by_key_id
         WHERE (tenants.protect_last_active, tenants.mass_deactivation_percent, tenants.mass_deactivation_window_minutes,
                tenants.mass_deactivation_min_count)
           IS DISTINCT FROM (EXCLUDED.protect_last_active, EXCLUDED.mass_deactivation_percent,
                EXCLUDED.mass_deactivation_window_minutes, EXCLUDED.mass_deactivation_min_count)
       RETURNING ${COLUMNS}`,
      [
        tenant,
        settings.protectLastActive,
        mass?.maxPercent ?? null,
        mass?.windowMinutes ?? null,
        mass?.minCount ?? null,
        by.changed_by,
        by.changed_by_key_id,
      ],
    );
    if (rows.length) return { record: toRecord(rows[0]), changed: true };
    return { record: await this.find(tenant), changed: false };
  }
}

function toRecord(row: Row): TenantSafetyRecord {
  const limited = row.mass_deactivation_percent !== null;
  return {
    tenant: row.name,
    protectLastActive: row.protect_last_active,
    massDeactivation: limited
      ? {
          maxPercent: row.mass_deactivation_percent!,
          windowMinutes: row.mass_deactivation_window_minutes!,
          minCount: row.mass_deactivation_min_count!,
        }
      : null,
    updatedAt: row.safety_updated_at,
    updatedBy: row.safety_updated_by,
    updatedByKeyId: row.safety_updated_by_key_id,
  };
}
