// The module's public surface: other modules and the entry points import only from here
// (enforced by dependency-cruiser, .dependency-cruiser.cjs).
export * from './rate-limit.module';
export * from './read-limiter';
export { addressedTenant } from './rate-limit-bucket';
export * from './write-limiter';
