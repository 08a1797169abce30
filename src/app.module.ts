import { Module } from '@nestjs/common';
import { CoreModule } from './core.module';
import { KafkaModule } from './infra/kafka/kafka.module';
import { AuditModule } from './modules/audit/audit.module';
import { OutboxModule } from './modules/outbox/outbox.module';
import { HealthModule } from './modules/health/health.module';
import { ResolveModule } from './modules/resolve/resolve.module';
import { RoutesModule } from './modules/routes/routes.module';

@Module({
  imports: [CoreModule, KafkaModule, RoutesModule, ResolveModule, AuditModule, OutboxModule, HealthModule],
})
export class AppModule {}
