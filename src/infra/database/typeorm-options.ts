import { join } from 'path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../../config/database.config';

// Every *.entity file of every module, found by glob, so infrastructure never imports a module's files.
export const ENTITIES = [join(__dirname, '..', '..', 'modules', '**', '*.entity.{ts,js}')];

// Shared by the running app and by ormconfig.ts (the CLI), so both see the same schema and pool.
export function buildTypeOrmOptions(db: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    host: db.host,
    port: db.port,
    database: db.name,
    username: db.user,
    password: db.password,
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'typeorm_migrations',
    applicationName: 'traffic-manager',
    extra: {
      min: db.poolMin,
      max: db.poolMax,
      connectionTimeoutMillis: db.connectionTimeoutMs,
      statement_timeout: db.statementTimeoutMs,
    },
  };
}
