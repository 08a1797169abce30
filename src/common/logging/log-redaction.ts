import { stdSerializers } from 'pino';

const CENSOR = '[REDACTED]';

// Header names that carry credentials, wherever a logged object holds headers: lower case as Node
// gives incoming headers, and as written by hand in client options (pino's paths are case-sensitive).
const SECRET_HEADERS = [
  ...['authorization', 'proxy-authorization', 'x-api-key', 'cookie', 'set-cookie'],
  ...['Authorization', 'Proxy-Authorization', 'X-API-Key', 'X-Api-Key', 'Cookie', 'Set-Cookie'],
];
const HEADER_HOLDERS = ['req.headers', 'res.headers', 'headers', '*.headers', 'err.config.headers', 'err.response.headers'];
export const REDACTED_PATHS = HEADER_HOLDERS.flatMap((holder) => SECRET_HEADERS.map((name) => `${holder}["${name}"]`));

// Any URL in free text keeps scheme, host and path; user info and query string (tokens live
// there) are replaced.
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]*@)?([^\s?#"'<>]*)(\?[^\s#"'<>]*)?/gi;

export function redactUrls(text: string): string {
  return text.replace(
    URL_IN_TEXT,
    (_all, scheme: string, userinfo: string | undefined, rest: string, query: string | undefined) =>
      `${scheme}${userinfo ? `${CENSOR}@` : ''}${rest}${query ? `?${CENSOR}` : ''}`,
  );
}

// A request target as logged: API keys travel in headers only, but a client may still put one in the
// query string (?api_key=…, ?token=…). Values of parameters named like a credential (the name ends
// in key, token, secret, password, auth, … but not changed_by_key_id) are replaced,
// and so is a generated key (tm_<id>_<secret>) wherever it appears; everything else (tenant,
// service, …) stays readable. A key under an innocent name is recognisable only in the generated
// format. The common case, no query and no key, costs two indexOf calls.
const SECRET_PARAM = /(token|secret|passw(or)?d|authori[sz]ation|signature|credentials?|apikey)$|(^|[-_.])(key|auth)$/i;
const GENERATED_KEY = /tm_[0-9a-f]{32}_[A-Za-z0-9_-]{20,}/g;

// A name taken from a request may be a key sent in the wrong place (`tenant=tm_…`): never log it.
export function redactKeys(text: string): string {
  return text.replace(GENERATED_KEY, CENSOR);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function redactRequestUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1 && url.indexOf('tm_') === -1) return url;
  const path = (queryStart === -1 ? url : url.slice(0, queryStart)).replace(GENERATED_KEY, CENSOR);
  if (queryStart === -1) return path;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      if (equals === -1) return pair.replace(GENERATED_KEY, CENSOR);
      const value = pair.slice(equals + 1);
      const secret = SECRET_PARAM.test(decoded(name)) || decoded(value).search(GENERATED_KEY) !== -1;
      return secret ? `${name}=${CENSOR}` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

// Errors are logged by an allow-list of fields: a database error carries the bound parameters
// (route URLs), driver details and sometimes request headers; the SQL text has placeholders only.
const KEPT_FIELDS = ['code', 'query', 'table', 'constraint', 'routine', 'statusCode'] as const;

// pino-http hands over pino's standard serialisation (a plain object); direct callers an Error.
export function serializeError(err: unknown): unknown {
  if (err === null || typeof err !== 'object') return err;
  const source = (err instanceof Error ? stdSerializers.err(err) : err) as Record<string, unknown>;
  const text = (field: string) => (typeof source[field] === 'string' ? redactUrls(source[field] as string) : undefined);
  const kept = KEPT_FIELDS.filter((field) => typeof source[field] === 'string' || typeof source[field] === 'number').map((field) => [
    field,
    text(field) ?? source[field],
  ]);
  return { type: source.type, message: text('message'), stack: text('stack'), ...Object.fromEntries(kept) };
}
