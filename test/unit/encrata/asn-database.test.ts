import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AsnDatabase, ShippedAsnDatabase, RangeTable, asnDatabaseSource, refreshAsnDatabase } from '../../../services/encrata/sources/asn-database.js';

/** Rows in IPtoASN's ip2asn-combined.tsv shape. */
const TSV = [
  '1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET',
  '1.0.1.0\t1.0.3.255\t0\tNone\tNot routed',
  '192.0.2.0\t192.0.2.255\t64500\tGB\tEXAMPLE-NET Example Ltd',
  '2001:db8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64501\tDE\tEXAMPLE-V6',
].join('\n');

describe('IPtoASN database', () => {
  it('finds the range of an address in either family; unannounced space and gaps are null', async () => {
    const db = await AsnDatabase.fromTsv(TSV);
    expect(db.size).toBe(3);
    expect(db.lookup('1.0.0.1')).toEqual({ number: 13335, organization: 'CLOUDFLARENET', country: 'US' });
    expect(db.lookup('192.0.2.255')).toEqual({ number: 64500, organization: 'EXAMPLE-NET Example Ltd', country: 'GB' });
    expect(db.lookup('::ffff:192.0.2.7')?.number).toBe(64500);
    expect(db.lookup('2001:db8::42')).toEqual({ number: 64501, organization: 'EXAMPLE-V6', country: 'DE' });
    expect(db.lookup('1.0.2.1')).toBeNull();
    expect(db.lookup('8.8.8.8')).toBeNull();
    expect(db.lookup('2001:db9::1')).toBeNull();
  });

  it('reads a gzipped file, reloads it when it changes, null while absent; refresh writes a checked download', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'asn-'));
    const server = http.createServer((req, res) => { res.writeHead(req.url === '/db.tsv.gz' ? 200 : 404); res.end(req.url === '/db.tsv.gz' ? gzipSync(TSV) : ''); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const file = path.join(dir, 'ip2asn.tsv.gz');
      const source = asnDatabaseSource(file, { shipped: null });
      expect(await source()).toBeNull();
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await refreshAsnDatabase({ url: `${base}/db.tsv.gz`, file })).toEqual({ file, ranges: 3 });
      expect((await source())?.lookup('1.0.0.1')?.number).toBe(13335);
      await expect(refreshAsnDatabase({ url: `${base}/missing`, file })).rejects.toThrow(/HTTP 404/);
      expect(readFileSync(file)).toEqual(gzipSync(TSV)); // the failed refresh left the good file
      writeFileSync(file, '1.0.0.0\t1.0.0.255\t64999\tFR\tRENAMED\n');
      expect((await source())?.lookup('1.0.0.1')).toEqual({ number: 64999, organization: 'RENAMED', country: 'FR' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('range table', () => {
  it('compares IPv6 addresses on both 64-bit halves, bounds inclusive', () => {
    const b = RangeTable.builder<string>();
    b.addV6(0x20010db8000000000000000000000000n, 0x20010db80000000000000000ffffffffn, 'low');
    b.addV6(0x20010db8000000000000000100000000n, 0x20010db8000000010000000000000000n, 'high');
    b.addV4(0xc0000200, 0xc00002ff, 'v4');
    const t = b.build();
    expect(t.size).toBe(3);
    expect(t.lookup('2001:db8::ffff:ffff')).toBe('low');
    expect(t.lookup('2001:db8::1:0:0')).toBe('high');
    expect(t.lookup('2001:db8:0:1::')).toBe('high');
    expect(t.lookup('2001:db8:0:1::1')).toBeNull();
    expect(t.lookup('192.0.2.255')).toBe('v4');
    expect(t.lookup('::ffff:192.0.2.0')).toBe('v4');
    expect(t.lookup('192.0.3.0')).toBeNull();
  });

  it('orders ranges that arrive out of order', () => {
    const b = RangeTable.builder<string>();
    b.addV4(0x0a000100, 0x0a0001ff, 'second');
    b.addV4(0x0a000000, 0x0a0000ff, 'first');
    b.addV6(0x20010db8000100000000000000000000n, 0x20010db80001ffffffffffffffffffffn, 'b');
    b.addV6(0x20010db8000000000000000000000000n, 0x20010db80000ffffffffffffffffffffn, 'a');
    const t = b.build();
    expect([t.lookup('10.0.0.7'), t.lookup('10.0.1.7'), t.lookup('10.0.2.7')]).toEqual(['first', 'second', null]);
    expect([t.lookup('2001:db8::1'), t.lookup('2001:db8:1::1'), t.lookup('2001:db8:2::1')]).toEqual(['a', 'b', null]);
  });
});

describe('shipped ip-location-db data', () => {
  let db: ShippedAsnDatabase;
  beforeAll(async () => { db = await ShippedAsnDatabase.load(); }, 120_000);

  it('answers AS number, organisation and country for well-known addresses in both families', () => {
    expect(db.size).toBeGreaterThan(400_000);
    expect(db.lookup('8.8.8.8')).toEqual({ number: 15169, organization: 'Google LLC', country: 'US' });
    expect(db.lookup('1.1.1.1')).toMatchObject({ number: 13335, organization: 'Cloudflare, Inc.' });
    expect(db.lookup('1.1.1.1')?.country).toMatch(/^[A-Z]{2}$/);
    expect(db.lookup('2001:4860:4860::8888')?.number).toBe(15169);
    expect(db.lookup('2606:4700:4700::1111')?.number).toBe(13335);
    expect(db.lookup('::ffff:8.8.8.8')?.number).toBe(15169);
    // Private space is announced by no AS.
    expect(db.lookup('10.1.2.3')).toBeNull();
    expect(db.lookup('fd00::1')).toBeNull();
  });

  it('is the default while the operator has no IPtoASN file, and gives way to one when it appears', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'asn-'));
    try {
      const file = path.join(dir, 'ip2asn.tsv');
      let loads = 0;
      const source = asnDatabaseSource(file, { shipped: async () => { loads += 1; return db; } });
      expect((await source())?.lookup('8.8.8.8')?.number).toBe(15169);
      expect((await source())?.lookup('1.1.1.1')?.number).toBe(13335);
      writeFileSync(file, '8.8.8.0\t8.8.8.255\t64999\tFR\tOVERRIDE\n');
      expect((await source())?.lookup('8.8.8.8')).toEqual({ number: 64999, organization: 'OVERRIDE', country: 'FR' });
      rmSync(file);
      expect((await source())?.lookup('8.8.8.8')?.number).toBe(15169);
      expect(loads).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
