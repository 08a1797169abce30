// Unit specs sit next to the code (src/**/*.spec.ts, no network); e2e specs live in test/ and run
// against real PostgreSQL, Redis, Kafka and the MongoDB wire server started by test/setup.
// Type checking is done once by `npm run typecheck`, so ts-jest only transpiles.
const transform = { '^.+\\.ts$': ['ts-jest', {}] };

module.exports = {
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      roots: ['<rootDir>/src', '<rootDir>/sdk'],
      testRegex: '.*\\.spec\\.ts$',
      transform,
    },
    {
      // deploy/ manifests, rules and dashboard, read as files (run by scripts/check-deploy.sh).
      displayName: 'deploy',
      testEnvironment: 'node',
      rootDir: '.',
      roots: ['<rootDir>/test/deploy'],
      testRegex: 'deploy\\.spec\\.ts$',
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      roots: ['<rootDir>/test'],
      testRegex: '.*\\.e2e-spec\\.ts$',
      transform,
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/test-env.ts'],
      moduleNameMapper: { '^@fastify/static$': '<rootDir>/test/setup/native-fastify-static.js' },
    },
  ],
};
