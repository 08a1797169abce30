// @fastify/static 10 depends on ESM-only packages (glob, content-disposition). Node 20.19+ can
// require() them natively, Jest's module registry cannot; Swagger UI needs @fastify/static, so in
// tests it is loaded through Node's own require instead of Jest's.
const nodeModule = process.getBuiltinModule('module');
module.exports = nodeModule.createRequire(__filename)('@fastify/static');
