import { IncomingMessage, ServerResponse } from 'http';
import helmet, { HelmetOptions } from 'helmet';

export type HeaderSet = Readonly<Record<string, string>>;

// A JSON API is never rendered as a document: it needs no script, style or frame sources, only the
// headers that stop a browser from sniffing, framing or leaking it (OWASP REST Security Cheat Sheet).
// Cross-Origin-Opener-Policy, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
// X-Permitted-Cross-Domain-Policies and X-XSS-Protection only concern HTML documents.
const API_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

// Swagger UI (/docs) is a document: helmet's full default set. Its page has inline <style> blocks
// (allowed by helmet's default style-src) and only same-origin scripts. upgrade-insecure-requests is
// dropped because the API is served over plain HTTP behind the load balancer: a browser would
// rewrite the page's own script and openapi.json requests to https and the page would stay blank.
const DOCUMENT_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
};

// helmet computes the same values for every request when no directive is a function, but its
// middleware (and @fastify/helmet, which builds a new helmet middleware per request) recomputes them
// each time: ~50 µs per resolve, more than the rest of the request (docs/design.md, "Request
// pipeline"). So helmet runs once at boot against a recording response and the hook sets the result.
function computeHeaders(options: HelmetOptions): HeaderSet {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      if (typeof value !== 'string') throw new Error(`helmet produced a non-constant ${name} header`);
      // Lower case, as fastify stores header names: reply.header() then finds the name unchanged
      // instead of lower-casing it into a new string on every request.
      headers[name.toLowerCase()] = value;
    },
    removeHeader() {},
  };
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
  });
  return Object.freeze(headers);
}

export const API_SECURITY_HEADERS = computeHeaders(API_OPTIONS);
const DOCUMENT_SECURITY_HEADERS = computeHeaders(DOCUMENT_OPTIONS);

export const DOCS_PATH = '/docs';

// The route pattern decides (every /docs route is registered under /docs); unmatched paths get the
// API set.
export function securityHeadersFor(routeUrl: string | undefined): HeaderSet {
  return routeUrl !== undefined && routeUrl.startsWith(DOCS_PATH) ? DOCUMENT_SECURITY_HEADERS : API_SECURITY_HEADERS;
}
