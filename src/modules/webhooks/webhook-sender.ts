import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { CLOUD_EVENT_CONTENT_TYPE } from './cloud-event';
import { signatureHeader } from './webhook-signature';
import { guardedLookup } from './webhook-target';
import { AttemptResult } from './webhook-deliveries.repository';

export interface OutgoingWebhook {
  id: string;
  url: string;
  body: string;
  secrets: string[];
}

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  now?: () => number;
}

const USER_AGENT = 'TrafficManager-Webhooks/1';
// What is kept of a failing receiver's answer for the delivery log.
const MAX_ERROR_BODY = 200;

// One attempt: POST the body, signed (webhook-signature), with the delivery's id and the time of
// this attempt. 2xx is delivered; anything else, a redirect included (not followed: the URL was
// registered, its target was not), a timeout or a refused address is a failed attempt. Node's
// http client, not fetch: only its `lookup` option lets the address be checked on the connection
// that is then made (webhook-target.ts).
export function sendWebhook(hook: OutgoingWebhook, options: SendOptions): Promise<AttemptResult & { ok: boolean }> {
  const started = performance.now();
  const timestamp = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const url = new URL(hook.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = Buffer.from(hook.body, 'utf8');
  return new Promise((resolve) => {
    let settled = false;
    const finish = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
      resolve({ ok, statusCode, error: ok ? null : error, durationMs: Math.round(performance.now() - started) });
    };
    const req = send(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(options.allowPrivate) as never,
        agent: false,
        headers: {
          'content-type': CLOUD_EVENT_CONTENT_TYPE,
          'content-length': String(body.length),
          'user-agent': USER_AGENT,
          'webhook-id': hook.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(hook.secrets, hook.id, timestamp, hook.body),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          // The status is the answer: the body is not waited for (a receiver streaming one forever
          // would otherwise turn a delivered event into a timeout).
          finish(status, null);
          res.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_ERROR_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        const describe = () => {
          const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY).replace(/\s+/g, ' ').trim();
          const redirect = status >= 300 && status < 400 ? ` (redirect to ${res.headers.location ?? '?'}, not followed)` : '';
          return `HTTP ${status}${redirect}${text ? `: ${text}` : ''}`;
        };
        res.on('end', () => finish(status, describe()));
        res.on('error', () => finish(status, describe()));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(null, `no answer within ${options.timeoutMs} ms`);
    }, options.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish(null, err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message),
    );
    req.end(body);
  });
}
