import { DomainError } from '../../common/errors/domain.error';
import { SHARED_BUCKET } from './rate-limit.constants';
import { LimitState, secondsUntilReset } from './limit-state';

// 429: the tenant spent its read or write budget for the current window.
export class RateLimitedError extends DomainError {
  readonly code = 'REQUEST.RATE_LIMITED';
  override readonly transient = true;

  constructor(state: LimitState, windowMs: number) {
    const who = state.bucket === SHARED_BUCKET ? 'requests that address no tenant' : `tenant ${state.bucket}`;
    super(
      `Too many ${state.limitClass} for ${who}: at most ${state.limit} per ${windowMs / 1000} s; ` +
        `retry after ${secondsUntilReset(state)} s (Retry-After)`,
    );
  }
}
