import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { resolveConfig } from '../../config/resolve.config';
import { RouteStoreModule } from '../route-store/route-store.module';
import { ResolveController } from './resolve.controller';
import { ResolveService } from './resolve.service';

@Module({
  imports: [RouteStoreModule, ConfigModule.forFeature(resolveConfig)],
  controllers: [ResolveController],
  providers: [ResolveService],
})
export class ResolveModule {}
