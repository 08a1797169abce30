import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/app.module';
import { createHttpApp } from '../../src/bootstrap';
import { HttpClient } from './http';

export interface TestApp {
  app: NestFastifyApplication;
  http: HttpClient;
  close(): Promise<void>;
}

// Boots the real API (same bootstrap as main.ts) on a random port, with optional env overrides that
// apply only while this app reads its configuration.
export async function startApi(overrides: Record<string, string> = {}): Promise<TestApp> {
  const saved = Object.fromEntries(Object.keys(overrides).map((k) => [k, process.env[k]]));
  Object.assign(process.env, overrides);
  try {
    const app = await createHttpApp(AppModule, { swagger: true });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    return { app, http: new HttpClient(`http://127.0.0.1:${address.port}`), close: () => app.close() };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
