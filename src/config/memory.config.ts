import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const memoryConfig = registerAs('memory', () => {
  const env = loadEnv();
  return {
    trimEnabled: env.MEMORY_TRIM_ENABLED,
    checkIntervalMs: env.MEMORY_TRIM_INTERVAL_MS,
    // Share of the last interval the event loop may have been busy for the process to count as idle.
    idleBusyShare: env.MEMORY_TRIM_IDLE_PERCENT / 100,
    minGrowthBytes: env.MEMORY_TRIM_MIN_GROWTH_MB * 1024 * 1024,
  };
});

export type MemoryConfig = ReturnType<typeof memoryConfig>;
