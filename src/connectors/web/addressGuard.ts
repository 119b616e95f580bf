// The crawler's guard against server-side request forgery: a page must never make kendrite fetch
// from its own machine, the private network or a cloud metadata service. Every host is resolved once,
// every address it resolves to is checked, and the connection goes to that checked address (so a DNS
// answer that changes between check and connect cannot slip through). The operator may allow named
// hosts or address ranges (crawler.allowHosts, crawler.allowCidrs); crawler.hosts maps names to addresses.
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Config } from '../../config/config.js';

const FORBIDDEN: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network", unspecified
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local, and the metadata service 169.254.169.254
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'], // unique local, and the EC2 metadata service fd00:ec2::254
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

export class ForbiddenAddress extends Error {
  readonly code = 'ForbiddenAddress';
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export class AddressGuard {
  private readonly forbidden = new BlockList();
  private readonly allowed = new BlockList();
  private readonly allowHosts: Set<string>;

  constructor(
    private readonly settings: Config['crawler'],
    private readonly resolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true }),
  ) {
    for (const [net, bits, type] of FORBIDDEN) this.forbidden.addSubnet(net, bits, type);
    for (const cidr of settings.allowCidrs) {
      const [net, bits] = cidr.split('/');
      this.allowed.addSubnet(net!, Number(bits), isIP(net!) === 6 ? 'ipv6' : 'ipv4');
    }
    this.allowHosts = new Set(settings.allowHosts.map((h) => h.toLowerCase()));
  }

  /** Why the address may not be fetched from the host, or undefined when it may. */
  refusal(host: string, address: string): string | undefined {
    if (this.allowHosts.has(host.toLowerCase())) return undefined;
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]; // an IPv4-mapped IPv6 address is the IPv4 address
    const a = v4 ?? address;
    const type = isIP(a) === 6 ? 'ipv6' : 'ipv4';
    if (this.allowed.check(a, type)) return undefined;
    if (this.forbidden.check(a, type))
      return `${host} resolves to ${address}, a loopback, private, link-local or metadata address that kendrite's crawler does not fetch (crawler.allowHosts or crawler.allowCidrs allow it)`;
    return undefined;
  }

  /** The host's address to connect to, each address it resolves to checked first. Throws ForbiddenAddress. */
  async resolve(host: string): Promise<{ address: string; family: number }> {
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    const mapped = this.settings.hosts[bare.toLowerCase()];
    const all = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : mapped ? [{ address: mapped, family: isIP(mapped) }] : await this.resolver(bare);
    if (!all.length) throw Object.assign(new Error(`${host} does not resolve`), { code: 'ENOTFOUND' });
    for (const a of all) {
      const why = this.refusal(bare, a.address);
      if (why) throw new ForbiddenAddress(why);
    }
    return all[0]!;
  }

  /** A lookup for net.connect (undici's connect.lookup): the guard's checked address. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname).then(
      (a) => {
        if ((options as { all?: boolean }).all) (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(null, [a]);
        else callback(null, a.address, a.family);
      },
      (e: Error) => callback(e as NodeJS.ErrnoException, '', 0),
    );
  };
}
