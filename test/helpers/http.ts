export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class HttpClient {
  constructor(readonly baseUrl: string) {}

  get<T = any>(path: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const raw = body === undefined ? undefined : JSON.stringify(body);
    return this.request<T>('POST', path, raw, { 'content-type': 'application/json', ...headers });
  }

  async request<T = any>(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, body, headers });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // non-JSON bodies stay as text; tests asserting JSON will fail on them
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }
}

export function resolvePath(route: { tenant: string; service: string; env: string; version: string }): string {
  const q = new URLSearchParams(route);
  return `/api/v1/routes/resolve?${q.toString()}`;
}
