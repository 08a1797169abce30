import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, ValidateBy, validateSync } from 'class-validator';
import { CONSUMER_GROUP_NAMES } from '../contracts/consumer-group-names';
import { MAX_OVERRIDE_LIMIT, parseTenantOverrides } from './rate-limit-overrides';

// Reads the raw string (obj[key]): implicit conversion would already have made 'false' truthy.
const toBool = ({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
  const value = obj[key];
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  return value;
};

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL', 'FATAL'] as const;
export const ENVIRONMENTS = ['development', 'test', 'staging', 'production'] as const;

function consumerGroupNames(): readonly string[] {
  return CONSUMER_GROUP_NAMES;
}

const IsConsumerGroupList = () =>
  ValidateBy({
    name: 'isConsumerGroupList',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.split(',').every((name) => consumerGroupNames().includes(name)),
      defaultMessage: () => `must be a comma-separated subset of ${consumerGroupNames().join(',')}`,
    },
  });

// Browsers send Origin as scheme://host[:port] in lower case, and CORS compares it exactly.
const ORIGIN = /^https?:\/\/([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/;
const IsOriginList = () =>
  ValidateBy({
    name: 'isOriginList',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.split(',').every((origin) => ORIGIN.test(origin.trim())),
      defaultMessage: () =>
        'must be a comma-separated list of exact origins such as https://app.example.com (scheme://host[:port], lower case, no path, no wildcard)',
    },
  });

const IsTenantOverrides = () =>
  ValidateBy({
    name: 'isTenantOverrides',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseTenantOverrides(value).problem === undefined,
      defaultMessage: (args) => parseTenantOverrides(String(args?.value)).problem ?? 'is invalid',
    },
  });

const OPERATIONAL_ACCESS = ['open', 'key'] as const;

// Visible ASCII only: a header value is trimmed, and a key is typed or pasted by people. Never part
// of a message (the value is a secret).
const IsBootstrapKey = () =>
  ValidateBy({
    name: 'isBootstrapKey',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^[\x21-\x7e]{32,256}$/.test(value) && !value.startsWith('tm_'),
      defaultMessage: () => 'must be 32-256 visible ASCII characters (no spaces), not starting with "tm_" (the prefix of generated keys)',
    },
  });

// Settings whose value never appears in an error message.
const SECRET_SETTINGS = new Set(['AUTH_BOOTSTRAP_ADMIN_KEY', 'DB_PASSWORD', 'REDIS_PASSWORD', 'MONGODB_PASSWORD']);

// Every variable the two processes read, with its default. `.env.example` documents each one.
export class EnvironmentVariables {
  @IsIn(ENVIRONMENTS) ENVIRONMENT: string = 'development';
  @Transform(({ value }) => String(value).toUpperCase()) @IsIn(LOG_LEVELS) LOG_LEVEL: string = 'INFO';

  @IsString() @IsNotEmpty() API_HOST: string = '0.0.0.0';
  @IsInt() @Min(1) @Max(65535) API_PORT: number = 8000;
  @IsInt() @Min(1) @Max(65535) CONSUMER_PORT: number = 8001;
  @IsInt() @Min(1000) @Max(300_000) HTTP_HEADERS_TIMEOUT_MS: number = 10_000;
  @IsInt() @Min(1000) @Max(300_000) HTTP_BODY_TIMEOUT_MS: number = 10_000;
  @IsInt() @Min(1000) @Max(600_000) HTTP_REQUEST_TIMEOUT_MS: number = 30_000;
  @IsInt() @Min(1000) @Max(600_000) HTTP_KEEP_ALIVE_TIMEOUT_MS: number = 72_000;
  @IsOptional() @IsOriginList() CORS_ORIGINS?: string;
  @IsInt() @Min(0) @Max(86_400) CORS_MAX_AGE_SECONDS: number = 600;
  // Checked further (required outside development, not the development key) by auth.config.ts, which
  // only the API loads: the consumer and the migration CLI have no use for it.
  @IsOptional() @IsBootstrapKey() AUTH_BOOTSTRAP_ADMIN_KEY?: string;
  @IsInt() @Min(1000) @Max(3_600_000) AUTH_KEY_CACHE_TTL_MS: number = 60_000;
  // Unset: open in development, key elsewhere (auth.config.ts).
  @IsOptional() @IsIn(OPERATIONAL_ACCESS) METRICS_AUTH?: string;
  @IsOptional() @IsIn(OPERATIONAL_ACCESS) DOCS_AUTH?: string;
  @IsInt() @Min(100) @Max(3_600_000) RATE_LIMIT_WINDOW_MS: number = 60_000;
  @IsInt() @Min(1) @Max(MAX_OVERRIDE_LIMIT) RATE_LIMIT_READS: number = 60_000;
  @IsInt() @Min(1) @Max(MAX_OVERRIDE_LIMIT) RATE_LIMIT_WRITES: number = 1200;
  @IsOptional() @IsTenantOverrides() RATE_LIMIT_TENANT_OVERRIDES?: string;

  @IsString() @IsNotEmpty() DB_HOST: string = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) DB_PORT: number = 5432;
  @IsString() @IsNotEmpty() DB_NAME: string = 'traffic_manager';
  @IsString() @IsNotEmpty() DB_USER: string = 'traffic_manager';
  @IsString() DB_PASSWORD: string = 'traffic_manager';
  @IsInt() @Min(0) @Max(1000) DB_POOL_MIN: number = 2;
  @IsInt() @Min(1) @Max(1000) DB_POOL_MAX: number = 10;
  @IsInt() @Min(1) @Max(600) DB_CONNECTION_TIMEOUT: number = 5;
  @IsInt() @Min(100) @Max(600_000) DB_STATEMENT_TIMEOUT_MS: number = 5000;
  @IsInt() @Min(1) @Max(1000) DB_WRITE_GROUP_MAX: number = 32;
  @IsInt() @Min(1) @Max(100) DB_WRITE_GROUP_CONCURRENCY: number = 2;
  @IsInt() @Min(1) @Max(1_000_000) ROUTE_HISTORY_LIMIT: number = 100;

  @IsString() @IsNotEmpty() REDIS_HOST: string = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) REDIS_PORT: number = 6379;
  @IsInt() @Min(0) @Max(15) REDIS_DB: number = 0;
  @IsOptional() @IsString() REDIS_PASSWORD?: string;
  @IsInt() @Min(5) @Max(5000) REDIS_COMMAND_TIMEOUT_MS: number = 250;
  @IsInt() @Min(50) @Max(60_000) REDIS_CONNECT_TIMEOUT_MS: number = 1000;

  @IsInt() @Min(1) @Max(86_400) CACHE_POSITIVE_TTL: number = 60;
  @IsInt() @Min(1) @Max(86_400) CACHE_NEGATIVE_TTL: number = 10;
  @Transform(toBool) @IsBoolean() RESOLVE_LOCAL_CACHE_ENABLED: boolean = true;
  @IsInt() @Min(50) @Max(600_000) RESOLVE_LOCAL_CACHE_TTL_MS: number = 60_000;
  @IsInt() @Min(100) @Max(10_000_000) RESOLVE_LOCAL_CACHE_MAX_ENTRIES: number = 100_000;
  @IsInt() @Min(1) @Max(100) RESOLVE_LOCAL_CACHE_REFRESH_PERCENT: number = 50;
  @IsInt() @Min(0) @Max(1_000_000) RESOLVE_MAX_WATCHERS: number = 10_000;
  @IsInt() @Min(0) @Max(100_000) ROUTE_WATCH_MAX_STREAMS: number = 1_000;

  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'must be a comma-separated list of host:port' })
  KAFKA_BOOTSTRAP_SERVERS: string = '127.0.0.1:9092';
  @Matches(/^[A-Za-z0-9._-]{1,200}$/) KAFKA_ROUTE_EVENTS_TOPIC: string = 'route-events';
  @Matches(/^[A-Za-z0-9._-]{1,200}$/) KAFKA_CLIENT_ID: string = 'traffic-manager';
  @IsInt() @Min(1) @Max(1000) KAFKA_TOPIC_PARTITIONS: number = 6;
  @IsInt() @Min(1000) @Max(120_000) KAFKA_REQUEST_TIMEOUT_MS: number = 10_000;
  @Matches(/^[A-Za-z0-9._-]{1,200}$/) KAFKA_CONSUMER_GROUP_PREFIX: string = 'traffic-manager';
  @IsConsumerGroupList() CONSUMER_GROUPS: string = consumerGroupNames().join(',');

  @Transform(toBool) @IsBoolean() OUTBOX_RELAY_ENABLED: boolean = true;
  @IsInt() @Min(10) @Max(60_000) OUTBOX_POLL_INTERVAL_MS: number = 200;
  @IsInt() @Min(1) @Max(10_000) OUTBOX_BATCH_SIZE: number = 200;
  @IsInt() @Min(1) @Max(8760) OUTBOX_RETENTION_HOURS: number = 72;

  @Transform(toBool) @IsBoolean() WEBHOOK_ALLOW_HTTP: boolean = false;
  @Transform(toBool) @IsBoolean() WEBHOOK_ALLOW_PRIVATE_TARGETS: boolean = false;
  @IsInt() @Min(100) @Max(60_000) WEBHOOK_TIMEOUT_MS: number = 5_000;
  @IsInt() @Min(1) @Max(50) WEBHOOK_MAX_ATTEMPTS: number = 8;
  @IsInt() @Min(10) @Max(3_600_000) WEBHOOK_RETRY_BASE_MS: number = 5_000;
  @IsInt() @Min(10) @Max(86_400_000) WEBHOOK_RETRY_MAX_MS: number = 3_600_000;
  @IsInt() @Min(1) @Max(256) WEBHOOK_CONCURRENCY: number = 8;
  @IsInt() @Min(1) @Max(8760) WEBHOOK_DELIVERY_RETENTION_HOURS: number = 168;
  @IsInt() @Min(1) @Max(1000) WEBHOOK_MAX_PER_TENANT: number = 25;
  @IsInt() @Min(0) @Max(31_536_000_000) WEBHOOK_DISABLE_AFTER_MS: number = 259_200_000;

  // The cache reconciler (anti-entropy, consumer process with cache_invalidation): a pass over every
  // route comparing Redis with PostgreSQL, CACHE_RECONCILE_BATCH routes every CACHE_RECONCILE_INTERVAL_MS
  // (0: off); a cache entry behind PostgreSQL by a change older than CACHE_RECONCILE_GRACE_MS is drift.
  @IsInt() @Min(0) @Max(3_600_000) CACHE_RECONCILE_INTERVAL_MS: number = 1_000;
  @IsInt() @Min(1) @Max(10_000) CACHE_RECONCILE_BATCH: number = 500;
  @IsInt() @Min(100) @Max(3_600_000) CACHE_RECONCILE_GRACE_MS: number = 5_000;

  // Both processes hand the C heap's free pages back to the kernel (glibc's malloc_trim) this often;
  // 0: never (docs/design.md, "Memory").
  @IsInt() @Min(0) @Max(3_600_000) MALLOC_TRIM_INTERVAL_MS: number = 10_000;

  // Log lines are gathered and written together at most this long after the first of them (or at
  // 4 KB); 0: each line is written as it comes (docs/design.md, "Logs and secrets").
  @IsInt() @Min(0) @Max(10_000) LOG_FLUSH_INTERVAL_MS: number = 100;

  @IsInt() @Min(1) @Max(1000) BREAKER_FAILURE_THRESHOLD: number = 5;
  @IsInt() @Min(100) @Max(600_000) BREAKER_HALF_OPEN_AFTER_MS: number = 5_000;
  @IsInt() @Min(0) @Max(100) RETRY_BUDGET_PERCENT: number = 20;
  @IsInt() @Min(0) @Max(100_000) RETRY_BUDGET_MIN_RETRIES: number = 10;
  @IsInt() @Min(1) @Max(100_000) BULKHEAD_RESOLVE_CONCURRENCY: number = 1024;
  @IsInt() @Min(0) @Max(100_000) BULKHEAD_RESOLVE_QUEUE: number = 1024;
  @IsInt() @Min(1) @Max(100_000) BULKHEAD_WRITES_CONCURRENCY: number = 64;
  @IsInt() @Min(0) @Max(100_000) BULKHEAD_WRITES_QUEUE: number = 128;
  @IsInt() @Min(1) @Max(100_000) BULKHEAD_AUDIT_CONCURRENCY: number = 16;
  @IsInt() @Min(0) @Max(100_000) BULKHEAD_AUDIT_QUEUE: number = 32;
  // Per tenant, on resolve's fall-through to PostgreSQL (cache misses): at most this share of the
  // connection pool (100: no limit of its own), then a queue; beyond it 503 for that tenant only.
  @IsInt() @Min(1) @Max(100) RESOLVE_TENANT_DB_SHARE_PERCENT: number = 80;
  @IsInt() @Min(0) @Max(100_000) RESOLVE_TENANT_DB_QUEUE: number = 1024;
  @IsInt() @Min(0) @Max(300) DRAIN_DELAY: number = 5;
  @IsInt() @Min(1) @Max(3600) DRAIN_TIMEOUT: number = 30;

  @IsString() @IsNotEmpty() MONGODB_HOST: string = '127.0.0.1';
  @IsInt() @Min(1) @Max(65535) MONGODB_PORT: number = 27017;
  @Matches(/^[A-Za-z0-9_-]{1,64}$/) MONGODB_DB: string = 'audit_db';
  @IsOptional() @IsString() MONGODB_USER?: string;
  @IsOptional() @IsString() MONGODB_PASSWORD?: string;
  @Matches(/^[A-Za-z0-9._-]{1,120}$/) MONGODB_AUDIT_COLLECTION: string = 'route_events';
  @IsInt() @Min(0) @Max(86_400_000) AUDIT_VERIFY_GRACE_MS: number = 60_000;
  @IsInt() @Min(100) @Max(120_000) MONGODB_SERVER_SELECTION_TIMEOUT_MS: number = 2000;
}

export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(EnvironmentVariables, present, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  const lines = errors.map((e) => {
    const value = raw[e.property];
    const given = SECRET_SETTINGS.has(e.property) ? `(${String(value ?? '').length} characters, not shown)` : JSON.stringify(value);
    return `  ${e.property}=${given}: ${Object.values(e.constraints ?? {}).join('; ')}`;
  });
  if (errors.length === 0) lines.push(...crossFieldProblems(env, raw));
  if (lines.length > 0) {
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}

// Node refuses a headers timeout longer than the request timeout, and a body or headers phase that
// outlives the whole request could never fire.
function crossFieldProblems(env: EnvironmentVariables, raw: Record<string, unknown>): string[] {
  return (['HTTP_HEADERS_TIMEOUT_MS', 'HTTP_BODY_TIMEOUT_MS'] as const)
    .filter((name) => env[name] > env.HTTP_REQUEST_TIMEOUT_MS)
    .map((name) => `  ${name}=${JSON.stringify(raw[name] ?? env[name])}: must not exceed HTTP_REQUEST_TIMEOUT_MS (${env.HTTP_REQUEST_TIMEOUT_MS})`);
}

// The single reader of process.env (ormconfig.ts goes through here too). Not memoised: each
// application instance (and each e2e test app) reads the environment as it is when it boots.
export function loadEnv(): EnvironmentVariables {
  return validateEnv(process.env);
}
