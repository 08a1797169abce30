// 1 when the last /health/ready passed, 0 when it failed: alerting on its changes finds flapping.
export const READINESS_METRIC = 'readiness_status';
