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

export interface AppliedChange {
  route: RouteRecord;
  created: boolean;
  changed: boolean;
}
