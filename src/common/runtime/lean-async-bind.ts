import { AsyncResource } from 'async_hooks';

// Node 24's AsyncResource#bind gives every bound function the deprecated (DEP0172) `asyncResource`
// accessor, built from two deprecate() wrappers and defined with Object.defineProperties
// (nodejs/node#58218). Measured here on Node 24.21: ~3.7 µs per call against ~0.1 µs for the same
// binding without it, and about a third of what it allocates outlives two scavenges, so it is
// promoted and old space fills: with two no-op interceptors a minimal Nest app went from 26,400 to
// 7,100 req/s, 16 % of its allocation promoted (0 % without interceptors). Nest 11 binds once per
// interceptor and request (interceptors-consumer), fastify once per request body
// (content-type-parser). On our writes this promotion ran a Mark-Compact about every 0.7 s, and the
// slowest requests were the ones in flight during it.
//
// Node 25 removed the property (nodejs/node#58618); this installs that behaviour on Node 24 only:
// the same binding (the resource's async context, `this` when no thisArg, `length`), without the
// `asyncResource` property. No dependency reads that property (checked with a search of
// node_modules). Drop this file when the runtime moves past Node 24.
const LEAN = Symbol.for('traffic-manager.lean-async-bind');

type Bind = (this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) => (...args: unknown[]) => unknown;

// Without a thisArg the bound function passes on the `this` it is called with, as Node's does.
function boundToCallersThis(resource: AsyncResource, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn, this, ...args);
  };
}

export function installLeanAsyncBind(version = process.versions.node): boolean {
  const proto = AsyncResource.prototype as unknown as { bind: Bind & { [LEAN]?: true } };
  if (Number(version.split('.')[0]) !== 24 || proto.bind[LEAN]) return false;
  const original = proto.bind;
  const lean = function bind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) {
    // Node's own argument check and error (ERR_INVALID_ARG_TYPE) for anything that is not a function.
    if (typeof fn !== 'function') return original.call(this, fn, thisArg);
    const bound = thisArg === undefined ? boundToCallersThis(this, fn) : this.runInAsyncScope.bind(this, fn, thisArg);
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, value: fn.length, writable: false });
    return bound;
  } as Bind & { [LEAN]?: true };
  lean[LEAN] = true;
  proto.bind = lean;
  return true;
}

installLeanAsyncBind();
