import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { Consumer } from 'kafkajs';

export const ROUTE_EVENTS_PATTERN = 'route-events';

export interface RouteEventsServerOptions {
  kafka: NonNullable<KafkaOptions['options']>;
  topic: string;
  transportId: symbol;
}

// One Nest Kafka transport per consumer group. Nest subscribes a server to every topic named by a
// handler pattern and matches handlers by pattern; we need (a) three groups on the same topic, each
// with its own handler, and (b) a topic name from configuration. So each server has its own
// transport id (handlers declare it in @EventPattern), subscribes to the configured topic only, and
// a deserializer maps every message to one logical pattern, keeping the raw message as the payload.
export class RouteEventsServer extends ServerKafka {
  constructor(private readonly settings: RouteEventsServerOptions) {
    super({
      ...settings.kafka,
      postfixId: '',
      deserializer: { deserialize: (message: unknown) => ({ pattern: ROUTE_EVENTS_PATTERN, data: message }) },
    });
    this.setTransportId(settings.transportId);
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topics: [this.settings.topic], fromBeginning: true });
    await consumer.run({
      ...(this.settings.kafka.run ?? {}),
      autoCommit: false,
      eachMessage: this.getMessageHandler(),
    });
  }
}
