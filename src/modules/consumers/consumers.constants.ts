// The enabled groups' readiness checks: each `consumer:<group>` plus the stores they write to.
export const CONSUMER_READINESS_CHECKS = Symbol('CONSUMER_READINESS_CHECKS');

// Per group, the dependency whose retry budget its retries spend (from the group table; injected so
// EventDelivery, which the handlers import, need not import the table that imports the handlers).
export const GROUP_RETRY_BUDGETS = Symbol('GROUP_RETRY_BUDGETS');
