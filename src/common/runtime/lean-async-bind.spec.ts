import { AsyncLocalStorage, AsyncResource } from 'async_hooks';
import { installLeanAsyncBind } from './lean-async-bind';

describe('lean AsyncResource#bind', () => {
  const onNode24 = process.versions.node.startsWith('24.') ? it : it.skip;

  it('should leave other Node versions alone', () => {
    expect(installLeanAsyncBind('22.11.0')).toBe(false);
    expect(installLeanAsyncBind('25.0.0')).toBe(false);
  });

  onNode24('should be installed once, by importing the module', () => {
    expect(installLeanAsyncBind('24.21.0')).toBe(false);
  });

  onNode24('should run the bound function in the async context of the bind, not of the call', () => {
    const als = new AsyncLocalStorage<string>();
    const bound = als.run('request-1', () => AsyncResource.bind(() => als.getStore()));
    const unbound = als.run('request-1', () => () => als.getStore());

    expect(als.run('request-2', bound)).toBe('request-1');
    expect(als.run('request-2', unbound)).toBe('request-2');
  });

  onNode24('should pass arguments and this, or the given thisArg, and keep the length', () => {
    // Typed loosely: @types/node declares bind(fn) only, Node also takes a thisArg.
    const resource = new AsyncResource('test') as unknown as { bind(fn: unknown, thisArg?: unknown): (...args: unknown[]) => number };
    function sum(this: { base: number } | undefined, a: number, b: number): number {
      return (this?.base ?? 0) + a + b;
    }
    const withoutThis = resource.bind(sum);
    const withThis = resource.bind(sum, { base: 100 });

    expect(withoutThis.call({ base: 10 }, 1, 2)).toBe(13);
    expect(withThis(1, 2)).toBe(103);
    expect(withoutThis.length).toBe(2);
    expect(withThis.length).toBe(2);
  });

  onNode24('should not add the deprecated asyncResource property (DEP0172), as Node 25 does not', () => {
    const bound = AsyncResource.bind(() => 1);

    expect('asyncResource' in bound).toBe(false);
  });

  onNode24("should refuse a non-function with Node's own error", () => {
    const resource = new AsyncResource('test');

    expect(() => resource.bind('nope' as unknown as () => void)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});
