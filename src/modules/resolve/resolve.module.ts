import { Module } from '@nestjs/common';
import { RouteStoreModule } from '../route-store/route-store.module';
import { ResolveController } from './resolve.controller';
import { ResolveService } from './resolve.service';

@Module({
  imports: [RouteStoreModule],
  controllers: [ResolveController],
  providers: [ResolveService],
})
export class ResolveModule {}
