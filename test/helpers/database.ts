import { Client } from 'pg';

// A plain pg connection for assertions on what the app committed (never used to arrange state).
export async function connectDb(): Promise<Client> {
  const client = new Client({
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 5432),
    database: process.env.DB_NAME,
    user: process.env.DB_USER ?? 'traffic_manager',
    password: process.env.DB_PASSWORD ?? 'traffic_manager',
  });
  await client.connect();
  return client;
}

export async function outboxFor(db: Client, key: string): Promise<Array<{ payload: any; headers: any }>> {
  const { rows } = await db.query('SELECT payload, headers FROM outbox_events WHERE message_key = $1 ORDER BY id', [key]);
  return rows;
}
