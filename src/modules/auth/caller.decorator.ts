import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Principal, scopeOf, TenantScope } from '../../contracts/principal';
import { UnauthenticatedError } from './auth.errors';

function principalOf(context: ExecutionContext): Principal {
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  // The guard runs first; without a principal the handler must not run at all.
  if (!principal) throw new UnauthenticatedError();
  return principal;
}

// The authenticated caller of this request.
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): Principal => principalOf(context));

// The tenants the caller may see or change; pass it to every tenant-owned repository method.
export const CallerScope = createParamDecorator((_: unknown, context: ExecutionContext): TenantScope => scopeOf(principalOf(context)));
