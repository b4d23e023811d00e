import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { checkAddress, classifyAddress, type AddressCategory } from '../../../services/lib/ssrf/address-policy.js';

const STRICT = { allowPrivateTargets: false };
const LENIENT = { allowPrivateTargets: true };

/** [address, category, matched range] for every kind of refused space. */
const REFUSED: Array<[string, AddressCategory, string]> = [
  ['127.0.0.1', 'loopback', '127.0.0.0/8'],
  ['127.255.255.254', 'loopback', '127.0.0.0/8'],
  ['::1', 'loopback', '::1/128'],
  ['10.0.0.5', 'private', '10.0.0.0/8'],
  ['172.16.0.1', 'private', '172.16.0.0/12'],
  ['172.31.255.255', 'private', '172.16.0.0/12'],
  ['192.168.1.1', 'private', '192.168.0.0/16'],
  ['fc00::1', 'uniqueLocal', 'fc00::/7'],
  ['fd12:3456:789a::1', 'uniqueLocal', 'fc00::/7'],
  ['fec0::1', 'siteLocal', 'fec0::/10'],
  ['169.254.1.1', 'linkLocal', '169.254.0.0/16'],
  ['fe80::1', 'linkLocal', 'fe80::/10'],
  ['fe80::1%eth0', 'linkLocal', 'fe80::/10'],
  ['100.64.0.1', 'carrierGradeNat', '100.64.0.0/10'],
  ['100.127.255.254', 'carrierGradeNat', '100.64.0.0/10'],
  ['224.0.0.1', 'multicast', '224.0.0.0/4'],
  ['239.255.255.250', 'multicast', '224.0.0.0/4'],
  ['ff02::1', 'multicast', 'ff00::/8'],
  ['0.0.0.0', 'unspecified', '0.0.0.0/8'],
  ['0.1.2.3', 'unspecified', '0.0.0.0/8'],
  ['::', 'unspecified', '::/128'],
  ['255.255.255.255', 'broadcast', '255.255.255.255/32'],
  ['240.0.0.1', 'reserved', '240.0.0.0/4'],
  ['192.0.0.8', 'reserved', '192.0.0.0/24'],
  ['192.0.2.10', 'reserved', '192.0.2.0/24'],
  ['198.51.100.7', 'reserved', '198.51.100.0/24'],
  ['203.0.113.9', 'reserved', '203.0.113.0/24'],
  ['198.18.0.1', 'reserved', '198.18.0.0/15'],
  ['2001:db8::1', 'reserved', '2001:db8::/32'],
  ['3fff::1', 'reserved', '3fff::/20'],
  ['100::1', 'reserved', '100::/64'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved', '2001::/32'], // Teredo
  ['64:ff9b:1::a00:5', 'reserved', '64:ff9b:1::/48'],
  ['4000::1', 'reserved', 'outside 2000::/3'],
];

describe('address policy', () => {
  it.each(REFUSED)('refuses %s (%s, %s) unless private targets are allowed', (address, category, range) => {
    expect(classifyAddress(address)).toMatchObject({ category, range });
    const verdict = checkAddress(address, STRICT);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) {
      expect(verdict.reason).toContain(`(${range})`);
      expect(verdict.reason).toMatch(/private targets are disabled on this network$/);
    }
    expect(checkAddress(address, LENIENT).allowed).toBe(true);
  });

  it('names the range in the reason', () => {
    const verdict = checkAddress('10.0.0.5', STRICT);
    expect(verdict).toMatchObject({ allowed: false, reason: 'is in a private range (10.0.0.0/8); private targets are disabled on this network' });
  });

  it.each([
    ['169.254.169.254', '169.254.169.254/32'],
    ['169.254.170.2', '169.254.170.2/32'],
    ['169.254.170.23', '169.254.170.23/32'],
    ['100.100.100.200', '100.100.100.200/32'],
    ['fd00:ec2::254', 'fd00:ec2::254/128'],
    ['fd00:ec2::23', 'fd00:ec2::23/128'],
    ['fd20:ce::254', 'fd20:ce::254/128'],
    ['::ffff:169.254.169.254', '169.254.169.254/32'],
    ['::ffff:a9fe:a9fe', '169.254.169.254/32'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254/32'],
  ])('refuses the cloud metadata endpoint %s even when private targets are allowed', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ category: 'metadata', range });
    for (const policy of [STRICT, LENIENT]) {
      const verdict = checkAddress(address, policy);
      expect(verdict.allowed).toBe(false);
      if (!verdict.allowed) expect(verdict.reason).toMatch(/cloud metadata endpoint .*refused even where private targets are allowed/);
    }
  });

  it.each([
    ['::ffff:127.0.0.1', 'IPv4-mapped', '127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped', '127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.5', 'IPv4-mapped', '10.0.0.5', 'private'],
    ['::ffff:c0a8:101', 'IPv4-mapped', '192.168.1.1', 'private'],
    ['::ffff:0:7f00:1', 'IPv4-translated', '127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'IPv4-compatible', '127.0.0.1', 'loopback'],
    ['::7f00:1', 'IPv4-compatible', '127.0.0.1', 'loopback'],
    ['::10.0.0.5%eth0', 'IPv4-compatible', '10.0.0.5', 'private'],
    ['::a00:5', 'IPv4-compatible', '10.0.0.5', 'private'],
    ['64:ff9b::10.0.0.5', 'NAT64', '10.0.0.5', 'private'],
    ['64:ff9b::7f00:1', 'NAT64', '127.0.0.1', 'loopback'],
    ['64:ff9b::6440:1', 'NAT64', '100.64.0.1', 'carrierGradeNat'],
    ['2002:c0a8:101::1', '6to4', '192.168.1.1', 'private'],
  ] as const)('judges %s as the %s form of %s (%s)', (address, form, ipv4, category) => {
    expect(classifyAddress(address)).toMatchObject({ category, embedded: { form, ipv4 } });
    const verdict = checkAddress(address, STRICT);
    expect(verdict).toMatchObject({ allowed: false });
    if (!verdict.allowed) expect(verdict.reason).toContain(`is the ${form} form of ${ipv4}, which is in`);
    expect(checkAddress(address, LENIENT).allowed).toBe(true);
  });

  it('allows embedded forms of public addresses, except the deprecated IPv4-compatible one', () => {
    expect(checkAddress('::ffff:8.8.8.8', STRICT).allowed).toBe(true);
    expect(checkAddress('64:ff9b::808:808', STRICT).allowed).toBe(true); // DNS64 synthesizes these on IPv6-only hosts
    expect(checkAddress('2002:808:808::1', STRICT).allowed).toBe(true);
    expect(classifyAddress('::8.8.8.8')).toMatchObject({ category: 'reserved', range: '::/96', embedded: { form: 'IPv4-compatible' } });
    expect(checkAddress('::8.8.8.8', STRICT).allowed).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.215.14', '172.32.0.1', '100.128.0.1', '169.255.0.1', '2606:4700:4700::1111', '2a00:1450:4001:80e::200e', '2001:4860:4860::8888'])(
    'allows the public address %s',
    (address) => {
      expect(classifyAddress(address)).toEqual({ address, category: 'public' });
      expect(checkAddress(address, STRICT).allowed).toBe(true);
    },
  );

  it('only takes strict IP address text', () => {
    expect(() => classifyAddress('example.com')).toThrow(TypeError);
    expect(() => classifyAddress('0177.0.0.1')).toThrow(TypeError); // inet_aton forms resolve to an address first
    expect(() => classifyAddress('2130706433')).toThrow(TypeError);
  });

  it('refuses every range ipaddr.js knows as special, apart from public anycast services', () => {
    const publicServices = new Set(['unicast', 'as112', 'as112v6', 'amt']);
    // Embedded forms are judged by their IPv4 address instead (covered above).
    const embedding = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4']);
    for (const kind of [ipaddr.IPv4, ipaddr.IPv6]) {
      const ranges = (kind.prototype as unknown as { SpecialRanges: unknown }).SpecialRanges as Record<string, [ipaddr.IPv4 | ipaddr.IPv6, number] | Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>>;
      for (const [name, value] of Object.entries(ranges)) {
        if (publicServices.has(name) || embedding.has(name)) continue;
        const list = Array.isArray(value[0]) ? (value as Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>) : [value as [ipaddr.IPv4 | ipaddr.IPv6, number]];
        for (const [network] of list) {
          const address = network.toString();
          expect(classifyAddress(address).category, `${address} (${name})`).not.toBe('public');
        }
      }
    }
  });
});
