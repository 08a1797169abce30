import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { FastifyRequest } from 'fastify';
import { authConfig } from '../../config/auth.config';
import { IS_PUBLIC } from '../../common/http/public.decorator';
import { Principal, Role, roleAllows } from '../../contracts/principal';
import { OPERATION_CLASS } from '../resilience';
import { ForbiddenError, ScopeForbiddenError } from './auth.errors';
import { Authenticator } from './authenticator';
import { REQUIRED_ROLE } from './requires-role.decorator';

// What a handler needs: nothing, a role (any tenant scope), or a platform key of any role (/metrics:
// it shows every tenant's traffic).
export type Access = { kind: 'public' } | { kind: 'role'; role: Role } | { kind: 'platform' };

const PUBLIC: Access = { kind: 'public' };
const PLATFORM: Access = { kind: 'platform' };
type Handler = ReturnType<ExecutionContext['getHandler']>;

const ROLE_OF_OPERATION: Record<string, Role> = { writes: 'writer', audit: 'reader', resolve: 'reader' };

// Authenticates every Nest route of the API (resolve, a plain Fastify route, does the same inline;
// /docs has a Fastify hook, docs-access.ts) and checks the role; tenant scope is left to the
// services and repositories. Sets request.principal for them. Registered as the API's first
// global guard: the rate limiter's guard runs after it and limits per authenticated tenant.
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly access = new WeakMap<Handler, Access>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = this.accessOf(context);
    if (access.kind === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = this.authenticator.authenticate(request.headers);
    return principal instanceof Promise ? principal.then((p) => this.admit(request, p, access)) : this.admit(request, principal, access);
  }

  // Decided once per handler from its metadata: the handler's own declaration wins over its class's,
  // @RequiresRole over @OperationClass; a handler declaring nothing needs admin (fail closed).
  accessOf(context: ExecutionContext): Access {
    const handler = context.getHandler();
    let access = this.access.get(handler);
    if (access === undefined) {
      access = this.decide(handler, context.getClass());
      this.access.set(handler, access);
    }
    return access;
  }

  private decide(handler: Handler, controller: Handler): Access {
    if (controller === PrometheusController) return this.config.metrics === 'open' ? PUBLIC : PLATFORM;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller])) return PUBLIC;
    for (const target of [handler, controller]) {
      const role = this.reflector.get<Role | undefined>(REQUIRED_ROLE, target);
      if (role) return { kind: 'role', role };
      const operation = this.reflector.get<string | undefined>(OPERATION_CLASS, target);
      if (operation && ROLE_OF_OPERATION[operation]) return { kind: 'role', role: ROLE_OF_OPERATION[operation] };
    }
    return { kind: 'role', role: 'admin' };
  }

  private admit(request: FastifyRequest, principal: Principal, access: Access): boolean {
    if (access.kind === 'role' && !roleAllows(principal.role, access.role)) {
      this.authenticator.countForbidden();
      throw new ForbiddenError(access.role, principal.role);
    }
    if (access.kind === 'platform' && principal.tenant !== null) {
      this.authenticator.countForbidden();
      throw new ScopeForbiddenError('This endpoint shows every tenant: it needs a platform key (one not bound to a tenant)');
    }
    request.principal = principal;
    return true;
  }
}
