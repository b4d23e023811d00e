/**
 * ASN, organisation and country of an IP address, both families.
 *
 * Shipped by default: sapics/ip-location-db's `@ip-location-db/asn` (RouteViews, the five
 * RIRs' statistics via the NRO, and DB-IP's IP to ASN Lite; CC BY 4.0) for the AS number and
 * organisation, and `@ip-location-db/geo-whois-asn-country` (GeoFeed, RIR WHOIS, NRO; CC0 /
 * CC BY 4.0) for the address's country. The operator may instead install an IPtoASN database
 * (https://iptoasn.com, PDDL): `pharos ip-asn refresh` downloads `ip2asn-combined.tsv.gz` to
 * PHAROS_IP_ASN_FILE, and while that file exists workers use it and reload it when it changes.
 * No MaxMind data.
 */
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { parse } from 'csv-parse/sync';
import { fetch } from 'undici';

export const IPTOASN_URL = 'https://iptoasn.com/data/ip2asn-combined.tsv.gz';

/** Lines parsed between yields to the event loop: csv-parse takes ~10 µs a line, a hand split far less. */
const SLICE = { quoted: 2_000, plain: 20_000 };
const LOW64 = (1n << 64n) - 1n;

export interface AsnAnswer { number: number; organization: string; country: string | null }

/** What the IP enricher asks of an ASN database, whichever one is loaded. */
export interface AsnLookup { readonly size: number; lookup(address: string): AsnAnswer | null }

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Inclusive address ranges → values, each family in typed arrays sorted by start (IPv4 as
 * 32-bit numbers; IPv6 as high and low 64-bit halves), looked up by binary search. About
 * 16 bytes a range for IPv4 and 40 for IPv6, against ~100 for a range of boxed BigInts.
 */
export class RangeTable<T> {
  private constructor(
    private readonly v4: { starts: Uint32Array; ends: Uint32Array; values: T[] },
    private readonly v6: { startHi: BigUint64Array; startLo: BigUint64Array; endHi: BigUint64Array; endLo: BigUint64Array; values: T[] },
  ) {}

  get size(): number { return this.v4.values.length + this.v6.values.length; }

  static builder<T>() {
    // Plain number arrays (unboxed doubles) and typed halves, no object per range: the
    // builder's own garbage stays small while ~1 million ranges load.
    const v4 = { starts: [] as number[], ends: [] as number[], values: [] as T[], sorted: true };
    const v6 = { startHi: [] as bigint[], startLo: [] as bigint[], endHi: [] as bigint[], endLo: [] as bigint[], values: [] as T[], sorted: true };
    const v6Before = (i: number, j: number) => v6.startHi[i] < v6.startHi[j] || (v6.startHi[i] === v6.startHi[j] && v6.startLo[i] < v6.startLo[j]);
    return {
      addV4(start: number, end: number, value: T) {
        if (start > end) return;
        if (v4.starts.length > 0 && start < v4.starts[v4.starts.length - 1]) v4.sorted = false;
        v4.starts.push(start); v4.ends.push(end); v4.values.push(value);
      },
      addV6(start: bigint, end: bigint, value: T) {
        if (start > end) return;
        v6.startHi.push(start >> 64n); v6.startLo.push(start & LOW64); v6.endHi.push(end >> 64n); v6.endLo.push(end & LOW64); v6.values.push(value);
        const n = v6.values.length;
        if (n > 1 && v6Before(n - 1, n - 2)) v6.sorted = false;
      },
      build(): RangeTable<T> {
        // The files come sorted; reorder only when they are not.
        const order4 = v4.sorted ? null : [...v4.starts.keys()].sort((a, b) => v4.starts[a] - v4.starts[b]);
        const order6 = v6.sorted ? null : [...v6.values.keys()].sort((a, b) => (v6Before(a, b) ? -1 : v6Before(b, a) ? 1 : 0));
        const pick = <V>(xs: V[], order: number[] | null): V[] => (order ? order.map((i) => xs[i]) : xs);
        return new RangeTable<T>(
          { starts: Uint32Array.from(pick(v4.starts, order4)), ends: Uint32Array.from(pick(v4.ends, order4)), values: pick(v4.values, order4) },
          {
            startHi: BigUint64Array.from(pick(v6.startHi, order6)), startLo: BigUint64Array.from(pick(v6.startLo, order6)),
            endHi: BigUint64Array.from(pick(v6.endHi, order6)), endLo: BigUint64Array.from(pick(v6.endLo, order6)),
            values: pick(v6.values, order6),
          },
        );
      },
    };
  }

  /** The value of the range holding `address` (an IPv4-mapped IPv6 address counts as IPv4); null in a gap. */
  lookup(address: string): T | null {
    const addr = ipaddr.process(address);
    const bytes = addr.toByteArray();
    if (addr.kind() === 'ipv4') {
      const key = ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
      const { starts, ends, values } = this.v4;
      let lo = 0; let hi = starts.length - 1; let found = -1;
      while (lo <= hi) { const mid = (lo + hi) >> 1; if (starts[mid] <= key) { found = mid; lo = mid + 1; } else hi = mid - 1; }
      return found >= 0 && key <= ends[found] ? values[found] : null;
    }
    const half = (from: number) => bytes.slice(from, from + 8).reduce((n, b) => (n << 8n) | BigInt(b), 0n);
    const kHi = half(0); const kLo = half(8);
    const { startHi, startLo, endHi, endLo, values } = this.v6;
    let lo = 0; let hi = startHi.length - 1; let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (startHi[mid] < kHi || (startHi[mid] === kHi && startLo[mid] <= kLo)) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found >= 0 && (kHi < endHi[found] || (kHi === endHi[found] && kLo <= endLo[found])) ? values[found] : null;
  }
}

const toNumber = (address: ipaddr.IPv4 | ipaddr.IPv6): number => address.toByteArray().reduce((n, b) => n * 256 + b, 0);
const toBig = (address: ipaddr.IPv4 | ipaddr.IPv6): bigint => address.toByteArray().reduce((n, b) => (n << 8n) | BigInt(b), 0n);

/**
 * Parses CSV/TSV text in slices (2,000 lines through csv-parse, 20,000 split by hand),
 * yielding to the event loop between them.
 * Unquoted files are split by hand (their fields never hold the delimiter); quoted ones go
 * through csv-parse.
 */
async function eachRow(text: string, options: { delimiter: string; quote: boolean }, row: (fields: string[]) => void): Promise<void> {
  const lines = text.split('\n');
  const size = options.quote ? SLICE.quoted : SLICE.plain;
  for (let from = 0; from < lines.length; from += size) {
    if (from > 0) await yieldToLoop();
    const slice = lines.slice(from, from + size);
    if (options.quote) {
      for (const fields of parse(slice.join('\n'), { delimiter: options.delimiter, relax_column_count: true, skip_empty_lines: true }) as string[][]) row(fields);
    } else {
      for (const line of slice) { const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line; if (trimmed) row(trimmed.split(options.delimiter)); }
    }
  }
}

/** An IPtoASN `ip2asn-combined.tsv` (range_start, range_end, AS_number, country_code, AS_description); the country is the AS's. */
export class AsnDatabase implements AsnLookup {
  private constructor(private readonly table: RangeTable<AsnAnswer>) {}

  /** Loads in slices, so a worker keeps serving its in-flight enrichments while a 700,000-line file loads. */
  static async fromTsv(text: string): Promise<AsnDatabase> {
    const table = RangeTable.builder<AsnAnswer>();
    // One answer object per (AS, country, name): the full file has ~700,000 ranges of ~80,000 ASes.
    const interned = new Map<string, AsnAnswer>();
    await eachRow(text, { delimiter: '\t', quote: false }, ([start, end, asn, country, description]) => {
      const number = Number(asn);
      // AS 0 marks space that no AS announces.
      if (!number || !ipaddr.isValid(start) || !ipaddr.isValid(end)) return;
      const [first, last] = [ipaddr.parse(start), ipaddr.parse(end)];
      if (first.kind() !== last.kind()) return;
      const key = `${number}\t${country}\t${description}`;
      let answer = interned.get(key);
      if (!answer) interned.set(key, answer = { number, organization: description ?? '', country: country && country !== 'None' ? country : null });
      if (first.kind() === 'ipv4') table.addV4(toNumber(first), toNumber(last), answer);
      else table.addV6(toBig(first), toBig(last), answer);
    });
    return new AsnDatabase(table.build());
  }

  get size(): number { return this.table.size; }

  lookup(address: string): AsnAnswer | null { return this.table.lookup(address); }
}

/** Where the shipped data files are (the `-num` files: ranges as integers, quicker to read than addresses). */
export function shippedDataFiles(): { asnV4: string; asnV6: string; countryV4: string; countryV6: string } {
  const require = createRequire(import.meta.url);
  return {
    asnV4: require.resolve('@ip-location-db/asn/asn-ipv4-num.csv'),
    asnV6: require.resolve('@ip-location-db/asn/asn-ipv6-num.csv'),
    countryV4: require.resolve('@ip-location-db/geo-whois-asn-country/geo-whois-asn-country-ipv4-num.csv'),
    countryV6: require.resolve('@ip-location-db/geo-whois-asn-country/geo-whois-asn-country-ipv6-num.csv'),
  };
}

/**
 * The shipped ip-location-db data: AS number and organisation by range (CSV
 * `ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization`),
 * and the address's country by range (`ip_range_start,ip_range_end,country_code`).
 */
export class ShippedAsnDatabase implements AsnLookup {
  private constructor(private readonly asns: RangeTable<{ number: number; organization: string }>, private readonly countries: RangeTable<string>) {}

  /** `read` gives each file's text; the files are read one after another, so only one is in memory at a time. */
  static async fromCsv(read: (file: 'asnV4' | 'asnV6' | 'countryV4' | 'countryV6') => Promise<string>): Promise<ShippedAsnDatabase> {
    const asns = RangeTable.builder<{ number: number; organization: string }>();
    const interned = new Map<string, { number: number; organization: string }>();
    const addAsn = (v6: boolean) => ([start, end, asn, organization]: string[]) => {
      const number = Number(asn);
      if (!Number.isInteger(number) || number <= 0 || !/^\d+$/.test(start) || !/^\d+$/.test(end)) return;
      const key = `${number}\t${organization}`;
      let answer = interned.get(key);
      if (!answer) interned.set(key, answer = { number, organization: organization ?? '' });
      if (v6) asns.addV6(BigInt(start), BigInt(end), answer); else asns.addV4(Number(start), Number(end), answer);
    };
    await eachRow(await read('asnV4'), { delimiter: ',', quote: true }, addAsn(false));
    await eachRow(await read('asnV6'), { delimiter: ',', quote: true }, addAsn(true));
    const countries = RangeTable.builder<string>();
    const addCountry = (v6: boolean) => ([start, end, code]: string[]) => {
      if (!code || !/^[A-Z]{2}$/.test(code) || !/^\d+$/.test(start) || !/^\d+$/.test(end)) return;
      if (v6) countries.addV6(BigInt(start), BigInt(end), code); else countries.addV4(Number(start), Number(end), code);
    };
    await eachRow(await read('countryV4'), { delimiter: ',', quote: false }, addCountry(false));
    await eachRow(await read('countryV6'), { delimiter: ',', quote: false }, addCountry(true));
    const asnTable = asns.build();
    await yieldToLoop();
    return new ShippedAsnDatabase(asnTable, countries.build());
  }

  /** Reads the files installed with the packages. */
  static async load(files = shippedDataFiles()): Promise<ShippedAsnDatabase> {
    return ShippedAsnDatabase.fromCsv((name) => readFile(files[name], 'utf8'));
  }

  get size(): number { return this.asns.size; }

  lookup(address: string): AsnAnswer | null {
    const asn = this.asns.lookup(address);
    return asn ? { number: asn.number, organization: asn.organization, country: this.countries.lookup(address) } : null;
  }
}

const decode = (bytes: Buffer): string => (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');

/**
 * The database to answer from: the operator's IPtoASN file while it exists (reloaded when it
 * changes), else the shipped data (loaded once, at the first call). `shipped: null` turns the
 * shipped data off (then null while there is no file).
 */
export function asnDatabaseSource(file: string | undefined, options: { shipped?: (() => Promise<AsnLookup>) | null } = {}): () => Promise<AsnLookup | null> {
  const loadShipped = options.shipped === undefined ? () => ShippedAsnDatabase.load() : options.shipped;
  let shipped: Promise<AsnLookup> | undefined;
  let current: { version: string; db: Promise<AsnDatabase> } | undefined;
  const fallback = () => {
    if (!loadShipped) return Promise.resolve(null);
    // A failed load is retried at the next call rather than remembered.
    shipped ??= loadShipped().catch((err: unknown) => { shipped = undefined; throw err; });
    return shipped;
  };
  return async () => {
    const stats = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !stats) return fallback();
    const version = `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
    if (current?.version !== version) current = { version, db: readFile(file).then((b) => AsnDatabase.fromTsv(decode(b))) };
    return current.db;
  };
}

/** Downloads the database, checks that it parses to some ranges, and writes it atomically. */
export async function refreshAsnDatabase({ url = IPTOASN_URL, file, signal }: { url?: string; file: string; signal?: AbortSignal }): Promise<{ file: string; ranges: number }> {
  const res = await fetch(url, { signal });
  if (!res.ok) { await res.body?.cancel(); throw new Error(`${url} answered HTTP ${res.status}`); }
  const bytes = Buffer.from(await res.arrayBuffer());
  const ranges = (await AsnDatabase.fromTsv(decode(bytes))).size;
  if (ranges === 0) throw new Error(`${url} did not send an IPtoASN TSV`);
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try { await handle.writeFile(bytes); await handle.sync(); } finally { await handle.close(); }
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  return { file, ranges };
}
