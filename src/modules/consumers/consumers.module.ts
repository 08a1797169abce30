import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { reconcileConfig } from '../../config/reconcile.config';
import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { KafkaHealthIndicator } from '../../infra/kafka/kafka.health';
import { Readiness, READINESS_METRIC } from '../health';
import { ConsumerHealthController } from './consumer-health.controller';
import { consumerGroups, ConsumerGroupType, ReadinessIndicator } from './consumer-groups';
import { ConsumerGroupsHealthIndicator } from './consumer-groups.health';
import { ConsumerLagReporter } from './consumer-lag-reporter';
import { ConsumerTransports } from './consumer-transports';
import { CONSUMER_READINESS_CHECKS, GROUP_RETRY_BUDGETS } from './consumers.constants';
import { CONSUMERS_METRICS } from './consumers.metrics';
import { EventDelivery } from './event-delivery';

// The consumer groups a process runs, built from the group table (consumer-groups.ts): the enabled
// groups' handlers, the store modules they need (and no others), their readiness checks, delivery,
// lag and metrics. The Kafka transports are created by the entry point (ConsumerTransports).
@Module({})
export class ConsumersModule {
  static register(groups: ConsumerGroupType[]): DynamicModule {
    const table = consumerGroups();
    const definitions = groups.map((group) => table[group]);
    const stores = new Map<string, Type<ReadinessIndicator>>(definitions.flatMap((d) => Object.entries(d.readiness)));
    return {
      module: ConsumersModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        ConfigModule.forFeature(reconcileConfig),
        ...new Set(definitions.flatMap((d) => d.stores)),
      ],
      controllers: [ConsumerHealthController, ...definitions.map((d) => d.handler)],
      providers: [
        Readiness,
        EventDelivery,
        ConsumerLagReporter,
        ConsumerTransports,
        ConsumerGroupsHealthIndicator,
        KafkaHealthIndicator,
        ...new Set(stores.values()),
        ...new Set(definitions.flatMap((d) => d.workers ?? [])),
        ...CONSUMERS_METRICS,
        makeGaugeProvider({ name: READINESS_METRIC, help: '1 when the last /health/ready passed, 0 when it failed' }),
        readinessChecks(groups, [...stores]),
        {
          provide: GROUP_RETRY_BUDGETS,
          useValue: Object.fromEntries(Object.entries(table).map(([group, d]) => [group, d.retryBudget])),
        },
      ],
    };
  }
}

// `consumer:<group>` per enabled group, then each store check once, however many groups need it.
function readinessChecks(groups: ConsumerGroupType[], stores: Array<[string, Type<ReadinessIndicator>]>): Provider {
  return {
    provide: CONSUMER_READINESS_CHECKS,
    inject: [ConsumerGroupsHealthIndicator, ...stores.map(([, indicator]) => indicator)],
    useFactory: (consumers: ConsumerGroupsHealthIndicator, ...indicators: ReadinessIndicator[]) => [
      ...groups.map((group) => () => consumers.check(group)),
      ...indicators.map((indicator, i) => () => indicator.check(stores[i][0])),
    ],
  };
}
