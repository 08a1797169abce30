// Every e2e file talks to the test database and quiet logs unless it overrides something itself.
process.env.DB_NAME = process.env.TEST_DB_NAME ?? 'traffic_manager_test';
process.env.ENVIRONMENT = 'test';
// The bootstrap platform-admin key of every API the tests start (in process or spawned); HttpClient
// sends it by default. Outside development the API refuses to start without one.
process.env.AUTH_BOOTSTRAP_ADMIN_KEY = 'e2e-bootstrap-admin-key-0123456789abcdef';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'ERROR';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// Suites about something else must not meet the per-tenant limits (their rejected writes share one
// Redis bucket across suites); test/auth/rate-limit.e2e-spec.ts sets small limits for its own apps.
process.env.RATE_LIMIT_READS = '100000000';
process.env.RATE_LIMIT_WRITES = '100000000';
// Own topic and audit database, so a locally running stack (npm run start:stack) and the tests never
// consume or audit each other's events.
process.env.KAFKA_ROUTE_EVENTS_TOPIC = 'route-events-e2e';
process.env.MONGODB_DB = 'audit_e2e';
// The cache reconciler repairs Redis entries that differ from PostgreSQL; suites that put such entries
// there on purpose must keep them, so it runs only where a suite turns it on
// (test/events/cache-reconciler.e2e-spec.ts).
process.env.CACHE_RECONCILE_INTERVAL_MS = '0';
