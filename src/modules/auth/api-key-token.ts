import { hash, randomBytes, randomUUID, timingSafeEqual } from 'crypto';

// A key is `tm_<id as 32 hex digits>_<secret>`: the token names its own row, so verifying it is one
// primary-key lookup (cached) and one hash, never a scan. The secret is 32 random bytes in base64url.
const TOKEN = /^tm_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const SECRET_BYTES = 32;

// Longer than any key this API accepts (generated: 79 characters; bootstrap: at most 256), so
// anything longer is refused before it is hashed or parsed.
export const MAX_TOKEN_LENGTH = 256;

export interface ParsedToken {
  id: string;
  secret: string;
}

export interface NewKey {
  id: string;
  token: string;
  secretHash: Buffer;
}

// crypto.hash (one shot): a third of createHash().update().digest()'s cost, which it pays on every request.
export function sha256(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

// Constant time in the content: both sides are SHA-256 digests, so equally long whatever was sent.
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

// Constant time in the content (every parsed secret has TOKEN's fixed length): no early exit on the
// first difference, as `===` would have.
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function generateKey(): NewKey {
  const id = randomUUID();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, token: `tm_${id.replace(/-/g, '')}_${secret}`, secretHash: sha256(secret) };
}

// Null for anything that is not a generated key (the bootstrap key, garbage).
export function parseToken(token: string): ParsedToken | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const hex = match[1];
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { id, secret: match[2] };
}
