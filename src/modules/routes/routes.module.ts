import { Module } from '@nestjs/common';
import { AuthModule } from '../auth';
import { RouteStoreModule } from '../route-store';
import { RoutesController } from './routes.controller';
import { ROUTES_METRICS } from './routes.metrics';
import { RoutesService } from './routes.service';
import { WriteRoutes } from './write-routes';

@Module({
  imports: [RouteStoreModule, AuthModule],
  controllers: [RoutesController],
  providers: [RoutesService, WriteRoutes, ...ROUTES_METRICS],
})
export class RoutesModule {}
