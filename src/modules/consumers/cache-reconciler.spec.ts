import { RouteRecord } from '../route-store';
import { judge } from './cache-reconciler';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const GRACE = 5_000;

const row = (patch: Partial<RouteRecord> = {}): RouteRecord => ({
  id: 1,
  tenant: 'team-a',
  service: 'payments',
  env: 'prod',
  version: 'v2',
  url: 'https://b.example.com',
  isActive: true,
  revision: 3,
  createdAt: new Date(NOW - 3_600_000),
  updatedAt: new Date(NOW - 60_000),
  ...patch,
});

describe(judge.name, () => {
  it('should find nothing wrong with an entry that says what PostgreSQL says', () => {
    expect(judge({ kind: 'hit', url: 'https://b.example.com', revision: 3 }, row(), NOW, GRACE)).toBeNull();
    expect(judge({ kind: 'negative', revision: 3 }, row({ isActive: false }), NOW, GRACE)).toBeNull();
  });

  it('should call an entry behind PostgreSQL stale, with how long it has been behind, once the change is older than the grace', () => {
    expect(judge({ kind: 'hit', url: 'https://a.example.com', revision: 2 }, row(), NOW, GRACE)).toEqual({ drift: 'stale', stalenessMs: 60_000 });
    expect(judge({ kind: 'negative', revision: 1 }, row(), NOW, GRACE)).toEqual({ drift: 'stale', stalenessMs: 60_000 });
  });

  it('should leave alone an entry behind a change still on its way through the consumers', () => {
    expect(judge({ kind: 'hit', url: 'https://a.example.com', revision: 2 }, row({ updatedAt: new Date(NOW - 4_000) }), NOW, GRACE)).toBeNull();
  });

  it('should call a different state at the same revision a mismatch', () => {
    expect(judge({ kind: 'hit', url: 'https://evil.example.com', revision: 3 }, row(), NOW, GRACE)).toEqual({ drift: 'mismatch' });
    expect(judge({ kind: 'hit', url: 'https://b.example.com', revision: 3 }, row({ isActive: false }), NOW, GRACE)).toEqual({ drift: 'mismatch' });
    expect(judge({ kind: 'negative', revision: 3 }, row(), NOW, GRACE)).toEqual({ drift: 'mismatch' });
  });

  it('should call an entry newer than PostgreSQL ahead, however recent', () => {
    expect(judge({ kind: 'hit', url: 'https://b.example.com', revision: 4 }, row({ updatedAt: new Date(NOW) }), NOW, GRACE)).toEqual({
      drift: 'ahead',
    });
  });
});
