// The module's public surface: other modules and the entry points import only from here
// (enforced by dependency-cruiser, .dependency-cruiser.cjs).
export * from './audit-recorder';
export * from './audit-store.module';
export * from './audit.module';
