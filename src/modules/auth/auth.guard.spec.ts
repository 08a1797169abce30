import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { AuthSettings } from '../../config/auth.config';
import { Public } from '../../common/http/public.decorator';
import { Principal } from '../../contracts/principal';
import { OperationClass } from '../resilience/operation-class.decorator';
import { ForbiddenError, ScopeForbiddenError, UnauthenticatedError } from './auth.errors';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { RequiresRole } from './requires-role.decorator';

@Controller('api/v1/things')
@OperationClass('writes')
class ThingsController {
  @Get() write() {}
  @Get() @OperationClass('audit') read() {}
  @Get() @RequiresRole('admin') manage() {}
}

@Controller('health')
@Public()
class ProbeController {
  @Get() live() {}
}

@Controller('api/v1/undeclared')
class UndeclaredController {
  @Get() anything() {}
}

const reader: Principal = { keyId: 'k1', keyName: 'r', tenant: 'team-a', role: 'reader' };
const writer: Principal = { keyId: 'k2', keyName: 'w', tenant: 'team-a', role: 'writer' };
const platformReader: Principal = { keyId: 'k3', keyName: 'p', tenant: null, role: 'reader' };

function contextOf(controller: new () => object, handler: string, request: object = { headers: {} }): ExecutionContext {
  const method = (controller.prototype as Record<string, () => void>)[handler] ?? (() => undefined);
  return {
    getType: () => 'http',
    getHandler: () => method,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function setup(principal: Principal | Error, settings: Partial<AuthSettings> = {}) {
  const authenticator = {
    authenticate: jest.fn(() => {
      if (principal instanceof Error) throw principal;
      return principal;
    }),
    countForbidden: jest.fn(),
  };
  const config = { bootstrapKey: null, usesDevelopmentKey: false, keyCacheTtlMs: 60_000, metrics: 'key', docs: 'key', ...settings } as AuthSettings;
  return { guard: new AuthGuard(new Reflector(), authenticator as unknown as Authenticator, config), authenticator };
}

describe(AuthGuard.name, () => {
  it('should derive the role from the operation class, the handler winning over its controller', () => {
    const { guard } = setup(reader);

    expect(guard.accessOf(contextOf(ThingsController, 'write'))).toEqual({ kind: 'role', role: 'writer' });
    expect(guard.accessOf(contextOf(ThingsController, 'read'))).toEqual({ kind: 'role', role: 'reader' });
    expect(guard.accessOf(contextOf(ThingsController, 'manage'))).toEqual({ kind: 'role', role: 'admin' });
  });

  it('should require admin of a handler that declares nothing', () => {
    expect(setup(reader).guard.accessOf(contextOf(UndeclaredController, 'anything'))).toEqual({ kind: 'role', role: 'admin' });
  });

  it('should let a public route through without looking at any key', () => {
    const { guard, authenticator } = setup(new UnauthenticatedError());

    expect(guard.canActivate(contextOf(ProbeController, 'live'))).toBe(true);
    expect(authenticator.authenticate).not.toHaveBeenCalled();
  });

  it('should set the principal when the role is enough', () => {
    const request = { headers: {} } as { headers: object; principal?: Principal };

    expect(setup(writer).guard.canActivate(contextOf(ThingsController, 'write', request))).toBe(true);
    expect(request.principal).toBe(writer);
  });

  it('should refuse a role too weak with 403 and count it', () => {
    const { guard, authenticator } = setup(reader);

    expect(() => guard.canActivate(contextOf(ThingsController, 'write'))).toThrow(ForbiddenError);
    expect(authenticator.countForbidden).toHaveBeenCalledTimes(1);
  });

  it('should let the authentication error through', () => {
    expect(() => setup(new UnauthenticatedError()).guard.canActivate(contextOf(ThingsController, 'read'))).toThrow(UnauthenticatedError);
  });

  it('should serve /metrics to platform keys of any role when protected, to anyone when open', () => {
    const metrics = contextOf(PrometheusController, 'index');

    expect(setup(platformReader).guard.canActivate(metrics)).toBe(true);
    expect(() => setup(writer).guard.canActivate(metrics)).toThrow(ScopeForbiddenError);
    const open = setup(new UnauthenticatedError(), { metrics: 'open' });
    expect(open.guard.canActivate(metrics)).toBe(true);
    expect(open.authenticator.authenticate).not.toHaveBeenCalled();
  });
});
