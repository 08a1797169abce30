import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { routesConfig } from '../../config/routes.config';
import { AuthModule } from '../auth';
import { RouteStoreModule } from '../route-store';
import { RoutesController } from './routes.controller';
import { ROUTES_METRICS } from './routes.metrics';
import { RouteHistoryPruner } from './route-history-pruner';
import { RoutesService } from './routes.service';
import { WriteRoutes } from './write-routes';

@Module({
  imports: [RouteStoreModule, AuthModule, ConfigModule.forFeature(routesConfig)],
  controllers: [RoutesController],
  providers: [RoutesService, WriteRoutes, RouteHistoryPruner, ...ROUTES_METRICS],
})
export class RoutesModule {}
