import { createHash } from 'crypto';
import { AuditEvent } from './audit-event.schema';
import { chainHash, ChainVerifier, linkDocuments } from './audit-chain';

const doc = (eventId: string, revision: number | null, patch: Partial<AuditEvent> = {}): AuditEvent => ({
  event_id: eventId,
  event_type: 'route_changed',
  action: 'updated',
  route: { tenant: 't', service: 's', env: 'prod', version: 'v1' },
  url: `https://${eventId}.example.com`,
  previous_url: null,
  previous_state: 'active',
  changed_by: 'k',
  changed_by_key_id: 'kid',
  correlation_id: null,
  revision,
  occurred_at: new Date('2026-12-03T10:00:00.000Z'),
  processed_at: new Date(),
  metadata: {},
  ...patch,
});

function verify(docs: AuditEvent[]) {
  const verifier = new ChainVerifier();
  for (const d of docs) verifier.add(d);
  return verifier.done();
}

describe('audit chain', () => {
  it('hashes the event fields with the previous hash, not when or how it was stored', () => {
    const a = doc('a', 1);
    expect(chainHash(null, a)).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(null, { ...a, processed_at: new Date(0), metadata: { x: 1 } })).toBe(chainHash(null, a));
    for (const patch of [{ url: 'https://evil.example.com' }, { changed_by: 'someone-else' }, { revision: 2 }, { occurred_at: new Date(1) }]) {
      expect(chainHash(null, { ...a, ...patch })).not.toBe(chainHash(null, a));
    }
    expect(chainHash('p', a)).not.toBe(chainHash(null, a));
  });

  it("covers a forced change's reason, and leaves the hash of a document without one as it was before reasons existed", () => {
    const a = doc('a', 1);
    const before = createHash('sha256')
      .update(
        `\n${JSON.stringify([a.event_id, a.event_type, a.action, a.route.tenant, a.route.service, a.route.env, a.route.version, a.url, a.previous_url, a.previous_state, a.changed_by, a.changed_by_key_id, a.correlation_id, a.revision, a.occurred_at.toISOString()])}`,
      )
      .digest('hex');
    expect(chainHash(null, a)).toBe(before);
    const forced = { ...a, force_reason: 'decommission' };
    expect(chainHash(null, forced)).not.toBe(chainHash(null, a));
    expect(chainHash(null, { ...forced, force_reason: 'something else' })).not.toBe(chainHash(null, forced));
  });

  it('verifies an intact chain and names what was changed, removed or reordered', () => {
    const docs = linkDocuments([doc('a', 1), doc('b', 2), doc('c', 3), doc('d', 4)], new Map());
    expect(verify(docs)).toMatchObject({ routes: 1, documents: 4, chained: 4, unchained: 0, broken: [], broken_total: 0 });

    const altered = docs.map((d) => (d.event_id === 'b' ? { ...d, url: 'https://evil.example.com' } : d));
    expect(verify(altered).broken).toEqual([{ event_id: 'b', service: 's', env: 'prod', version: 'v1', revision: 2, problem: 'hash_mismatch' }]);

    const removed = docs.filter((d) => d.event_id !== 'b');
    expect(verify(removed).broken.map((b) => [b.event_id, b.problem])).toEqual([['c', 'prev_mismatch']]);

    const firstRemoved = docs.slice(1);
    expect(verify(firstRemoved).broken.map((b) => [b.event_id, b.problem])).toEqual([['b', 'prev_mismatch']]);
  });

  it('counts unchained documents without breaking the chain around them, and keeps routes apart', () => {
    const [a, b] = linkDocuments([doc('a', 1), doc('b', 2)], new Map());
    const legacy = doc('old', null);
    const other = linkDocuments([doc('x', 1, { route: { tenant: 't', service: 's', env: 'prod', version: 'v2' } })], new Map());
    expect(verify([legacy, a, b, ...other])).toMatchObject({ routes: 2, documents: 4, chained: 3, unchained: 1, broken: [] });
  });

  it('continues a chain from its stored head and leaves events not above it unchained', () => {
    const [a] = linkDocuments([doc('a', 5)], new Map());
    const later = linkDocuments([doc('late', 4), doc('next', 6)], new Map([['t/s/prod/v1', { hash: a.chain!.hash, revision: 5 }]]));
    expect(later.find((d) => d.event_id === 'late')!.chain).toBeUndefined();
    expect(later.find((d) => d.event_id === 'next')!.chain).toMatchObject({ prev: a.chain!.hash, link: a.chain!.hash });
  });

  it('reports committed changes without a document as missing, alongside the chain problems, and counts them in the total', () => {
    const verifier = new ChainVerifier();
    for (const d of linkDocuments([doc('a', 1), doc('b', 2)], new Map())) verifier.add(d);
    verifier.missing({ eventId: 'c', service: 's', env: 'prod', version: 'v1', revision: 3 });
    expect(verifier.done()).toMatchObject({
      documents: 2,
      chained: 2,
      missing: 1,
      broken_total: 1,
      broken: [{ event_id: 'c', service: 's', env: 'prod', version: 'v1', revision: 3, problem: 'missing' }],
    });
  });
});
