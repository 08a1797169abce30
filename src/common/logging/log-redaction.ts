import { stdSerializers } from 'pino';

const CENSOR = '[REDACTED]';

// Header names that carry credentials, wherever a logged object holds headers.
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'cookie', 'set-cookie'];
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
