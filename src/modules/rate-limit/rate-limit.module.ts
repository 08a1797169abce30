import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { getOptionsToken, getStorageToken } from '@nestjs/throttler';
import { rateLimitConfig } from '../../config/rate-limit.config';
import { LimiterStorage } from './limiter-storage';
import { ReadLimiter } from './read-limiter';
import { RateLimitGuard, throttlerOptions } from './rate-limit.guard';
import { RateLimitRefusals } from './rate-limit-refusals';
import { RATE_LIMIT_METRICS } from './rate-limit.metrics';
import { RateLimits } from './rate-limits';
import { WriteCounter } from './write-counter';
import { WriteLimiter } from './write-limiter';

// Per-tenant rate limits (API process only). The throttler's options and storage are provided here
// under @nestjs/throttler's own tokens instead of through ThrottlerModule.forRootAsync: the storage
// depends on this module's providers (Redis counter, metrics), which forRootAsync could only reach
// through a second module, and ThrottlerModule is global while nothing else needs these.
// Global, so resolve's and the route writes' Fastify routes get their limiters without importing this module: the
// guard must be registered after authentication's, and Nest registers global guards in the order it
// discovers modules, so only AppModule imports it, after AuthModule.
@Global()
@Module({
  imports: [ConfigModule.forFeature(rateLimitConfig)],
  providers: [
    RateLimits,
    RateLimitRefusals,
    ReadLimiter,
    WriteCounter,
    WriteLimiter,
    LimiterStorage,
    ...RATE_LIMIT_METRICS,
    { provide: getOptionsToken(), inject: [RateLimits, LimiterStorage], useFactory: throttlerOptions },
    { provide: getStorageToken(), useExisting: LimiterStorage },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [ReadLimiter, WriteLimiter],
})
export class RateLimitModule {}
