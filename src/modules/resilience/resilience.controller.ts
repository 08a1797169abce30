import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Bulkheads } from './bulkheads';
import { DependencyBreakers } from './dependency-breakers';
import { DrainState } from './drain-state';

@ApiTags('health')
@Controller('health')
export class ResilienceController {
  constructor(
    private readonly breakers: DependencyBreakers,
    private readonly bulkheads: Bulkheads,
    private readonly drain: DrainState,
  ) {}

  // The seed's shape (circuit_breakers, retry_budgets, bulkheads, graceful_draining), with live values.
  @Get('resilience')
  @ApiOperation({ summary: 'Circuit breakers, retry budgets, bulkheads and drain state of this process' })
  resilience() {
    return {
      circuit_breakers: Object.fromEntries(this.breakers.all().map((b) => [b.name, b.snapshot()])),
      retry_budgets: Object.fromEntries(Object.entries(this.breakers.budgets).map(([name, budget]) => [name, budget.snapshot()])),
      bulkheads: this.bulkheads.snapshot(),
      graceful_draining: this.drain.snapshot(),
    };
  }
}
