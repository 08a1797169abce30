import { DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../../config/database.config';
import { EndpointEntity } from '../../modules/route-store/endpoint.entity';
import { EnvironmentEntity } from '../../modules/route-store/environment.entity';
import { OutboxEventEntity } from '../../modules/route-store/outbox-event.entity';
import { ServiceEntity } from '../../modules/route-store/service.entity';
import { TenantEntity } from '../../modules/route-store/tenant.entity';

export const ENTITIES = [TenantEntity, ServiceEntity, EnvironmentEntity, EndpointEntity, OutboxEventEntity];

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
