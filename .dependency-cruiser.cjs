// Module boundaries (docs: README "Code map"). Run by `npm run lint` (part of `npm test`).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'infra-not-to-modules',
      comment: 'Infrastructure clients (src/infra) are used by feature modules, never the other way round.',
      severity: 'error',
      from: { path: '^src/infra/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'common-not-to-modules',
      comment: 'Cross-cutting pieces (src/common, src/config, src/contracts) know no feature module.',
      severity: 'error',
      from: { path: '^src/(common|config|contracts)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'modules-through-public-files',
      comment: 'A module uses another module only through its public file, src/modules/<name>/index.ts.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'entry-points-through-public-files',
      comment: 'The root modules and entry points (src/*.ts) also use modules only through their index.ts.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'sdk-stands-alone',
      comment: 'The client SDK (sdk/) ships to other services: it uses no service code, and the service does not use it.',
      severity: 'error',
      from: { path: '^sdk/' },
      to: { path: '^(src|test|bench|scripts|migrations)/' },
    },
    {
      name: 'service-not-to-sdk',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^sdk/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules|\\.tmp)/' },
  },
};
