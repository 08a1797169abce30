import { RouteChangedEvent } from '../../contracts/route-event';
import { RouteKey } from '../../contracts/route-key';

// A route as stored: the endpoint row with its names resolved.
export interface RouteRecord extends RouteKey {
  id: number;
  url: string;
  isActive: boolean;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

// What the read path needs to answer (and cache) one route.
export interface RouteSnapshot {
  url: string | null;
  active: boolean;
  revision: number;
}

export interface RouteListFilter {
  tenant?: string;
  service?: string;
  env?: string;
  active?: boolean;
  afterId?: number;
  limit: number;
}

// The state a write asks for. A null url keeps the current one and never creates the route.
export interface RouteChange {
  url: string | null;
  active: boolean;
}

// The event fields known before the write; the database adds the ones that depend on the row it
// changed (action, url, previous_url, previous_state, revision) while it holds the row lock.
export type RouteEventDraft = Omit<RouteChangedEvent, 'action' | 'url' | 'previous_url' | 'previous_state' | 'revision'>;

export interface AppliedChange {
  route: RouteRecord;
  created: boolean;
  changed: boolean;
}
