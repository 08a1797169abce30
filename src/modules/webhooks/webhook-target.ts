import { BlockList, isIP } from 'net';
import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'dns';

// Where a webhook may be sent. A control plane that POSTs to URLs its tenants choose is a request
// forgery tool unless it refuses the addresses only the control plane can reach: loopback, private
// networks, link-local (169.254.169.254 is every cloud's instance-metadata service), CGNAT, and the
// addresses that mean "this host" or nothing. The rule is checked twice: on the URL when a
// subscription is registered (an IP literal), and on every address the name resolves to when a
// delivery is sent, through the lookup the connection itself uses, so the address checked is the
// one connected to (a name that resolved to a public address at registration and to 127.0.0.1 at
// delivery, DNS rebinding, is refused then). WEBHOOK_ALLOW_PRIVATE_TARGETS=true turns the address
// rule off, for development and for receivers inside the same network on purpose.

const BLOCKED = new BlockList();
// IPv4: "this network", private, CGNAT, loopback, link-local, IETF protocol assignments, the
// documentation and benchmarking ranges, multicast and reserved, broadcast.
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
// IPv6: unspecified, loopback, IPv4-mapped and -translated (checked again as IPv4 below, but a
// mapped private address must not slip through as "IPv6"), discard, documentation, unique local,
// link-local, site-local, multicast.
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

// The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:10.0.0.1 or ::ffff:a00:1), if any.
function mappedIpv4(address: string): string | undefined {
  const m = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(.+)$/i.exec(address);
  if (!m) return undefined;
  const rest = m[1];
  if (isIP(rest) === 4) return rest;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (!hex) return undefined;
  const hi = parseInt(hex[1], 16);
  const lo = parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

// True when a webhook must not be sent to this address (an IP, as a resolver returns it).
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return true; // not an address at all: never connect to it
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  const v4 = mappedIpv4(bare);
  if (v4 !== undefined) return BLOCKED.check(v4, 'ipv4');
  return BLOCKED.check(bare, 'ipv6');
}

export interface TargetRules {
  allowHttp: boolean;
  allowPrivate: boolean;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

// The problem with a webhook URL, or undefined when it may be registered. A host name is accepted
// here and its addresses are checked at every delivery.
export function webhookUrlProblem(raw: string, rules: TargetRules): string | undefined {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (raw.trim() !== raw || /[\s\u0000-\u001f\u007f]/.test(raw)) return 'must not contain spaces or control characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute https:// URL';
  }
  if (url.protocol !== 'https:' && !(rules.allowHttp && url.protocol === 'http:')) {
    return rules.allowHttp ? 'must be an absolute http:// or https:// URL' : 'must be an https:// URL (WEBHOOK_ALLOW_HTTP is off)';
  }
  if (url.username || url.password) return 'must not contain a user name or password (the signature authenticates the sender)';
  if (url.hash) return 'must not contain a #fragment';
  if (!url.hostname) return 'must name a host';
  // Brackets of an IPv6 literal off, and a fully qualified name's final dot (localhost. is localhost).
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (!rules.allowPrivate) {
    if (isIP(host) !== 0 && isBlockedAddress(host)) {
      return 'must not point at a loopback, private, link-local or reserved address (WEBHOOK_ALLOW_PRIVATE_TARGETS is off)';
    }
    if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at localhost (WEBHOOK_ALLOW_PRIVATE_TARGETS is off)';
  }
  return undefined;
}

export class BlockedTargetError extends Error {
  readonly code = 'EWEBHOOKBLOCKED';
  constructor(host: string, address: string) {
    super(`${host} resolved to ${address}, a loopback, private, link-local or reserved address; not sent (WEBHOOK_ALLOW_PRIVATE_TARGETS is off)`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

// The `lookup` for http.request/https.request: resolves as usual, then refuses the connection when
// any address returned is blocked (all of them, so a client that falls back to the next address
// cannot reach a blocked one either).
export function guardedLookup(allowPrivate: boolean, resolve: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      if (!allowPrivate) {
        const blocked = list.find((a) => isBlockedAddress(a.address));
        if (blocked) return callback(new BlockedTargetError(hostname, blocked.address) as unknown as NodeJS.ErrnoException, []);
      }
      if (options.all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
