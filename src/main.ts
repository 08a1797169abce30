import './config/dotenv';
import './common/runtime/lean-async-bind';
import './infra/kafka/kafka-warnings';
import { ConfigType } from '@nestjs/config';
import { appConfig } from './config/app.config';
import { authSettings } from './config/auth.config';
import { loadEnv } from './config/env.validation';
import { AppModule } from './app.module';
import { createHttpApp } from './bootstrap';
import { GracefulShutdown } from './modules/resilience';

async function main(): Promise<void> {
  // The API's own required setting, checked before Nest starts: a missing bootstrap key is then this
  // process's one error line below, not a dependency-injection failure with a stack.
  authSettings(loadEnv());
  const app = await createHttpApp(AppModule, { swagger: true });
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  app.get(GracefulShutdown).install(app, { waitForLoadBalancers: true });
  await app.listen(config.port, config.host);
}

main().catch((err: unknown) => {
  // The logger may not exist yet (e.g. invalid configuration), so this one line goes to stderr.
  process.stderr.write(`traffic-manager failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
