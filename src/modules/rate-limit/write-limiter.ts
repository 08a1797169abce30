import { Injectable } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Principal } from '../../contracts/principal';
import { deniedHeaders, limitHeaders } from './limit-state';
import { bucketFor } from './rate-limit-bucket';
import { RateLimitRefusals } from './rate-limit-refusals';
import { RateLimits } from './rate-limits';
import { WriteCounter } from './write-counter';

// The write limit for routes served by a plain Fastify handler (the route writes, write-routes.ts):
// the same Redis counter, buckets, headers and 429 as the throttler guard gives the Nest write routes
// (LimiterStorage), without the guard's per-request throttler machinery.
@Injectable()
export class WriteLimiter {
  constructor(
    private readonly limits: RateLimits,
    private readonly counter: WriteCounter,
    private readonly refusals: RateLimitRefusals,
  ) {}

  // `cost` hits (1, or a changeset's number of changes) in the caller's bucket (`addressed`: the
  // tenant the request names, see addressedTenant).
  // Within the limit the reply gets the X-RateLimit-* headers; over it, they and Retry-After, and the
  // 429 is thrown.
  async take(reply: FastifyReply, principal: Principal, addressed: string | undefined, cost = 1): Promise<void> {
    const bucket = bucketFor(principal, addressed);
    const state = await this.counter.hit(bucket, this.limits.of('writes', bucket), this.limits.windowMs, cost);
    if (state.hits <= state.limit) {
      void reply.headers(limitHeaders(state));
      return;
    }
    void reply.headers(deniedHeaders(state));
    throw this.refusals.refuse(state);
  }
}
