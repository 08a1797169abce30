import { randomBytes } from 'crypto';
import { names } from './config';

// Every process of a run gets this bootstrap platform-admin key (production refuses to start without
// one); the traffic itself uses a platform writer key created through the API, so the load exercises
// the path real clients take (a stored key verified from the in-memory cache), not the bootstrap key.
export const bootstrapKey = randomBytes(33).toString('base64url');

let trafficKey: string | undefined;

// Before the key exists, a stand-in of a real key's length (the ceiling, which checks no key, gets
// the real one too: both servers parse requests of the same size).
const STAND_IN = `tm_${'0'.repeat(32)}_${'A'.repeat(43)}`;

export function trafficAuthorization(): string {
  return `Bearer ${trafficKey ?? STAND_IN}`;
}

export function trafficHeaders(): Record<string, string> {
  return { authorization: trafficAuthorization() };
}

export function adminHeaders(): Record<string, string> {
  return { authorization: `Bearer ${bootstrapKey}` };
}

export async function createTrafficKey(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v1/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders() },
    body: JSON.stringify({ name: `${names.groupPrefix}-traffic`, tenant: '*', role: 'writer' }),
  });
  const body = (await res.json()) as { key?: string };
  if (res.status !== 201 || !body.key) throw new Error(`creating the bench's API key failed: ${res.status} ${JSON.stringify(body)}`);
  trafficKey = body.key;
}
