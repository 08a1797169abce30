import { domainToASCII, domainToUnicode } from 'url';

export const MAX_URL_LENGTH = 2048;

// Clients of the registry read stored URLs with many parsers (WHATWG in browsers and Node, RFC 3986
// ones in Python, Go, Java, curl). A URL is stored only when it is already in the one form they all
// read alike; anything else is refused with the reason, never rewritten (docs/design.md).
const SHAPE = /^([^:/?#]+):\/\/([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/s;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Control characters are exactly what this rule looks for.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTER = /[\u0000-\u0020\u007f-\u009f\s]/u;
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Co}\p{Cn}]/u;
// RFC 3986 pchar plus "/" (path) or "/" and "?" (query, fragment); "%" only as a percent-encoding.
const PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
const QUERY = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;
const PORT = /^[1-9][0-9]{0,4}$/;
const ASCII_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const IDN_LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u;
// IDNA 2003 and 2008 map these differently (faß.de is fass.de to one and xn--fa-hia.de to the other).
const IDNA_DEVIATION = /[\u00df\u03c2\u200c\u200d]/;
const DEFAULT_PORT: Record<string, string> = { http: '80', https: '443' };

export const URL_PROBLEM = {
  notHttp: 'must be an absolute http:// or https:// URL',
  surrogate: 'must be valid Unicode (it contains an unpaired surrogate)',
  control: 'must not contain spaces or control characters (U+0000-U+0020, U+007F-U+009F)',
  invisible: 'must not contain invisible characters (bidirectional controls, zero-width or other format characters)',
  backslash: 'must not contain backslashes (URL parsers read them differently)',
  scheme: 'must start with "http://" or "https://" in lower case',
  credentials: 'must not contain a user name or password',
  noHost: 'must have a host after "//"',
  port: 'must have a port from 1 to 65535 without leading zeros, or none',
  host: 'must have a lower-case host name of letters, digits, "-" and "_" (internationalised names as valid IDN), or an IP address in canonical form',
  encoding: 'must percent-encode every character outside RFC 3986 (non-ASCII, quotes, brackets, "%" not followed by two hex digits)',
  dotSegment: 'must not contain "." or ".." path segments',
  canonical: 'must already be in canonical form (a WHATWG URL parser would rewrite it)',
} as const;

// The first problem of the value as an endpoint URL, or null when it may be stored as it is.
export function endpointUrlProblem(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return URL_PROBLEM.surrogate;
  if (INVISIBLE.test(value)) return URL_PROBLEM.invisible;
  if (UNSAFE_CHARACTER.test(value)) return URL_PROBLEM.control;
  if (value.includes('\\')) return URL_PROBLEM.backslash;
  const parts = SHAPE.exec(value);
  if (!parts) return /^https?:/i.test(value) ? URL_PROBLEM.scheme : URL_PROBLEM.notHttp;
  const [, scheme, authority, path, query = '', fragment = ''] = parts;
  if (scheme !== 'http' && scheme !== 'https') return /^https?$/i.test(scheme) ? URL_PROBLEM.scheme : URL_PROBLEM.notHttp;
  if (authority.includes('@')) return URL_PROBLEM.credentials;
  const hostPort = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(authority);
  if (!hostPort || hostPort[1] === '') return URL_PROBLEM.noHost;
  const [, host, port] = hostPort;
  if (port !== undefined && !(PORT.test(port) && Number(port) <= 65535)) return URL_PROBLEM.port;
  const asciiHost = canonicalAsciiHost(host);
  if (asciiHost === null) return URL_PROBLEM.host;
  if (!PATH.test(path) || !QUERY.test(query.slice(1)) || !QUERY.test(fragment.slice(1))) return URL_PROBLEM.encoding;
  if (DOT_SEGMENT.test(path)) return URL_PROBLEM.dotSegment;
  return readsAlike(value, { scheme, asciiHost, port, path, query, fragment }) ? null : URL_PROBLEM.canonical;
}

// The host as WHATWG will serialise it, or null when it is not a canonical host name.
function canonicalAsciiHost(host: string): string | null {
  if (host.startsWith('[')) return host;
  if (host.length > 253 || IDNA_DEVIATION.test(host)) return null;
  const labels = host.split('.');
  // eslint-disable-next-line no-control-regex -- "all ASCII", controls included
  const ascii = labels.map((label) => (/^[\x00-\x7f]*$/.test(label) ? asciiLabel(label) : unicodeLabel(label)));
  return ascii.every((label): label is string => label !== null) ? ascii.join('.') : null;
}

function asciiLabel(label: string): string | null {
  if (!ASCII_LABEL.test(label)) return null;
  if (!label.startsWith('xn--')) return label;
  // An A-label must decode to a valid U-label that encodes back to exactly itself.
  const unicode = domainToUnicode(label);
  return unicode !== label && unicodeLabel(unicode) === label ? label : null;
}

function unicodeLabel(label: string): string | null {
  if (!IDN_LABEL.test(label) || label !== label.normalize('NFC')) return null;
  const ascii = domainToASCII(label);
  // Mapping (upper case, compatibility forms) means the label was not in canonical form.
  return ascii !== '' && domainToUnicode(ascii) === label ? ascii : null;
}

interface UrlParts {
  scheme: string;
  asciiHost: string;
  port: string | undefined;
  path: string;
  query: string;
  fragment: string;
}

// WHATWG must read every component exactly as written: this catches IPv4 shorthands (127.1, 0x7f.1),
// non-canonical IPv6, and characters WHATWG would percent-encode (a "'" in a query).
function readsAlike(value: string, parts: UrlParts): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const port = parts.port === DEFAULT_PORT[parts.scheme] ? '' : (parts.port ?? '');
  return (
    url.protocol === `${parts.scheme}:` &&
    url.hostname === parts.asciiHost &&
    url.port === port &&
    url.pathname === (parts.path || '/') &&
    url.search === (parts.query.length > 1 ? parts.query : '') &&
    url.hash === (parts.fragment.length > 1 ? parts.fragment : '')
  );
}
