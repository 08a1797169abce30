// The module's public surface: other modules and the entry points import only from here
// (enforced by dependency-cruiser, .dependency-cruiser.cjs).
export * from './bulkhead.interceptor';
export * from './bulkheads';
export * from './dependency-breaker';
export * from './dependency-breakers';
export * from './drain-state';
export * from './drain.interceptor';
export * from './graceful-shutdown';
export * from './operation-class.decorator';
export * from './resilience.errors';
export * from './resilience.module';
