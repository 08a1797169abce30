import { createHmac } from 'crypto';
import { newWebhookSecret, signatureHeader, webhookSignature } from './webhook-signature';

describe('webhook signatures (Standard Webhooks)', () => {
  it('reproduces the published Standard Webhooks test vector, so receivers can use its libraries', () => {
    expect(webhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('signs with every valid secret during a rotation, space separated', () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    const header = signatureHeader([a, b], 'id-1', 1700000000, '{}');
    expect(header.split(' ')).toEqual([webhookSignature(a, 'id-1', 1700000000, '{}'), webhookSignature(b, 'id-1', 1700000000, '{}')]);
  });

  it('makes secrets of 24 random bytes with the whsec_ prefix, and keys the HMAC with the decoded bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(newWebhookSecret()).not.toBe(secret);
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update('i.1.b')
      .digest('base64');
    expect(webhookSignature(secret, 'i', 1, 'b')).toBe(`v1,${expected}`);
  });

  it('changes with the id, the timestamp and the body', () => {
    const s = newWebhookSecret();
    const base = webhookSignature(s, 'id', 1, 'body');
    expect(webhookSignature(s, 'id2', 1, 'body')).not.toBe(base);
    expect(webhookSignature(s, 'id', 2, 'body')).not.toBe(base);
    expect(webhookSignature(s, 'id', 1, 'body ')).not.toBe(base);
  });
});
