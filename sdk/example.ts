// Runs the SDK against a Traffic Manager (README, "From a TypeScript service"):
//   npx ts-node --transpile-only sdk/example.ts [tenant/service/env/version]
// TM_URL (http://127.0.0.1:8000) and TM_API_KEY (the development admin key) say where and as whom.
import { TrafficManagerClient } from '.';

async function main(): Promise<void> {
  const [tenant, service, env, version] = (process.argv[2] ?? 'team-a/payments/prod/v2').split('/');
  const client = new TrafficManagerClient({
    baseUrl: process.env.TM_URL ?? 'http://127.0.0.1:8000',
    apiKey: process.env.TM_API_KEY ?? 'tm-dev-admin-key',
    watch: [{ tenant }],
  });
  const started = await client.start();
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  print(started);
  try {
    print(await client.resolve({ tenant, service, env, version }));
    print(await client.resolve({ tenant, service, env, version }));
  } finally {
    print(client.stats);
    await client.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exitCode = 1;
});
