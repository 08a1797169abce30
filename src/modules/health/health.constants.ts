import { HealthIndicatorFunction } from '@nestjs/terminus';

export type StoreCheck = HealthIndicatorFunction;

// Optional readiness checks contributed by whichever store modules a process loaded (e.g. MongoDB).
export const CONSUMER_STORE_CHECKS = Symbol('CONSUMER_STORE_CHECKS');
