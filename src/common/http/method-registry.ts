import Router from 'find-my-way';
import { FastifyInstance, FastifyRequest } from 'fastify';

// HEAD is listed where it works: fastify answers HEAD for every GET route (exposeHeadRoutes).
const PROBE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const registries = new WeakMap<FastifyInstance, Router.Instance<Router.HTTPVersion.V1>>();

// Fastify answers 404 for a known path with the wrong method. To answer 405 with an Allow header we
// keep a shadow router (find-my-way, fastify's own router) of every registered route pattern.
export class MethodRegistry {
  static attach(instance: FastifyInstance): void {
    const router = Router();
    registries.set(instance, router);
    instance.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if ((PROBE_METHODS as readonly string[]).includes(method)) router.on(method as Router.HTTPMethod, route.url, () => undefined);
      }
    });
  }

  static allowedMethods(request: FastifyRequest): string[] {
    const router = registries.get(request.server);
    if (!router) return [];
    const path = request.url.split('?')[0];
    return PROBE_METHODS.filter((method) => router.find(method, path) !== null);
  }
}
