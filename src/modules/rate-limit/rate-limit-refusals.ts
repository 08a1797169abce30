import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { LimitClass } from '../../config/rate-limit-overrides';
import { boundCounter, Increment } from '../../common/metrics/bound-series';
import { ThrottledLog } from '../../common/logging/throttled-log';
import { redactKeys } from '../../common/logging/log-redaction';
import { LimitState } from './limit-state';
import { RATE_LIMIT_METRIC, SHARED_BUCKET } from './rate-limit.constants';
import { RateLimitedError } from './rate-limit.errors';
import { RateLimits } from './rate-limits';

// What happens when a bucket is over its limit, for both limiters: the metric, an operator warning
// (at most every 10 s per bucket and class) and the 429 error.
@Injectable()
export class RateLimitRefusals {
  private readonly logger = new Logger('RateLimit');
  private readonly warnings = new ThrottledLog(this.logger);
  private readonly counted: Record<LimitClass, Increment>;

  constructor(
    private readonly limits: RateLimits,
    @InjectMetric(RATE_LIMIT_METRIC.limited) limited: Counter<string>,
  ) {
    this.counted = { reads: boundCounter(limited, { class: 'reads' }), writes: boundCounter(limited, { class: 'writes' }) };
  }

  refuse(state: LimitState): RateLimitedError {
    this.counted[state.limitClass]();
    const who = state.bucket === SHARED_BUCKET ? 'Requests that address no tenant' : `Tenant ${state.bucket}`;
    const scope = state.limitClass === 'reads' ? 'on this instance' : 'across all instances';
    this.warnings.warn(
      `${state.limitClass}:${state.bucket}`,
      redactKeys(`${who} exceeded the ${state.limitClass} limit (${state.limit} per ${this.limits.windowMs} ms ${scope}); answering 429`),
    );
    return new RateLimitedError(state, this.limits.windowMs);
  }
}
