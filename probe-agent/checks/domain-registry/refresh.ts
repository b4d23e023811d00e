/**
 * Refreshes the operator's copy of IANA's RDAP bootstrap (`pharos rdap-bootstrap refresh`):
 * download, check its shape, then write it atomically (a synced temporary file renamed into
 * place), so an agent never reads half a file and a bad download never replaces a good one.
 * Agents pick the new file up on their next Domain check.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fetch } from 'undici';
import { parseRdapBootstrap } from './bootstrap.js';

export const IANA_RDAP_BOOTSTRAP_URL = 'https://data.iana.org/rdap/dns.json';

export interface RefreshRdapBootstrapOptions {
  /** Default: IANA's file. */
  url?: string;
  /** Where agents read it (the path given as `registries.rdapBootstrap`). */
  file: string;
  signal?: AbortSignal;
}

export interface RefreshedRdapBootstrap {
  file: string;
  /** The file's own publication time, as IANA wrote it. */
  publication: string;
  /** How many domain suffixes (TLDs) it maps to an RDAP service. */
  tlds: number;
}

/** Throws, leaving any previous file in place, when the download fails or is not a bootstrap. */
export async function refreshRdapBootstrap({ url = IANA_RDAP_BOOTSTRAP_URL, file, signal }: RefreshRdapBootstrapOptions): Promise<RefreshedRdapBootstrap> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url} answered HTTP ${response.status}`);
  }
  const text = await response.text();
  let publication: string;
  let tlds: number;
  try {
    const bootstrap = parseRdapBootstrap(JSON.parse(text));
    publication = bootstrap.publication;
    tlds = bootstrap.services.reduce((count, [suffixes]) => count + suffixes.length, 0);
  } catch (err) {
    throw new Error(`${url} did not send an RDAP bootstrap: it ${err instanceof SyntaxError ? 'is not JSON' : (err as Error).message}`);
  }
  await writeAtomically(file, text);
  return { file, publication, tlds };
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}
