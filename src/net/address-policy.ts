import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a server-side request (a feed poll) may reach. Loopback, private, link-local,
 * unique-local, unspecified, multicast and reserved ranges are refused unless private networks are
 * allowed: otherwise an admin's feed URL could read the server's own ports or the brand's internal
 * network (server-side request forgery).
 */
const ranges: Array<[kind: string, family: 'ipv4' | 'ipv6', network: string, prefix: number]> = [
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['shared (carrier-grade NAT)', 'ipv4', '100.64.0.0', 10],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['reserved', 'ipv4', '192.0.0.0', 24],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['reserved', 'ipv4', '198.18.0.0', 15],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv6', '::1', 128],
  ['unique-local', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['site-local', 'ipv6', 'fec0::', 10],
  ['multicast', 'ipv6', 'ff00::', 8],
];

const lists = ranges.map(([kind, family, network, prefix]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { kind, family, list };
});

/** An IPv4 address carried in an IPv6 one (`::ffff:10.0.0.1`, `::ffff:a00:1`, NAT64 `64:ff9b::a00:1`). */
function embeddedIpv4(address: string): string | null {
  const match = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(
    address,
  );
  if (!match) return null;
  if (match[1]) return match[1];
  const high = Number.parseInt(match[2]!, 16);
  const low = Number.parseInt(match[3]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why `address` (an IP literal) may not be reached, e.g. `"private"`, or null when it is public. */
export function restrictedAddressKind(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return null;
  if (family === 6) {
    const v4 = embeddedIpv4(bare.toLowerCase());
    if (v4) {
      const inner = restrictedAddressKind(v4);
      return inner ? `${inner} (in an IPv6 address)` : null;
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return lists.find((l) => l.family === type && l.list.check(bare, type))?.kind ?? null;
}

/** A refused address: the message says which and how to allow it. */
export class RestrictedAddressError extends Error {
  override readonly name = 'RestrictedAddressError';
  readonly code = 'ERESTRICTEDADDRESS';
  constructor(
    readonly address: string,
    readonly kind: string,
    readonly host: string,
  ) {
    super(
      `address ${address}${host !== address ? ` (of ${host})` : ''} is ${kind}; set SWITCHBOARD_FEEDS_ALLOW_PRIVATE=true to allow feeds on private networks`,
    );
  }
}
