export const RESILIENCE_METRIC = {
  breakerState: 'circuit_breaker_state',
  bulkheadRejected: 'bulkhead_rejected_total',
  bulkheadInUse: 'bulkhead_in_use',
  draining: 'graceful_draining',
  retriesDenied: 'retry_budget_denied_total',
} as const;

export type OperationClass = 'resolve' | 'writes' | 'audit';
