import { Module } from '@nestjs/common';
import { OutboxReader } from './outbox-reader';

// The outbox's read side on its own (no relay), for modules that report where an event is.
@Module({
  providers: [OutboxReader],
  exports: [OutboxReader],
})
export class OutboxReaderModule {}
