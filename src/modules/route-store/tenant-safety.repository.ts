import { Injectable } from '@nestjs/common';
import { ChangedBy } from '../../contracts/principal';
import { GuardedQueries } from './guarded-queries';

// A tenant's write-time safety settings (tenants.protect_last_active and who set it last). The
// interlock itself is enforced by PostgreSQL (migration LastActiveInterlock); this only reads and
// sets the switch.
export interface TenantSafetyRecord {
  tenant: string;
  protectLastActive: boolean;
  updatedAt: Date | null;
  updatedBy: string | null;
  updatedByKeyId: string | null;
}

interface Row {
  name: string;
  protect_last_active: boolean;
  safety_updated_at: Date | null;
  safety_updated_by: string | null;
  safety_updated_by_key_id: string | null;
}

const COLUMNS = 'name, protect_last_active, safety_updated_at, safety_updated_by, safety_updated_by_key_id';

// The caller checks the tenant is in its scope first (TenantSafetyService).
@Injectable()
export class TenantSafetyRepository {
  constructor(private readonly db: GuardedQueries) {}

  // A tenant with no row yet (no route created, nothing set) has the defaults.
  async find(tenant: string): Promise<TenantSafetyRecord> {
    const rows = await this.db.query<Row[]>(`SELECT ${COLUMNS} FROM tenants WHERE name = $1`, [tenant]);
    return rows.length ? toRecord(rows[0]) : { tenant, protectLastActive: false, updatedAt: null, updatedBy: null, updatedByKeyId: null };
  }

  // Sets the switch, creating the tenant's row if it has none (so a tenant can be protected before
  // its first route). Who and when change only when the value does; `changed` says whether it did.
  async setProtectLastActive(tenant: string, protect: boolean, by: ChangedBy): Promise<{ record: TenantSafetyRecord; changed: boolean }> {
    const rows = await this.db.query<Row[]>(
      `INSERT INTO tenants (name, protect_last_active, safety_updated_at, safety_updated_by, safety_updated_by_key_id)
       VALUES ($1, $2, now(), $3, $4)
       ON CONFLICT ON CONSTRAINT uq_tenants_name DO UPDATE
         SET protect_last_active = EXCLUDED.protect_last_active, safety_updated_at = EXCLUDED.safety_updated_at,
             safety_updated_by = EXCLUDED.safety_updated_by, safety_updated_by_key_id = EXCLUDED.safety_updated_by_key_id
         WHERE tenants.protect_last_active IS DISTINCT FROM EXCLUDED.protect_last_active
       RETURNING ${COLUMNS}`,
      [tenant, protect, by.changed_by, by.changed_by_key_id],
    );
    if (rows.length) return { record: toRecord(rows[0]), changed: true };
    return { record: await this.find(tenant), changed: false };
  }
}

function toRecord(row: Row): TenantSafetyRecord {
  return {
    tenant: row.name,
    protectLastActive: row.protect_last_active,
    updatedAt: row.safety_updated_at,
    updatedBy: row.safety_updated_by,
    updatedByKeyId: row.safety_updated_by_key_id,
  };
}
