import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { auditConfig } from '../../config/audit.config';
import { RouteStoreModule } from '../route-store';
import { AuditStoreModule } from './audit-store.module';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

// The audit query API. The store (schema, repository, recorder) comes from AuditStoreModule, which
// the consumer process imports alone, so the schema is registered once per process.
@Module({
  imports: [AuditStoreModule, RouteStoreModule, ConfigModule.forFeature(auditConfig)],
  controllers: [AuditController],
  providers: [AuditService],
})
export class AuditModule {}
