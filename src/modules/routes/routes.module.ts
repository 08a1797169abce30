import { Module } from '@nestjs/common';
import { RouteStoreModule } from '../route-store';
import { RoutesController } from './routes.controller';
import { ROUTES_METRICS } from './routes.metrics';
import { RoutesService } from './routes.service';

@Module({
  imports: [RouteStoreModule],
  controllers: [RoutesController],
  providers: [RoutesService, ...ROUTES_METRICS],
})
export class RoutesModule {}
