import { Module } from '@nestjs/common';
import { CoreModule } from './core.module';
import { KafkaModule } from './infra/kafka/kafka.module';
import { AuditModule } from './modules/audit';
import { OutboxModule } from './modules/outbox';
import { HealthModule } from './modules/health';
import { ResolveModule } from './modules/resolve';
import { RoutesModule } from './modules/routes';

@Module({
  imports: [CoreModule, KafkaModule, RoutesModule, ResolveModule, AuditModule, OutboxModule, HealthModule],
})
export class AppModule {}
