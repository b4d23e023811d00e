/**
 * Reads what iputils `ping -n` printed and turns it into the stats a Ping check records.
 * The reply lines are parsed one by one because ping's own summary gives no per-packet
 * round trips (needed for jitter) and counts late replies that the check's per-reply timeout
 * says are lost. Debian builds iputils without NLS, so its messages are always English.
 */
import type { PingStats } from '../../proto/generated/pharos/v1/result.js';

export interface EchoReply {
  seq: number;
  rttMs: number;
}

export interface PingTranscript {
  /** Echo requests sent, from ping's summary; undefined when ping ended without one. */
  sent?: number;
  /** The first reply to each request, in request order (duplicates dropped). */
  replies: EchoReply[];
  /** ICMP errors returned for requests, e.g. "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable". */
  icmpErrors: string[];
}

// "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms" (large round trips print as "time=1034 ms").
const REPLY = /^\d+ bytes from \S+: icmp_seq=(\d+) .*\btime=(\d+(?:\.\d+)?) ms/;
const SUMMARY = /^(\d+) packets transmitted, \d+ received/;
const ICMP_ERROR = /^From \S+ icmp_seq=\d+ /;
// Only the socket call fails for lack of privilege; "sendmsg: Operation not permitted" is a firewall's refusal.
const NO_ICMP_PRIVILEGE = /socket: (Operation not permitted|Permission denied)|missing cap_net_raw/;

export function readPingOutput(stdout: string): PingTranscript {
  const bySeq = new Map<number, EchoReply>();
  const icmpErrors: string[] = [];
  let sent: number | undefined;
  for (const line of stdout.split('\n').map((l) => l.trim())) {
    const reply = REPLY.exec(line);
    if (reply) {
      const seq = Number(reply[1]);
      if (!line.endsWith('(DUP!)') && !bySeq.has(seq)) bySeq.set(seq, { seq, rttMs: Number(reply[2]) });
      continue;
    }
    const summary = SUMMARY.exec(line);
    if (summary) sent = Number(summary[1]);
    else if (ICMP_ERROR.test(line)) icmpErrors.push(line);
  }
  const replies = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  return { sent, replies, icmpErrors };
}

/** The line of ping's stderr saying it may not open an ICMP socket, if it says so. */
export function privilegeRefusal(stderr: string): string | undefined {
  return stderr.split('\n').find((line) => NO_ICMP_PRIVILEGE.test(line))?.trim();
}

/** Stats of `sent` requests to `address`; a reply later than `packetTimeoutMs` counts as lost. */
export function pingStats(address: string, sent: number, replies: EchoReply[], packetTimeoutMs: number): PingStats {
  const rtts = replies.filter((r) => r.rttMs <= packetTimeoutMs).map((r) => r.rttMs).slice(0, sent);
  const received = rtts.length;
  return {
    address,
    sent,
    received,
    packetLossPercent: sent === 0 ? 0 : round(((sent - received) / sent) * 100),
    rttMinMs: received ? Math.min(...rtts) : 0,
    rttAvgMs: received ? round(rtts.reduce((sum, rtt) => sum + rtt, 0) / received) : 0,
    rttMaxMs: received ? Math.max(...rtts) : 0,
    jitterMs: jitter(rtts),
  };
}

/** Mean absolute difference between consecutive round trips; 0 with fewer than two. */
export function jitter(rtts: readonly number[]): number {
  if (rtts.length < 2) return 0;
  let total = 0;
  for (let i = 1; i < rtts.length; i++) total += Math.abs(rtts[i] - rtts[i - 1]);
  return round(total / (rtts.length - 1));
}

/** Microseconds, as ping prints them. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
