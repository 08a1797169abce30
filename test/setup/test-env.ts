// Every e2e file talks to the test database and quiet logs unless it overrides something itself.
process.env.DB_NAME = process.env.TEST_DB_NAME ?? 'traffic_manager_test';
process.env.ENVIRONMENT = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'ERROR';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// Own topic and audit database, so a locally running stack (npm run start:stack) and the tests never
// consume or audit each other's events.
process.env.KAFKA_ROUTE_EVENTS_TOPIC = 'route-events-e2e';
process.env.MONGODB_DB = 'audit_e2e';
