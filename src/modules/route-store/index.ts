// The module's public surface: other modules and the entry points import only from here
// (enforced by dependency-cruiser, .dependency-cruiser.cjs).
export * from './guarded-queries';
export { GroupCommit } from './group-commit';
export type { GroupCommitObserver, GroupOutcome } from './group-commit';
export * from './route-cache';
export * from './route-history.repository';
export * from './route-record';
export * from './route-store.module';
export * from './routes.repository';
export * from './scheduled-changesets.repository';
export * from './tenant-safety.repository';
