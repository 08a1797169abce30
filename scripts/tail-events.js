#!/usr/bin/env node
// Prints route events as they arrive: `npm run events:tail` (new events only) or
// `npm run events:tail -- --from-beginning`; add `--dlq` for the dead-letter topic, `--max N` to
// stop after N messages. Uses its own throwaway consumer group, so it never steals messages.
const { Kafka, logLevel } = require('kafkajs');

const args = process.argv.slice(2);
const topic = `${process.env.KAFKA_ROUTE_EVENTS_TOPIC || 'route-events'}${args.includes('--dlq') ? '.dlq' : ''}`;
const maxIndex = args.indexOf('--max');
const max = maxIndex >= 0 ? Number(args[maxIndex + 1]) : Infinity;
const kafka = new Kafka({
  clientId: 'traffic-manager-tail',
  brokers: (process.env.KAFKA_BOOTSTRAP_SERVERS || '127.0.0.1:9092').split(','),
  logLevel: logLevel.ERROR,
});
const consumer = kafka.consumer({ groupId: `traffic-manager-tail-${process.pid}-${Date.now()}` });

async function main() {
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: args.includes('--from-beginning') });
  process.stderr.write(`tailing ${topic} (Ctrl-C to stop)\n`);
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers || {}).map(([k, v]) => [k, String(v)]));
      const value = message.value ? message.value.toString() : null;
      let parsed = value;
      try {
        parsed = JSON.parse(value);
      } catch {
        // poison messages are shown as they are
      }
      process.stdout.write(`${JSON.stringify({ partition, offset: message.offset, key: message.key && message.key.toString(), headers, value: parsed })}\n`);
      if (++seen >= max) setImmediate(stop);
    },
  });
}

async function stop() {
  await consumer.disconnect().catch(() => undefined);
  process.exit(0);
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
main().catch((err) => {
  process.stderr.write(`tail failed: ${err.message}\n`);
  process.exit(1);
});
