import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { finalize, Observable } from 'rxjs';
import { DrainState } from './drain-state';

// Counts accepted requests in flight (so shutdown waits for them) and refuses new ones with 503
// SERVICE.DRAINING once the drain delay has passed.
@Injectable()
export class DrainInterceptor implements NestInterceptor {
  constructor(private readonly drain: DrainState) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.drain.enter();
    return next.handle().pipe(finalize(() => this.drain.leave()));
  }
}
