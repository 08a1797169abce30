import { HealthIndicatorFunction } from '@nestjs/terminus';

export type StoreCheck = HealthIndicatorFunction;

// Optional readiness checks contributed by whichever store modules a process loaded (e.g. MongoDB).
export const CONSUMER_STORE_CHECKS = Symbol('CONSUMER_STORE_CHECKS');

// 1 when the last /health/ready passed, 0 when it failed: alerting on its changes finds flapping.
export const READINESS_METRIC = 'readiness_status';
