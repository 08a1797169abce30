import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig } from '../../config/database.config';
import { POOL_METRICS } from './pool-metrics';
import { buildTypeOrmOptions } from './typeorm-options';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: ConfigType<typeof databaseConfig>) => ({
        ...buildTypeOrmOptions(db),
        // The app keeps retrying in the background rather than refusing to boot when PG is late.
        retryAttempts: 10,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: POOL_METRICS,
})
export class DatabaseModule {}
