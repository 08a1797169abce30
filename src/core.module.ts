import { Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { appConfig } from './config/app.config';
import { databaseConfig } from './config/database.config';
import { validateEnv } from './config/env.validation';
import { kafkaConfig } from './config/kafka.config';
import { mongoConfig } from './config/mongo.config';
import { outboxConfig } from './config/outbox.config';
import { redisConfig } from './config/redis.config';
import { RequestContextModule } from './common/context/request-context.module';
import { HttpErrorFilter } from './common/filters/http-error.filter';
import { buildLoggerParams } from './common/logging/logging.options';
import { MetricsModule } from './common/metrics/metrics.module';
import { RuntimeModule } from './common/runtime/runtime.module';
import { RequestValidationPipe } from './common/validation/request-validation.pipe';
import { DatabaseModule } from './infra/database/database.module';
import { RedisModule } from './infra/redis/redis.module';
import { ResilienceModule } from './modules/resilience';

// Shared by both processes: config, request context, logging, metrics and the store clients.
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      // .env is loaded by the entry points (src/config/dotenv.ts) before the module graph is built.
      ignoreEnvFile: true,
      validate: validateEnv,
      load: [appConfig, databaseConfig, redisConfig, kafkaConfig, outboxConfig, mongoConfig],
    }),
    RequestContextModule,
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => buildLoggerParams(app.logLevel, 'traffic-manager', app.logFlushIntervalMs),
    }),
    MetricsModule,
    RuntimeModule,
    DatabaseModule,
    RedisModule,
    ResilienceModule,
  ],
  providers: [
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_PIPE, useClass: RequestValidationPipe },
  ],
})
export class CoreModule {}
