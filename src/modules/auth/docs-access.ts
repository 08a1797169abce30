import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { authConfig } from '../../config/auth.config';
import { sendError } from '../../common/filters/http-error.filter';
import { DOCS_PATH } from '../../common/http/security-headers';
import { Authenticator } from './authenticator';

// With DOCS_AUTH=key, every /docs route (Swagger UI, its assets, openapi.json, /docs-yaml) needs a
// key of any role. They are Fastify routes registered by @nestjs/swagger, outside Nest's guards, so
// a hook checks them; with DOCS_AUTH=open (development's default) no hook is added at all.
@Injectable()
export class DocsAccess implements OnModuleInit {
  private readonly logger = new Logger('DocsAccess');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authenticator: Authenticator,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  onModuleInit(): void {
    if (this.config.docs === 'open') return;
    // Fastify binds hooks to routes when it starts, so the routes registered before this still get it.
    this.adapterHost.httpAdapter.getInstance<FastifyInstance>().addHook('onRequest', (request, reply, done) => this.check(request, reply, done));
  }

  private check(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    // The raw URL first (no allocation), then the matched route's pattern, which is what decides.
    if (!request.url.includes(DOCS_PATH) || !request.routeOptions.url?.startsWith(DOCS_PATH)) return done();
    try {
      const principal = this.authenticator.authenticate(request.headers);
      if (!(principal instanceof Promise)) {
        request.principal = principal;
        return done();
      }
      principal.then(
        (p) => {
          request.principal = p;
          done();
        },
        (err: unknown) => sendError(reply, request, err, this.logger),
      );
    } catch (err) {
      sendError(reply, request, err, this.logger);
    }
  }
}
