import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RdapIpIndex, parseRdapIpBootstrap, rdapIpBootstrapSource } from '../../../services/encrata/sources/rdap-ip-bootstrap.js';

describe('RDAP IP bootstrap', () => {
  it('the shipped subset finds the regional registry of well-known blocks, and nothing for others', async () => {
    const index = await rdapIpBootstrapSource(undefined)();
    expect(index.baseUrlFor('193.0.6.139')).toBe('https://rdap.db.ripe.net/');
    expect(index.baseUrlFor('1.1.1.1')).toBe('https://rdap.apnic.net/');
    expect(index.baseUrlFor('200.160.2.3')).toBe('https://rdap.lacnic.net/rdap/');
    expect(index.baseUrlFor('2a00:1450::1')).toBe('https://rdap.db.ripe.net/');
    expect(index.baseUrlFor('::ffff:41.0.0.1')).toBe('https://rdap.afrinic.net/rdap/');
    expect(index.baseUrlFor('10.0.0.1')).toBeUndefined();
  });

  it('longest prefix wins, https preferred; a bad file is refused', () => {
    const index = new RdapIpIndex(parseRdapIpBootstrap({ version: '1.0', publication: 'x', services: [[['10.0.0.0/8'], ['http://a.test/', 'https://a.test/']], [['10.1.0.0/16'], ['https://b.test']]] }));
    expect(index.baseUrlFor('10.1.2.3')).toBe('https://b.test/');
    expect(index.baseUrlFor('10.2.0.1')).toBe('https://a.test/');
    expect(() => parseRdapIpBootstrap({ version: '1.0', publication: 'x', services: [[['10.0.0.0/33'], ['https://a.test/']]] })).toThrow(/not a CIDR/);
  });

  it('uses the operator\'s file once it exists, the shipped subset before', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rdap-ip-'));
    try {
      const file = path.join(dir, 'rdap-ip.json');
      const source = rdapIpBootstrapSource(file);
      expect((await source()).baseUrlFor('10.0.0.1')).toBeUndefined();
      writeFileSync(file, JSON.stringify({ version: '1.0', publication: 'x', services: [[['10.0.0.0/8'], ['https://private.test/']]] }));
      expect((await source()).baseUrlFor('10.0.0.1')).toBe('https://private.test/');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
