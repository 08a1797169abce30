import { Injectable, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../../common/filters/http-error.filter';
import { Principal } from '../../contracts/principal';
import { deniedHeaders, LimitState } from './limit-state';
import { bucketFor } from './rate-limit-bucket';
import { RateLimitRefusals } from './rate-limit-refusals';
import { RateLimits } from './rate-limits';
import { WindowCounter } from './window-counter';

// Reads are limited per API instance, synchronously, with no Redis round trip (docs/design.md,
// "Rate limits": with N instances a tenant gets up to N x the limit). Resolve calls take() inline;
// the Nest read routes reach the same counters through the throttler guard (LimiterStorage), so
// resolve, listings and audit queries spend one budget per tenant.
@Injectable()
export class ReadLimiter {
  private readonly logger = new Logger('RateLimit');
  private readonly counter: WindowCounter;

  constructor(
    private readonly limits: RateLimits,
    private readonly refusals: RateLimitRefusals,
  ) {
    this.counter = new WindowCounter(limits.windowMs);
  }

  // undefined while the caller's bucket is within its limit (nothing is allocated then); otherwise
  // the state to refuse with. `tenant` is the validated tenant the request addresses.
  take(principal: Principal | undefined, tenant: string | undefined): LimitState | undefined {
    const bucket = bucketFor(principal, tenant);
    const limit = this.limits.of('reads', bucket);
    const hits = this.counter.hit(bucket);
    if (hits <= limit) return undefined;
    return this.state(bucket, limit, hits);
  }

  // The 429 for a state take() returned, in the error contract, with Retry-After and the limit.
  refuse(request: FastifyRequest, reply: FastifyReply, state: LimitState): void {
    void reply.headers(deniedHeaders(state));
    sendError(reply, request, this.refusals.refuse(state), this.logger);
  }

  // For the throttler guard: one hit in `bucket`, whatever the outcome.
  hit(bucket: string, limit: number): LimitState {
    return this.state(bucket, limit, this.counter.hit(bucket));
  }

  private state(bucket: string, limit: number, hits: number): LimitState {
    return { limitClass: 'reads', bucket, limit, hits, msUntilReset: this.counter.msUntilReset(bucket) };
  }
}
