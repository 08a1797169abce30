import { request as httpRequest, IncomingMessage } from 'http';
import { eventually } from './eventually';
import { HttpClient, HttpResult } from './http';

export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

// A server-sent event client for tests: opens the stream with the client's key, parses every frame
// (id, event, data as JSON) and comments, and closes on request. `open` resolves with the response
// status and headers once they arrive; a non-200 answer's JSON body is in `errorBody`.
export class SseStream {
  readonly events: SseEvent[] = [];
  comments = 0;
  retry?: number;
  errorBody?: any;
  readonly ended: Promise<void>;
  private response?: IncomingMessage;
  private markEnded!: () => void;

  private constructor(readonly status: number) {
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
  }

  static open(http: HttpClient, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
    const url = new URL(`${http.baseUrl}${path}`);
    const auth: Record<string, string> = http.key === null ? {} : { authorization: `Bearer ${http.key}` };
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: 'GET', headers: { accept: 'text/event-stream', ...auth, ...headers } }, (res) => {
        const stream = new SseStream(res.statusCode ?? 0);
        stream.response = res;
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            stream.frame(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        });
        res.on('close', () => stream.markEnded());
        if (stream.status !== 200) {
          res.on('end', () => {
            try {
              stream.errorBody = JSON.parse(buffer);
            } catch {
              stream.errorBody = buffer;
            }
            resolve(stream);
          });
        } else {
          resolve(stream);
        }
      });
      req.on('error', reject);
      req.end();
    });
  }

  get headers(): IncomingMessage['headers'] {
    return this.response!.headers;
  }

  // Events of a kind (e.g. 'route'), in arrival order.
  of(kind: string): SseEvent[] {
    return this.events.filter((e) => e.event === kind);
  }

  async waitFor(predicate: (events: SseEvent[]) => boolean, timeoutMs = 10_000): Promise<SseEvent[]> {
    return eventually(() => {
      expect(predicate(this.events)).toBe(true);
      return this.events;
    }, timeoutMs);
  }

  close(): void {
    this.response?.destroy();
  }

  private frame(text: string): void {
    const fields: Record<string, string> = {};
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) {
        this.comments += 1;
        continue;
      }
      const sep = line.indexOf(':');
      if (sep < 0) continue;
      fields[line.slice(0, sep)] = line.slice(sep + 1).replace(/^ /, '');
    }
    if (fields.retry !== undefined) this.retry = Number(fields.retry);
    if (fields.event === undefined && fields.data === undefined) return;
    let data: unknown = fields.data;
    try {
      data = JSON.parse(fields.data);
    } catch {
      // not JSON: kept as text
    }
    this.events.push({ id: fields.id, event: fields.event ?? 'message', data });
  }
}

// Opens a stream, takes what it sends up to its `ready` event (the replay, with Last-Event-ID), and
// closes it, as an HttpResult: body the events, or the error body of a refusal.
export async function watchUntilReady(http: HttpClient, path: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const stream = await SseStream.open(http, path, headers);
  try {
    if (stream.status === 200) await stream.waitFor((events) => events.some((e) => e.event === 'ready'));
  } finally {
    stream.close();
  }
  const body = stream.status === 200 ? stream.events : stream.errorBody;
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(stream.headers)) if (typeof value === 'string') responseHeaders.set(name, value);
  return { status: stream.status, headers: responseHeaders, body, text: JSON.stringify(body) };
}
