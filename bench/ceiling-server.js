'use strict';
// The ceiling: plain Fastify (no Nest, no logging, no cache) answering resolve's exact JSON for the same
// query strings, with the URL the bench seeds. Whatever our API spends beyond this is our own cost.
//   node bench/ceiling-server.js <port>
const fastify = require('fastify')({ logger: false });

fastify.get('/api/v1/routes/resolve', async (request, reply) => {
  const { tenant, service, env, version } = request.query;
  if (!tenant || !service || !env || !version || !version.startsWith('v')) {
    reply.code(404);
    return {
      tenant,
      service,
      env,
      version,
      error: 'ROUTE.NOT_FOUND',
      message: `No active route found for ${tenant}/${service}/${env}/${version}`,
      correlation_id: request.id,
    };
  }
  return { tenant, service, env, version, url: `https://${service}-${version}.${tenant}.bench.example.com`, revision: 1 };
});

fastify.get('/health/live', async () => ({ status: 'ok' }));

fastify.listen({ port: Number(process.argv[2]), host: '127.0.0.1' }).catch((err) => {
  process.stderr.write(`ceiling server failed: ${err.message}\n`);
  process.exit(1);
});
