import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { resolveConfig } from '../../config/resolve.config';
import { AuthModule } from '../auth';
import { RouteStoreModule } from '../route-store';
import { ResolveRoute } from './resolve-route';
import { RESOLVE_METRICS } from './resolve.metrics';
import { ResolveService } from './resolve.service';
import { RouteStreams } from './route-streams';
import { WatchRoute } from './watch-route';

@Module({
  imports: [RouteStoreModule, AuthModule, ConfigModule.forFeature(resolveConfig)],
  providers: [ResolveService, ResolveRoute, RouteStreams, WatchRoute, ...RESOLVE_METRICS],
})
export class ResolveModule {}
