export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

// The bootstrap platform-admin key every e2e process runs with (test/setup/test-env.ts); the API
// refuses to start without one outside ENVIRONMENT=development.
export const TEST_ADMIN_KEY = process.env.AUTH_BOOTSTRAP_ADMIN_KEY ?? 'tm-dev-admin-key';

// Sends `Authorization: Bearer <key>` with every request (the bootstrap admin key unless told
// otherwise) unless the request sets Authorization or X-API-Key itself. `as(key)` is the same server
// with another key, `as(null)` with none.
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    readonly key: string | null = TEST_ADMIN_KEY,
  ) {}

  as(key: string | null): HttpClient {
    return new HttpClient(this.baseUrl, key);
  }

  get<T = any>(path: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const raw = body === undefined ? undefined : JSON.stringify(body);
    return this.request<T>('POST', path, raw, { 'content-type': 'application/json', ...headers });
  }

  async request<T = any>(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, body, headers: this.withKey(headers) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // non-JSON bodies stay as text; tests asserting JSON will fail on them
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  patch<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const raw = body === undefined ? undefined : JSON.stringify(body);
    return this.request<T>('PATCH', path, raw, { 'content-type': 'application/json', ...headers });
  }

  put<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const raw = body === undefined ? undefined : JSON.stringify(body);
    return this.request<T>('PUT', path, raw, { 'content-type': 'application/json', ...headers });
  }

  delete<T = any>(path: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  private withKey(headers: Record<string, string>): Record<string, string> {
    const own = Object.keys(headers).some((name) => /^(authorization|x-api-key)$/i.test(name));
    return this.key === null || own ? headers : { authorization: `Bearer ${this.key}`, ...headers };
  }
}

export function resolvePath(route: { tenant: string; service: string; env: string; version: string }): string {
  const q = new URLSearchParams(route);
  return `/api/v1/routes/resolve?${q.toString()}`;
}
