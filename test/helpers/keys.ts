import { HttpClient } from './http';

export interface KeyRequest {
  name?: string;
  tenant?: string;
  role: 'reader' | 'writer' | 'admin';
  expires_at?: string;
}

let counter = 0;

// Creates a key through the API with `admin` (the client's own key by default, the bootstrap admin)
// and returns its id and the key itself; fails the test if the API refuses.
export async function createKey(admin: HttpClient, request: KeyRequest): Promise<{ id: string; key: string; client: HttpClient }> {
  const name = request.name ?? `key-${Date.now().toString(36)}-${(counter += 1)}`;
  const res = await admin.post('/api/v1/keys', { ...request, name });
  if (res.status !== 201) throw new Error(`creating key ${name} answered ${res.status}: ${res.text}`);
  return { id: res.body.id, key: res.body.key, client: admin.as(res.body.key) };
}
