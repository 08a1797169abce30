import { LimitClass } from '../../config/rate-limit-overrides';

// A bucket's count after one request, as both limiters report it.
export interface LimitState {
  limitClass: LimitClass;
  bucket: string;
  limit: number;
  hits: number;
  msUntilReset: number;
}

export function secondsUntilReset(state: LimitState): number {
  return Math.max(1, Math.ceil(state.msUntilReset / 1000));
}

// X-RateLimit-Reset is seconds until the window ends (a delta, like Retry-After and the IETF
// RateLimit fields; no clock agreement needed).
export function limitHeaders(state: LimitState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(Math.max(0, state.limit - state.hits)),
    'x-ratelimit-reset': String(secondsUntilReset(state)),
  };
}

export function deniedHeaders(state: LimitState): Record<string, string> {
  return { ...limitHeaders(state), 'retry-after': String(secondsUntilReset(state)) };
}
