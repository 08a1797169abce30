import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/http/public.decorator';
import { Bulkheads } from './bulkheads';
import { DependencyBreakers } from './dependency-breakers';
import { DrainState } from './drain-state';

const byName = (description: string) => ({ type: 'object' as const, description, additionalProperties: { type: 'object' as const } });
const SNAPSHOT_SCHEMA = {
  type: 'object' as const,
  required: ['circuit_breakers', 'retry_budgets', 'bulkheads', 'graceful_draining'],
  properties: {
    circuit_breakers: byName('Per dependency: state, call counts and failure rate'),
    retry_budgets: byName('Per dependency: retries in the window, the maximum and denials'),
    bulkheads: byName('Per operation class: concurrency in use, queued and rejected'),
    graceful_draining: { type: 'object' as const, description: 'Whether this process is draining, its in-flight requests and drain timings' },
  },
};

@ApiTags('health')
@Controller('health')
// Probes: no API key (load balancers and orchestrators call them without one).
@Public()
export class ResilienceController {
  constructor(
    private readonly breakers: DependencyBreakers,
    private readonly bulkheads: Bulkheads,
    private readonly drain: DrainState,
  ) {}

  // The seed's shape (circuit_breakers, retry_budgets, bulkheads, graceful_draining), with live values.
  @Get('resilience')
  @ApiOperation({ summary: 'Circuit breakers, retry budgets, bulkheads and drain state of this process' })
  @ApiOkResponse({ description: 'A snapshot of each, keyed by dependency or bulkhead name', schema: SNAPSHOT_SCHEMA })
  resilience() {
    return {
      circuit_breakers: Object.fromEntries(this.breakers.all().map((b) => [b.name, b.snapshot()])),
      retry_budgets: Object.fromEntries(Object.entries(this.breakers.budgets).map(([name, budget]) => [name, budget.snapshot()])),
      bulkheads: this.bulkheads.snapshot(),
      graceful_draining: this.drain.snapshot(),
    };
  }
}
