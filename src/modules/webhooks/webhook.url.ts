/**
 * Webhook target validation. Creating a subscription accepts http(s) URLs only; unless private
 * targets are allowed (development and tests), literal loopback, private, link-local, CGNAT and
 * unique-local addresses and `localhost` are refused, and at send time the host name is resolved
 * and refused if any address is private (a public name pointing at 10.0.0.1 is caught then).
 * Known gap: DNS rebinding between our lookup and fetch's own lookup; closing it needs pinning
 * the resolved address in the HTTP agent (an undici dispatcher with a custom lookup).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** True for loopback, private, link-local, CGNAT, multicast and reserved addresses (IPv4, IPv6, IPv4-mapped IPv6). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) return blocked.check(address, 'ipv6');
  return false;
}

const MAX_URL_LENGTH = 2048;

/** Why a webhook URL is refused at creation, or null when it is acceptable. */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | null {
  if (raw.length > MAX_URL_LENGTH) return `URL must be at most ${MAX_URL_LENGTH} characters.`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Not a valid absolute URL.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Only http and https URLs are accepted.';
  if (url.username || url.password) return 'Credentials in the URL are not accepted; verify the X-Waybill-Signature header instead.';
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host)) {
      return 'Private, loopback and link-local addresses are not accepted.';
    }
  }
  return null;
}

/** At send time: resolves the host and refuses private targets (unless allowed). Returns an error text or null. */
export async function privateTargetProblem(raw: string, allowPrivate: boolean): Promise<string | null> {
  if (allowPrivate) return null;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return isPrivateAddress(host) ? 'target address is private' : null;
  const addresses = await lookup(host, { all: true });
  return addresses.some((a) => isPrivateAddress(a.address)) ? `${host} resolves to a private address` : null;
}
