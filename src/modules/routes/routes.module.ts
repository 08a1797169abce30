import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { routesConfig } from '../../config/routes.config';
import { AuditStoreModule } from '../audit';
import { AuthModule } from '../auth';
import { OutboxReaderModule } from '../outbox';
import { RouteStoreModule } from '../route-store';
import { WebhookStoreModule } from '../webhooks';
import { RoutesController } from './routes.controller';
import { ROUTES_METRICS } from './routes.metrics';
import { GroupCommitMetrics } from './group-commit-metrics';
import { RouteHistoryPruner } from './route-history-pruner';
import { RoutesService } from './routes.service';
import { RoutePropagation } from './route-propagation';
import { WriteRoutes } from './write-routes';
import { ScheduleRunner } from './schedule-runner';
import { SchedulesController } from './schedules.controller';
import { SchedulesService } from './schedules.service';
import { TenantSafetyController } from './tenant-safety.controller';
import { TenantSafetyService } from './tenant-safety.service';

@Module({
  imports: [RouteStoreModule, AuthModule, AuditStoreModule, OutboxReaderModule, WebhookStoreModule, ConfigModule.forFeature(routesConfig)],
  controllers: [RoutesController, SchedulesController, TenantSafetyController],
  providers: [
    RoutesService,
    WriteRoutes,
    RouteHistoryPruner,
    RoutePropagation,
    SchedulesService,
    ScheduleRunner,
    TenantSafetyService,
    GroupCommitMetrics,
    ...ROUTES_METRICS,
  ],
})
export class RoutesModule {}
