import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { RATE_LIMIT_METRIC } from './rate-limit.constants';

// By class only: a tenant label would grow a series per tenant (and per name a platform key sends).
// Which tenant was limited is in a warning, logged at most every 10 s per tenant and class.
export const RATE_LIMIT_METRICS = [
  makeCounterProvider({ name: RATE_LIMIT_METRIC.limited, help: 'Requests refused with 429 by the per-tenant limits', labelNames: ['class'] }),
  makeCounterProvider({
    name: RATE_LIMIT_METRIC.storeFailures,
    help: 'Writes let through unlimited because Redis (the shared write counters) could not be asked',
  }),
];
