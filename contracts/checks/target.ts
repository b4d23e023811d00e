/**
 * The target fields several check types share (`url`, `hostname`, `port`): one schema each,
 * so the monitor body has one definition of a field whichever types use it, and the rule for
 * a host an agent can dial.
 */
import { isIP } from 'node:net';
import { Type } from 'typebox';
import { field, nullable } from './fields.js';
import type { FieldProblem } from './contract.js';

export const TARGET_FIELDS = {
  url: field<string | null>(nullable(Type.String({ maxLength: 2048, description: 'Website: the http(s) URL to request' })), null),
  hostname: field<string | null>(nullable(Type.String({ maxLength: 253, description: 'Port, Ping, Dns, Domain: the host (or domain) to check' })), null),
  port: field<number | null>(nullable(Type.Integer({ minimum: 1, maximum: 65535, description: 'Port: the TCP port to connect to' })), null),
} as const;

export type TargetFieldName = keyof typeof TARGET_FIELDS;

const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Strips the brackets URL hosts put around IPv6 literals. */
export function bareHostname(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** Whether a Port or Ping check's `hostname` can be dialled: a host name or an IP literal (IPv6 bracketed or not). */
export function isTargetHost(hostname: string): boolean {
  return hostname.length > 0 && hostname.length <= 253 && (HOSTNAME.test(hostname) || isIP(bareHostname(hostname)) !== 0);
}

/** `hostname` must be present and dialable (Port, Ping). */
export function checkTargetHost(problems: FieldProblem[], hostname: string | null, type: string): void {
  if (!hostname) problems.push({ field: '/hostname', message: `is required for ${type} monitors` });
  else if (!isTargetHost(hostname)) problems.push({ field: '/hostname', message: 'must be a hostname or an IP address' });
}
