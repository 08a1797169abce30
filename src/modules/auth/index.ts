// The module's public surface: other modules and the entry points import only from here
// (enforced by dependency-cruiser, .dependency-cruiser.cjs).
export * from './auth.errors';
export * from './auth.guard';
export * from './auth.module';
export * from './authenticator';
export * from './caller.decorator';
export * from './requires-role.decorator';
