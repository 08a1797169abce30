import { Module } from '@nestjs/common';
import { RouteStoreModule } from '../route-store/route-store.module';
import { RoutesController } from './routes.controller';
import { RoutesService } from './routes.service';

@Module({
  imports: [RouteStoreModule],
  controllers: [RoutesController],
  providers: [RoutesService],
})
export class RoutesModule {}
