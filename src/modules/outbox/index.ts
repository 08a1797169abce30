// The module's public surface: other modules and the entry points import only from here
// (enforced by dependency-cruiser, .dependency-cruiser.cjs).
export * from './outbox-writer';
export * from './outbox-writer.module';
export * from './outbox.module';
export * from './outbox-reader';
export * from './outbox-reader.module';
