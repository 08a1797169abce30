import { Module } from '@nestjs/common';
import { OutboxPublisher } from './outbox-publisher';
import { OutboxRelay } from './outbox-relay';
import { OUTBOX_METRICS } from './outbox.metrics';
import { OutboxRepository } from './outbox.repository';

// Runs inside the API process (OUTBOX_RELAY_ENABLED=false turns it off on an instance).
@Module({
  providers: [OutboxRepository, OutboxPublisher, OutboxRelay, ...OUTBOX_METRICS],
})
export class OutboxModule {}
