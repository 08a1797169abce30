import { registerAs } from '@nestjs/config';
import { loadEnv } from './env.validation';

export const resolveConfig = registerAs('resolve', () => {
  const env = loadEnv();
  return {
    localCacheEnabled: env.RESOLVE_LOCAL_CACHE_ENABLED,
    localCacheTtlMs: env.RESOLVE_LOCAL_CACHE_TTL_MS,
    localCacheMaxEntries: env.RESOLVE_LOCAL_CACHE_MAX_ENTRIES,
    // Share of an entry's lifetime after which a hit fetches it again in the background (100: never).
    localCacheRefreshAfter: env.RESOLVE_LOCAL_CACHE_REFRESH_PERCENT / 100,
    // Long-poll resolves (Prefer: wait) held at once on this instance; 0 turns long-polling off.
    maxWatchers: env.RESOLVE_MAX_WATCHERS,
    // Watch streams (GET /api/v1/routes/watch) open at once on this instance.
    maxWatchStreams: env.ROUTE_WATCH_MAX_STREAMS,
  };
});

export type ResolveConfig = ReturnType<typeof resolveConfig>;
