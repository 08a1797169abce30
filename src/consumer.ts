import './config/dotenv';
import './infra/kafka/kafka-warnings';
import { Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Partitioners } from 'kafkajs';
import { appConfig } from './config/app.config';
import { kafkaConfig } from './config/kafka.config';
import { createHttpApp } from './bootstrap';
import { ConsumerModule } from './consumer.module';
import { kafkaLogCreator } from './infra/kafka/kafka-logger';
import { KafkaTopics } from './infra/kafka/kafka-topics';
import { RouteEventsServer } from './infra/kafka/route-events-server';
import { ConsumerGroupType, GROUP_TRANSPORTS, groupId } from './modules/consumers/consumer-groups';
import { ConsumerTransports } from './modules/consumers/consumer-transports';
import { GracefulShutdown } from './modules/resilience/graceful-shutdown';

// The consumer process: one Nest Kafka transport (consumer group) per enabled group type, plus a
// small HTTP server on CONSUMER_PORT for /health/live, /health/ready and /metrics.
// The process starts whether or not Kafka, its topic or the stores are there yet: each transport
// creates the topics if missing and keeps retrying, and /health/ready says what it is waiting for.
export async function createConsumerApp(): Promise<NestFastifyApplication> {
  const groups = kafkaConfig().consumerGroups as ConsumerGroupType[];
  const app = await createHttpApp(ConsumerModule.register(groups));
  const kafka = app.get<ConfigType<typeof kafkaConfig>>(kafkaConfig.KEY);
  const topics = app.get(KafkaTopics);
  const transports = app.get(ConsumerTransports);
  for (const group of groups) {
    const server = new RouteEventsServer({
      name: group,
      topic: kafka.routeEventsTopic,
      transportId: GROUP_TRANSPORTS[group],
      prepare: () => topics.ensureRouteTopics(),
      onFatal: (err) => stopOnConfigurationError(app, group, err),
      kafka: {
        client: {
          brokers: kafka.brokers,
          clientId: `${kafka.clientId}-${group}`,
          connectionTimeout: 3000,
          retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 10 },
          logCreator: kafkaLogCreator,
        },
        // A member that vanished (crash, broker restart) is given up after 10 s, not KafkaJS's 30 s;
        // handlers heartbeat while they retry, so slow stores do not trigger rebalances.
        consumer: { groupId: groupId(kafka.groupPrefix, group), sessionTimeout: 10_000, heartbeatInterval: 1000, allowAutoTopicCreation: false },
        producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
        run: { partitionsConsumedConcurrently: 1 },
      },
    });
    transports.register(group, server);
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  }
  await app.startAllMicroservices();
  return app;
}

// Bad credentials or missing permissions cannot be waited out: say so and stop.
function stopOnConfigurationError(app: NestFastifyApplication, group: string, err: Error): void {
  new Logger('Consumer').error(`${group}: Kafka refused this configuration (${err.message}); check KAFKA_* settings. Stopping.`);
  process.exitCode = 1;
  void app.close().finally(() => process.exit(1));
}

async function main(): Promise<void> {
  const app = await createConsumerApp();
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  // Nothing routes HTTP work to the consumer, so there is no load balancer to wait for.
  app.get(GracefulShutdown).install(app, { waitForLoadBalancers: false });
  await app.listen(config.consumerPort, config.host);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`traffic-manager consumer failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
