import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConsumerApp } from '../../src/consumer';
import { HttpClient } from './http';

export interface TestConsumer {
  app: NestFastifyApplication;
  http: HttpClient;
  close(): Promise<void>;
}

// Boots the real consumer process (same entry as src/consumer.ts) with env overrides, e.g. a group
// prefix of its own so its offsets start from the beginning of the topic.
export async function startConsumer(overrides: Record<string, string>): Promise<TestConsumer> {
  const saved = Object.fromEntries(Object.keys(overrides).map((k) => [k, process.env[k]]));
  Object.assign(process.env, overrides);
  try {
    const app = await createConsumerApp();
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    return { app, http: new HttpClient(`http://127.0.0.1:${port}`), close: () => app.close() };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

export function groupPrefix(name: string): string {
  return `e2e-${name}-${Date.now().toString(36)}`;
}
