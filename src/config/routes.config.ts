import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const routesConfig = registerAs('routes', () => {
  const env = loadEnv();
  return {
    historyLimit: env.ROUTE_HISTORY_LIMIT,
  };
});

export type RoutesConfig = ReturnType<typeof routesConfig>;
