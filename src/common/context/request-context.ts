import { FastifyRequest } from 'fastify';
import { CLS_ID, ClsServiceManager } from 'nestjs-cls';

// The request context (the correlation id every log line and outbox event carries) is started for
// every request by the onRequest hook (http-setup.ts), except on the paths registered here. Such a
// route starts it itself, through inRequestContext, on every branch that can write a log line or
// start asynchronous work. Resolve answered from this process's memory does neither, and entering
// an AsyncLocalStorage context costs it about a tenth of its CPU (docs/design.md, "Request context
// on the hot path").
const deferredPaths: string[] = [];

export function deferRequestContext(path: string): void {
  if (!deferredPaths.includes(path)) deferredPaths.push(path);
}

// Whether the raw URL is one of those paths exactly, with or without a query string (a trailing
// slash or another spelling the router also accepts just gets the context from the hook).
export function isDeferredContextUrl(url: string): boolean {
  for (const path of deferredPaths) {
    if (url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 63)) return true; // '?'
  }
  return false;
}

export function startRequestContext<T>(request: FastifyRequest, run: () => T): T {
  return ClsServiceManager.getClsService().runWith({ [CLS_ID]: request.id }, run);
}

// Runs `run` in the request's context, starting it if the hook deferred it.
export function inRequestContext<T>(request: FastifyRequest, run: () => T): T {
  return ClsServiceManager.getClsService().isActive() ? run() : startRequestContext(request, run);
}
