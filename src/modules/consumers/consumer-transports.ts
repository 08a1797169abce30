import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { kafkaConfig } from '../../config/kafka.config';
import { KafkaTopics } from '../../infra/kafka/kafka-topics';
import { RouteEventsServer, TransportStatus } from '../../infra/kafka/route-events-server';
import { consumerGroups, ConsumerGroupType } from './consumer-groups';
import { consumerTransportOptions } from './consumer-transport.options';

// The consumer-group transports of this process. Nest custom transports live outside DI: the entry
// point asks for one per enabled group and connects it; they are kept here for readiness.
@Injectable()
export class ConsumerTransports {
  private readonly transports = new Map<ConsumerGroupType, RouteEventsServer>();

  constructor(
    private readonly topics: KafkaTopics,
    @Inject(kafkaConfig.KEY) private readonly config: ConfigType<typeof kafkaConfig>,
  ) {}

  // Each group reads the topic on its own transport id, creating the topics first if missing.
  create(group: ConsumerGroupType, onFatal: (err: Error) => void): RouteEventsServer {
    const server = new RouteEventsServer({
      name: group,
      topic: this.config.routeEventsTopic,
      transportId: consumerGroups()[group].transport,
      prepare: () => this.topics.ensureRouteTopics(),
      onFatal,
      kafka: consumerTransportOptions(this.config, group),
    });
    this.transports.set(group, server);
    return server;
  }

  status(group: ConsumerGroupType): TransportStatus | undefined {
    return this.transports.get(group)?.transportStatus();
  }
}
