/**
 * Webhook target policy (SSRF guard). Unless private targets are allowed (development and tests),
 * only public unicast addresses may receive webhooks:
 *
 * - at creation, a literal IP host (in any form the WHATWG URL parser accepts: `2130706433`,
 *   `0x7f.1`, `[::127.0.0.1]`, `[::ffff:127.0.0.1]`, `[64:ff9b::7f00:1]`, ...; the parser
 *   normalises them) and `localhost` / `*.localhost` (also with trailing dots) are refused;
 * - at delivery, the host name is resolved, every address is checked, and the connection is made
 *   to the addresses that were checked (the `lookup` given to the HTTP request), so a name that
 *   resolves to a public address for the check and to 10.0.0.1 for the connection (DNS rebinding)
 *   cannot slip through.
 *
 * Classification is ipaddr.js's `range()` (the parser and range table behind Express's
 * proxy-addr): anything but plain 'unicast' is refused (private, loopback, link-local, CGNAT,
 * unique-local, site-local, multicast, broadcast, unspecified, reserved and documentation ranges,
 * Teredo, ...). IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96, 6to4) are
 * judged by the IPv4 address they carry, so public hosts stay reachable from a DNS64 network;
 * IPv4-compatible `::a.b.c.d` (deprecated, and ipaddr.js calls it unicast) is refused outright.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Why this address may not receive webhooks, or null when it is a public unicast IP address (anything that is not an IP is refused). */
export function addressProblem(address: string): string | null {
  if (!isIP(address) || !ipaddr.isValid(address)) return 'not an IP address';
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    const range = v6.range();
    const p = v6.parts;
    if (range === 'ipv4Mapped') ip = v6.toIPv4Address();
    // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): the IPv4 address is the last 32 bits.
    else if (range === 'rfc6052' && p[0] === 0x64 && p[1] === 0xff9b && p.slice(2, 6).every((x) => x === 0)) ip = ipaddr.fromByteArray(v6.toByteArray().slice(12));
    // 6to4 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
    else if (range === '6to4') ip = ipaddr.fromByteArray(v6.toByteArray().slice(2, 6));
    // IPv4-compatible ::/96 (RFC 4291, deprecated): ipaddr.js calls ::7f00:1 unicast.
    else if (p.slice(0, 6).every((x) => x === 0)) return 'IPv4-compatible IPv6 address';
  }
  const range = ip.range();
  return range === 'unicast' ? null : `${range} address`;
}

/** True for an IP address that is not public unicast: loopback, private, link-local, CGNAT, unique-local, multicast, reserved, ... */
export const isPrivateAddress = (address: string): boolean => isIP(address) !== 0 && addressProblem(address) !== null;

/** `localhost` and `*.localhost` (RFC 6761), case-insensitive, with or without trailing dots. */
const isLocalhostName = (host: string): boolean => {
  const h = host.toLowerCase().replace(/\.+$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
};

/** The URL's host without IPv6 brackets (WHATWG-normalised: numeric IPv4 forms are already dotted quads). */
const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

const MAX_URL_LENGTH = 2048;
const PRIVATE_REFUSED = 'Private, loopback, link-local and other non-public addresses are not accepted.';

/** Why a webhook URL is refused at creation, or null when it is acceptable. Host names are checked again, resolved, at delivery. */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | null {
  if (raw.length > MAX_URL_LENGTH) return `URL must be at most ${MAX_URL_LENGTH} characters.`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Not a valid absolute URL.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Only http and https URLs are accepted.';
  if (url.username || url.password) return 'Credentials in the URL are not accepted; verify the Waybill-Signature header instead.';
  if (!allowPrivate) {
    const host = hostOf(url);
    if (isLocalhostName(host) || isPrivateAddress(host)) return PRIVATE_REFUSED;
  }
  return null;
}

/** Resolves a host name to all its addresses (the default is the system resolver, `dns.lookup`). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true });

/** A delivery refused by the policy; its message is what the attempt records. */
export class BlockedTargetError extends Error {
  override readonly name = 'BlockedTargetError';
  readonly code = 'EWEBHOOKBLOCKED';
}

/**
 * A `lookup` for the HTTP request: resolves with `resolve`, refuses the connection when any
 * address is not public (unless `allowPrivate`), and otherwise hands exactly the checked
 * addresses to the socket, which connects to one of them: no second resolution, no rebinding.
 */
export function guardedLookup(resolve: Resolver, allowPrivate: boolean): LookupFunction {
  // `net.connect` asks for one address, or for all of them (`options.all`, with autoSelectFamily).
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        if (!allowPrivate && found.some((a) => addressProblem(a.address) !== null)) {
          return callback(new BlockedTargetError(`${hostname} resolves to a non-public address`), '');
        }
        const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const usable = family ? found.filter((a) => a.family === family) : found;
        if (!usable.length) {
          return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '');
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/**
 * At delivery, before connecting: a literal IP host (never passed to `lookup`) or a localhost
 * name is checked here; names are checked by `guardedLookup` as the connection is made.
 */
export function literalTargetProblem(url: URL, allowPrivate: boolean): string | null {
  if (allowPrivate) return null;
  const host = hostOf(url);
  if (isLocalhostName(host)) return `${host} is a loopback name`;
  const problem = isIP(host) ? addressProblem(host) : null;
  return problem ? `target is a ${problem}` : null;
}
