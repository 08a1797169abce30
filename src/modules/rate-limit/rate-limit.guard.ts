import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { FastifyReply, FastifyRequest } from 'fastify';
import { LimitClass } from '../../config/rate-limit-overrides';
import { deniedHeaders, LimitState, limitHeaders } from './limit-state';
import { addressedTenant, bucketFor, limitClassOf } from './rate-limit-bucket';
import { RateLimitRefusals } from './rate-limit-refusals';
import { RateLimits } from './rate-limits';

const request = (context: ExecutionContext) => context.switchToHttp().getRequest<FastifyRequest>();
const bucketOf = (req: FastifyRequest) => bucketFor(req.principal, addressedTenant(req));

// Two named throttlers; each request goes through the one of its class (limitClassOf) and skips
// the other. The tracker is the tenant bucket and is the storage key as it is: one budget per
// tenant and class, not per handler (the throttler's default key).
export function throttlerOptions(limits: RateLimits, storage: ThrottlerStorage): ThrottlerModuleOptions {
  const throttler = (limitClass: LimitClass): ThrottlerOptions => ({
    name: limitClass,
    ttl: limits.windowMs,
    limit: (context) => limits.of(limitClass, bucketOf(request(context))),
    skipIf: (context) => limitClassOf(request(context)) !== limitClass,
  });
  return {
    throttlers: [throttler('reads'), throttler('writes')],
    storage,
    getTracker: (req) => bucketOf(req as FastifyRequest),
    generateKey: (_context, bucket) => bucket,
  };
}

// The throttler guard with this API's answers: the limit headers without a throttler-name suffix on
// every limited response, and a 429 REQUEST.RATE_LIMITED in the error contract instead of the
// throttler's HttpException. Runs after authentication (registered after it), so request.principal
// is known.
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly refusals: RateLimitRefusals,
  ) {
    super(options, storage, reflector);
  }

  // Only HTTP requests are limited (the API process has no message handlers today; if it gets some,
  // their input is our own events).
  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.getType() !== 'http');
  }

  protected override async handleRequest({ context, limit, ttl, throttler, getTracker, generateKey }: ThrottlerRequest): Promise<boolean> {
    const { req, res } = this.getRequestResponse(context);
    const limitClass = throttler.name as LimitClass;
    const bucket = await getTracker(req, context);
    const record = await this.storageService.increment(generateKey(context, bucket, limitClass), ttl, limit, 0, limitClass);
    const state: LimitState = { limitClass, bucket, limit, hits: record.totalHits, msUntilReset: record.timeToExpire * 1000 };
    const reply = res as FastifyReply;
    if (!record.isBlocked) {
      void reply.headers(limitHeaders(state));
      return true;
    }
    void reply.headers(deniedHeaders(state));
    throw this.refusals.refuse(state);
  }
}
