import { Module } from '@nestjs/common';
import { OutboxWriter } from './outbox-writer';

// The outbox's write side on its own, so the route store can import it without the relay (which
// only the API process runs).
@Module({
  providers: [OutboxWriter],
  exports: [OutboxWriter],
})
export class OutboxWriterModule {}
