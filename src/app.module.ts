import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CoreModule } from './core.module';
import { KafkaModule } from './infra/kafka/kafka.module';
import { AuditModule } from './modules/audit';
import { AuthGuard, AuthModule } from './modules/auth';
import { OutboxModule } from './modules/outbox';
import { HealthModule } from './modules/health';
import { RateLimitModule } from './modules/rate-limit';
import { ResolveModule } from './modules/resolve';
import { RoutesModule } from './modules/routes';
import { WebhooksModule } from './modules/webhooks';

@Module({
  imports: [
    CoreModule,
    KafkaModule,
    AuthModule,
    RoutesModule,
    ResolveModule,
    AuditModule,
    OutboxModule,
    HealthModule,
    RateLimitModule,
    WebhooksModule,
  ],
  // Global guards run in the order Nest registers them, and AppModule's own providers come before
  // those of the modules it imports: authentication (which sets request.principal) therefore runs
  // before RateLimitModule's guard, which limits per authenticated tenant. Keep it here, first.
  providers: [{ provide: APP_GUARD, useExisting: AuthGuard }],
})
export class AppModule {}
