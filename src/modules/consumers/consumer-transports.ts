import { Injectable } from '@nestjs/common';
import { TransportStatus } from '../../infra/kafka/route-events-server';
import { ConsumerGroupType } from './consumer-groups';

export interface StatusSource {
  transportStatus(): TransportStatus;
}

// The running consumer-group transports of this process, for readiness. They are created by the
// entry point (outside DI, as Nest custom transports are), which registers each one here.
@Injectable()
export class ConsumerTransports {
  private readonly transports = new Map<ConsumerGroupType, StatusSource>();

  register(group: ConsumerGroupType, transport: StatusSource): void {
    this.transports.set(group, transport);
  }

  status(group: ConsumerGroupType): TransportStatus | undefined {
    return this.transports.get(group)?.transportStatus();
  }
}
