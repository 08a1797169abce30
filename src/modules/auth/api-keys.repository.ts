import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Role, TenantScope } from '../../contracts/principal';
import { DependencyBreakers } from '../resilience';
import { KeyNameTakenError } from './keys.errors';

export interface ApiKeyRecord {
  id: string;
  name: string;
  // null: every tenant (a platform key)
  tenant: string | null;
  role: Role;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

// What authentication needs of a key, including the hash of its secret (never leaves this module).
export interface KeyCredentials {
  id: string;
  name: string;
  tenant: string | null;
  role: Role;
  secretHash: Buffer;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  id: string;
  name: string;
  tenant: string | null;
  role: Role;
  secretHash: Buffer;
  createdBy: string;
  expiresAt: Date | null;
}

export interface KeyListFilter {
  // A tenant name, '*' for platform keys only, undefined for every key in scope.
  tenant?: string;
  after?: { createdAt: Date; id: string };
  limit: number;
}

interface KeyRow {
  id: string;
  name: string;
  tenant: string | null;
  role: Role;
  created_at: Date;
  created_by: string;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, tenant, role, created_at, created_by, last_used_at, expires_at, revoked_at';
const UNIQUE_VIOLATION = '23505';

function toRecord(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    role: row.role,
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

// Every method but findCredentials and recordUse takes the caller's scope: a tenant admin's query
// cannot reach another tenant's keys or the platform keys, whatever the controller passes.
@Injectable()
export class ApiKeysRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly breakers: DependencyBreakers,
  ) {}

  private query<T>(sql: string, params: unknown[]): Promise<T> {
    return this.breakers.database.execute(() => this.dataSource.query(sql, params) as Promise<T>);
  }

  // Authentication's lookup by the id the token names (the primary key): revoked and expired keys
  // too, so the caller can cache and count them.
  async findCredentials(id: string): Promise<KeyCredentials | null> {
    const rows: Array<KeyRow & { secret_hash: Buffer }> = await this.query(
      'SELECT id, name, tenant, role, secret_hash, expires_at, revoked_at FROM api_keys WHERE id = $1',
      [id],
    );
    if (!rows.length) return null;
    const row = rows[0];
    return {
      id: row.id,
      name: row.name,
      tenant: row.tenant,
      role: row.role,
      secretHash: row.secret_hash,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
    };
  }

  // created_at at millisecond precision, so a JavaScript Date (and the list cursor) holds it exactly.
  async insert(key: NewApiKey): Promise<ApiKeyRecord> {
    try {
      const rows: KeyRow[] = await this.query(
        `INSERT INTO api_keys (id, name, tenant, role, secret_hash, created_by, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, date_trunc('milliseconds', now()))
         RETURNING ${COLUMNS}`,
        [key.id, key.name, key.tenant, key.role, key.secretHash, key.createdBy, key.expiresAt],
      );
      return toRecord(rows[0]);
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new KeyNameTakenError(key.name);
      throw err;
    }
  }

  async findOne(scope: TenantScope, id: string): Promise<ApiKeyRecord | null> {
    const rows: KeyRow[] = await this.query(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1 AND ($2::text IS NULL OR tenant = $2)`, [
      id,
      scope.tenant,
    ]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  // Oldest first, keyset-paginated on (created_at, id).
  async list(scope: TenantScope, filter: KeyListFilter): Promise<ApiKeyRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql.replace(/\?/g, () => `$${params.push(values.shift())}`));
    };
    if (scope.tenant !== null) add('tenant = ?', scope.tenant);
    if (filter.tenant === '*') add('tenant IS NULL');
    else if (filter.tenant !== undefined) add('tenant = ?', filter.tenant);
    if (filter.after) add('(created_at, id) > (?, ?)', filter.after.createdAt, filter.after.id);
    params.push(filter.limit);
    const rows: KeyRow[] = await this.query(
      `SELECT ${COLUMNS} FROM api_keys ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at, id LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  // Idempotent: a revoked key keeps its first revocation time. Null when there is no such key in scope.
  async revoke(scope: TenantScope, id: string): Promise<ApiKeyRecord | null> {
    // TypeORM answers an UPDATE with [rows, row count].
    const [rows]: [KeyRow[], number] = await this.query(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
       WHERE id = $1 AND ($2::text IS NULL OR tenant = $2)
       RETURNING ${COLUMNS}`,
      [id, scope.tenant],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  // Many keys' last use in one statement; never moves a time backwards.
  async recordUse(uses: ReadonlyMap<string, Date>): Promise<void> {
    await this.query(
      `UPDATE api_keys k SET last_used_at = v.at
       FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at)
       WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.at)`,
      [[...uses.keys()], [...uses.values()]],
    );
  }
}
