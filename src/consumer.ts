import './config/dotenv';
import './common/runtime/lean-async-bind';
import './infra/kafka/kafka-warnings';
import { Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { appConfig } from './config/app.config';
import { kafkaConfig } from './config/kafka.config';
import { createHttpApp } from './bootstrap';
import { ConsumerModule } from './consumer.module';
import { ConsumerGroupType } from './modules/consumers';
import { ConsumerTransports } from './modules/consumers';
import { GracefulShutdown } from './modules/resilience';

// The consumer process: one Nest Kafka transport (consumer group) per enabled group type, plus a
// small HTTP server on CONSUMER_PORT for /health/live, /health/ready and /metrics.
// The process starts whether or not Kafka, its topic or the stores are there yet: each transport
// creates the topics if missing and keeps retrying, and /health/ready says what it is waiting for.
export async function createConsumerApp(): Promise<NestFastifyApplication> {
  const groups = kafkaConfig().consumerGroups as ConsumerGroupType[];
  const app = await createHttpApp(ConsumerModule.register(groups));
  const transports = app.get(ConsumerTransports);
  for (const group of groups) {
    const server = transports.create(group, (err) => stopOnConfigurationError(app, group, err));
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
