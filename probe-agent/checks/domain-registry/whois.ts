/**
 * WHOIS (RFC 3912) over TCP: the fallback for TLDs without RDAP, or when RDAP fails. A
 * TLD's server comes from the operator's map (a few common TLDs ship in it), else from the
 * "refer:" line IANA's WHOIS gives for the TLD, remembered for the life of the process.
 * Servers are written "host" (port 43) or "host:port".
 */
import net from 'node:net';
import type { RegistryAnswer } from './registration.js';
import { readWhoisAnswer } from './whois-answer.js';

export const SHIPPED_WHOIS_SERVERS: Readonly<Record<string, string>> = {
  com: 'whois.verisign-grs.com',
  net: 'whois.verisign-grs.com',
  org: 'whois.publicinterestregistry.org',
  ca: 'whois.cira.ca',
  de: 'whois.denic.de',
  eu: 'whois.eu',
  fr: 'whois.nic.fr',
  io: 'whois.nic.io',
  nl: 'whois.domain-registry.nl',
  uk: 'whois.nic.uk',
  us: 'whois.nic.us',
};
export const IANA_WHOIS_SERVER = 'whois.iana.org';

const WHOIS_PORT = 43;
const MAX_ANSWER_BYTES = 1024 * 1024;

export class WhoisClient {
  private readonly servers: Map<string, string>;
  /** TLD → server, learnt from IANA. */
  private readonly referred = new Map<string, string>();

  constructor(
    servers: Readonly<Record<string, string>>,
    private readonly ianaServer: string,
  ) {
    this.servers = new Map(Object.entries(servers));
  }

  /** What the TLD's registry says about `name`. Rejects with the abort reason on abort, a described error otherwise. */
  async lookup(name: string, tld: string, signal: AbortSignal): Promise<RegistryAnswer> {
    const server = this.servers.get(tld) ?? this.referred.get(tld) ?? (await this.askIana(tld, signal));
    const text = await this.query(server, name, signal);
    try {
      return readWhoisAnswer(text);
    } catch (err) {
      throw new Error(`${server}: ${(err as Error).message}`);
    }
  }

  private async askIana(tld: string, signal: AbortSignal): Promise<string> {
    const text = await this.query(this.ianaServer, tld, signal);
    const server = (/^refer:\s*(\S+)/im.exec(text) ?? /^whois:\s*(\S+)/im.exec(text))?.[1];
    if (!server) throw new Error(`${this.ianaServer} names no WHOIS server for .${tld}`);
    this.referred.set(tld, server);
    return server;
  }

  private async query(server: string, query: string, signal: AbortSignal): Promise<string> {
    try {
      return await queryWhois(server, query, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new Error(`${server}: ${(err as Error).message}`);
    }
  }
}

/** Sends one query line and reads the answer until the server closes the connection. */
function queryWhois(server: string, query: string, signal: AbortSignal): Promise<string> {
  const { host, port } = endpointOf(server);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const socket = net.connect({ host, port });
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onAbort = () => settle(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => socket.write(`${query}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) return settle(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
      chunks.push(chunk);
    });
    socket.on('error', settle);
    socket.once('end', () => settle());
    socket.once('close', () => settle(new Error('the connection closed before the answer ended')));
  });
}

function endpointOf(server: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(server) ?? /^([^:]+)(?::(\d+))?$/.exec(server);
  if (!match) return { host: server, port: WHOIS_PORT };
  return { host: match[1], port: match[2] ? Number(match[2]) : WHOIS_PORT };
}
