import { createHmac, randomBytes } from 'crypto';

// Standard Webhooks (standardwebhooks.com, the scheme of Svix and others, with libraries in most
// languages): the secret is "whsec_" + base64 of random bytes; a request carries webhook-id,
// webhook-timestamp (Unix seconds) and webhook-signature, a space-separated list of "v1,<base64 of
// HMAC-SHA256(secret bytes, `${id}.${timestamp}.${body}`)>", one per secret currently valid (two
// during a rotation). A receiver verifies any one of them and refuses old timestamps (replays).

const PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return PREFIX + randomBytes(24).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  return 'v1,' + createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
}

export function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets.map((secret) => webhookSignature(secret, id, timestamp, body)).join(' ');
}
