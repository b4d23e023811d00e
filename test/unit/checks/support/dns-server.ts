/**
 * A real authoritative DNS server for checker tests, on 127.0.0.1 UDP port 0 (dns-packet
 * does the wire format). It answers from a small zone, can be told to answer a name with
 * an error rcode or not at all, and remembers every question it was asked, so a test can
 * tell that a query was (or was not) sent. Nothing here reaches beyond loopback.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import dnsPacket, { type Answer, type Question } from 'dns-packet';

/** How the server treats a name instead of answering from the zone. */
export type NameBehaviour = 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'NOTIMP' | 'silent';

export interface DnsZone {
  records: Answer[];
  /** Names (lower case) answered with an error rcode, or swallowed ('silent'). */
  behaviour?: Record<string, NameBehaviour>;
}

export interface DnsTestServer {
  /** "127.0.0.1:<port>", as a check's resolver setting. */
  resolver: string;
  /** Every question received so far, in order. */
  questions(): Question[];
  close(): Promise<void>;
}

const RCODE: Record<Exclude<NameBehaviour, 'silent'> | 'NOERROR', number> = {
  NOERROR: 0,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

export async function startDnsServer(zone: DnsZone): Promise<DnsTestServer> {
  const received: Question[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const questions = query.questions ?? [];
    received.push(...questions);
    const reply = answer(zone, questions);
    if (reply === 'silent') return;
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | RCODE[reply.rcode],
      questions,
      answers: reply.answers,
    });
    socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    resolver: `127.0.0.1:${port}`,
    questions: () => [...received],
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function answer(zone: DnsZone, questions: Question[]): 'silent' | { rcode: keyof typeof RCODE; answers: Answer[] } {
  const question = questions[0];
  if (!question) return { rcode: 'REFUSED', answers: [] };
  const name = question.name.toLowerCase();
  const behaviour = zone.behaviour?.[name];
  if (behaviour === 'silent') return 'silent';
  if (behaviour) return { rcode: behaviour, answers: [] };
  const owned = zone.records.filter((record) => record.name.toLowerCase() === name);
  if (owned.length === 0) return { rcode: 'NXDOMAIN', answers: [] };
  return { rcode: 'NOERROR', answers: owned.filter((record) => record.type === question.type) };
}
