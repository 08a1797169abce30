import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig } from '../../config/database.config';
import { DatabaseConnector } from './database-connector';
import { POOL_METRICS } from './pool-metrics';
import { buildTypeOrmOptions } from './typeorm-options';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: ConfigType<typeof databaseConfig>) => ({
        ...buildTypeOrmOptions(db),
        // DatabaseConnector connects (and keeps retrying) after boot, so a late PostgreSQL never
        // stops the process from starting.
        manualInitialization: true,
      }),
    }),
  ],
  providers: [DatabaseConnector, ...POOL_METRICS],
})
export class DatabaseModule {}
