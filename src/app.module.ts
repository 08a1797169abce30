import { Module } from '@nestjs/common';
import { CoreModule } from './core.module';
import { HealthModule } from './modules/health/health.module';
import { ResolveModule } from './modules/resolve/resolve.module';
import { RoutesModule } from './modules/routes/routes.module';

@Module({
  imports: [CoreModule, RoutesModule, ResolveModule, HealthModule],
})
export class AppModule {}
