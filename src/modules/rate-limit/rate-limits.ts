import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { rateLimitConfig } from '../../config/rate-limit.config';
import { LimitClass } from '../../config/rate-limit-overrides';

// The configured limit of each bucket: a tenant's override, else the default of its class.
@Injectable()
export class RateLimits {
  readonly windowMs: number;
  private readonly defaults: Record<LimitClass, number>;
  private readonly overrides: Record<LimitClass, Map<string, number>> = { reads: new Map(), writes: new Map() };

  constructor(@Inject(rateLimitConfig.KEY) config: ConfigType<typeof rateLimitConfig>) {
    this.windowMs = config.windowMs;
    this.defaults = { reads: config.reads, writes: config.writes };
    for (const { tenant, limitClass, limit } of config.overrides) this.overrides[limitClass].set(tenant, limit);
  }

  of(limitClass: LimitClass, bucket: string): number {
    return this.overrides[limitClass].get(bucket) ?? this.defaults[limitClass];
  }
}
