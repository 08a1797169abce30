import { SetMetadata } from '@nestjs/common';
import { OperationClass as Operation } from './resilience.constants';

export const OPERATION_CLASS = Symbol('OPERATION_CLASS');

// Which bulkhead a controller's (or handler's) requests go through.
export const OperationClass = (operation: Operation) => SetMetadata(OPERATION_CLASS, operation);
