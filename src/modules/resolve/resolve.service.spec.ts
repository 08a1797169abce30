import { Counter, Histogram, Registry } from 'prom-client';
import { RouteCache } from '../route-store/route-cache';
import { CacheLookup } from '../route-store/route-cache-codec';
import { RouteSnapshot } from '../route-store/route-record';
import { RoutesRepository } from '../route-store/routes.repository';
import { ActiveRouteNotFoundError } from './resolve.errors';
import { ResolveService } from './resolve.service';

const key = { tenant: 't', service: 's', env: 'e', version: 'v1' };

function setup(lookup: CacheLookup, snapshot: RouteSnapshot | null = null) {
  const registers = [new Registry()];
  const counter = (name: string) => new Counter({ name, help: name, registers });
  const cache = { lookup: jest.fn().mockResolvedValue(lookup), store: jest.fn().mockResolvedValue(true) };
  const repository = { findSnapshot: jest.fn().mockResolvedValue(snapshot) };
  const sut = new ResolveService(
    cache as unknown as RouteCache,
    repository as unknown as RoutesRepository,
    counter('requests'),
    counter('hits'),
    counter('misses'),
    counter('negative'),
    counter('db'),
    new Histogram({ name: 'latency', help: 'latency', registers }),
  );
  return { sut, cache, repository };
}

describe(ResolveService.name, () => {
  it('should answer a cache hit without asking the repository', async () => {
    const { sut, repository } = setup({ kind: 'hit', url: 'https://a.example.com', revision: 3 });

    await expect(sut.resolve(key)).resolves.toEqual({ url: 'https://a.example.com', revision: 3 });
    expect(repository.findSnapshot).not.toHaveBeenCalled();
  });

  it('should answer a negative entry with not found without asking the repository', async () => {
    const { sut, repository } = setup({ kind: 'negative', revision: 2 });

    await expect(sut.resolve(key)).rejects.toBeInstanceOf(ActiveRouteNotFoundError);
    expect(repository.findSnapshot).not.toHaveBeenCalled();
  });

  it('should load from the repository and cache the result on a miss', async () => {
    const snapshot = { url: 'https://a.example.com', active: true, revision: 5 };
    const { sut, cache } = setup({ kind: 'miss' }, snapshot);

    await expect(sut.resolve(key)).resolves.toEqual({ url: 'https://a.example.com', revision: 5 });
    expect(cache.store).toHaveBeenCalledWith(key, snapshot);
  });

  it('should answer from the repository without writing back when the Redis lookup failed', async () => {
    const snapshot = { url: 'https://a.example.com', active: true, revision: 5 };
    const { sut, cache } = setup({ kind: 'error' }, snapshot);

    await expect(sut.resolve(key)).resolves.toEqual({ url: 'https://a.example.com', revision: 5 });
    expect(cache.store).not.toHaveBeenCalled();
  });

  it('should cache a missing route as a negative entry of revision 0', async () => {
    const { sut, cache } = setup({ kind: 'miss' }, null);

    await expect(sut.resolve(key)).rejects.toBeInstanceOf(ActiveRouteNotFoundError);
    expect(cache.store).toHaveBeenCalledWith(key, { url: null, active: false, revision: 0 });
  });
});
