import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { MongooseModule } from '@nestjs/mongoose';
import { mongoConfig } from '../../config/mongo.config';
import { MongoModule } from '../../infra/mongo/mongo.module';
import { AuditEvent, buildAuditEventSchema } from './audit-event.schema';
import { AuditRecorder } from './audit-recorder';
import { AuditRepository } from './audit.repository';

// Imports MongoModule itself, so importing this module alone is enough (MongoModule is static: one connection per process).
@Module({
  imports: [
    MongoModule,
    MongooseModule.forFeatureAsync([
      {
        name: AuditEvent.name,
        inject: [mongoConfig.KEY],
        useFactory: (config: ConfigType<typeof mongoConfig>) => buildAuditEventSchema(config.auditCollection),
      },
    ]),
  ],
  providers: [AuditRepository, AuditRecorder],
  exports: [AuditRepository, AuditRecorder],
})
export class AuditStoreModule {}
