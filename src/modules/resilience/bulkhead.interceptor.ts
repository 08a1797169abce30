import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, Observable } from 'rxjs';
import { Bulkheads } from './bulkheads';
import { OPERATION_CLASS } from './operation-class.decorator';
import { OperationClass } from './resilience.constants';

// Runs the handler inside its operation class's bulkhead (@OperationClass on the controller).
@Injectable()
export class BulkheadInterceptor implements NestInterceptor {
  constructor(
    private readonly bulkheads: Bulkheads,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const operation = this.reflector.getAllAndOverride<OperationClass | undefined>(OPERATION_CLASS, [context.getHandler(), context.getClass()]);
    if (!operation) return next.handle();
    return from(this.bulkheads.run(operation, () => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}
