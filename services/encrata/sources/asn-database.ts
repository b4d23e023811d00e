/**
 * ASN, organisation and country of an IP address from an IPtoASN database
 * (https://iptoasn.com, public domain under the PDDL): the TSV `ip2asn-combined.tsv(.gz)`
 * with the columns range_start, range_end, AS_number, country_code, AS_description. Not
 * shipped (a 6 MB download refreshed hourly upstream): `pharos ip-asn refresh` downloads it
 * to PHAROS_IP_ASN_FILE, and workers reload it when the file changes. No MaxMind data.
 */
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { parse } from 'csv-parse/sync';
import { fetch } from 'undici';

export const IPTOASN_URL = 'https://iptoasn.com/data/ip2asn-combined.tsv.gz';

const SLICE = 20_000;

export interface AsnAnswer { number: number; organization: string; country: string | null }

const toBig = (address: string): bigint => {
  const addr = ipaddr.process(address);
  return addr.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n) | (addr.kind() === 'ipv6' ? 1n << 200n : 0n);
};

/** Ranges sorted by start; lookups by binary search. IPv6 keys carry a marker bit so the families never mix. */
export class AsnDatabase {
  private constructor(private readonly starts: bigint[], private readonly ends: bigint[], private readonly answers: AsnAnswer[]) {}

  /**
   * Parses the TSV in slices of 20,000 lines, yielding to the event loop between them, so
   * a worker keeps serving its in-flight enrichments while a 700,000-line file loads.
   */
  static async fromTsv(text: string): Promise<AsnDatabase> {
    const ranges: Array<{ start: bigint; end: bigint; answer: AsnAnswer }> = [];
    // One answer object per (AS, country, name): the full file has ~700,000 ranges of ~80,000 ASes.
    const interned = new Map<string, AsnAnswer>();
    const lines = text.split('\n');
    for (let from = 0; from < lines.length; from += SLICE) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const rows = parse(lines.slice(from, from + SLICE).join('\n'), { delimiter: '\t', quote: false, relax_column_count: true, skip_empty_lines: true }) as string[][];
      for (const [start, end, asn, country, description] of rows) {
        const number = Number(asn);
        // AS 0 marks space that no AS announces.
        if (!number || !ipaddr.isValid(start) || !ipaddr.isValid(end)) continue;
        const key = `${number}\t${country}\t${description}`;
        let answer = interned.get(key);
        if (!answer) interned.set(key, answer = { number, organization: description ?? '', country: country && country !== 'None' ? country : null });
        ranges.push({ start: toBig(start), end: toBig(end), answer });
      }
    }
    ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    return new AsnDatabase(ranges.map((r) => r.start), ranges.map((r) => r.end), ranges.map((r) => r.answer));
  }

  get size(): number { return this.starts.length; }

  lookup(address: string): AsnAnswer | null {
    const key = toBig(address);
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= key) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found >= 0 && key <= this.ends[found] ? this.answers[found] : null;
  }
}

const decode = (bytes: Buffer): string => (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');

/** The database in `file`, reloaded when the file changes; null while there is none. */
export function asnDatabaseSource(file: string | undefined): () => Promise<AsnDatabase | null> {
  if (!file) return async () => null;
  let current: { version: string; db: Promise<AsnDatabase> } | undefined;
  return async () => {
    const stats = await stat(file).catch(() => undefined);
    if (!stats) return null;
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
