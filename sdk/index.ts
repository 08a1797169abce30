// The Traffic Manager client for TypeScript services (docs/sdk.md).
export { TrafficManagerClient } from './client';
export type { TrafficManagerClientOptions, ResolvedRoute, ResolveOptions, ClientEvent, StartReport } from './client';
export { TrafficManagerError, RouteNotFoundError, TrafficManagerUnavailableError } from './errors';
export type { RouteKey } from './route-table';
export type { WatchScope, WatchState } from './watch-subscription';
export type { LossProtectionOptions } from './loss-guard';
