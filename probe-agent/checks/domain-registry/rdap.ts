/**
 * One RDAP domain query (RFC 9082, RFC 9083): GET {base}domain/{name}. A 404 means the
 * registry has no such name; anything else that is not a domain object (a refused
 * connection, a 5xx, a 429, no answer within the time RDAP is given) is an error, so the
 * caller can ask WHOIS instead.
 */
import { fetch } from 'undici';
import type { RegistryAnswer } from './registration.js';

interface RdapDomain {
  objectClassName?: unknown;
  events?: unknown;
  entities?: unknown;
  status?: unknown;
}

/** Rejects with the abort reason when `signal` aborts, with a described error otherwise. */
export async function queryRdap(baseUrl: string, name: string, timeoutMs: number, signal: AbortSignal): Promise<RegistryAnswer> {
  const url = `${baseUrl}domain/${name}`;
  const budget = AbortSignal.timeout(timeoutMs);
  try {
    return await fetchDomain(url, AbortSignal.any([signal, budget]));
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw new Error(`${url}: ${budget.aborted ? `no answer within ${timeoutMs} ms` : reasonOf(err)}`);
  }
}

async function fetchDomain(url: string, signal: AbortSignal): Promise<RegistryAnswer> {
  const response = await fetch(url, { headers: { accept: 'application/rdap+json' }, signal });
  if (response.status === 404) {
    await response.body?.cancel();
    return { registered: false };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  const domain = (await response.json()) as RdapDomain | null;
  if (typeof domain !== 'object' || domain === null || domain.objectClassName !== 'domain') {
    throw new Error('the answer is not an RDAP domain object');
  }
  return {
    registered: true,
    expiresAtMs: eventTime(domain, 'expiration'),
    registeredAtMs: eventTime(domain, 'registration'),
    registrar: registrarName(domain),
    statuses: Array.isArray(domain.status) ? domain.status.filter(isString).map((status) => status.toLowerCase()) : [],
  };
}

function eventTime(domain: RdapDomain, action: string): number {
  if (!Array.isArray(domain.events)) return 0;
  const event = domain.events.find((candidate) => candidate?.eventAction === action);
  const time = typeof event?.eventDate === 'string' ? Date.parse(event.eventDate) : NaN;
  return Number.isNaN(time) ? 0 : time;
}

/** The "fn" of the entity whose roles include "registrar" (its jCard, RFC 7095). */
function registrarName(domain: RdapDomain): string {
  if (!Array.isArray(domain.entities)) return '';
  const registrar = domain.entities.find((entity) => Array.isArray(entity?.roles) && entity.roles.includes('registrar'));
  const properties: unknown = registrar?.vcardArray?.[1];
  if (!Array.isArray(properties)) return '';
  const fn = properties.find((property) => Array.isArray(property) && property[0] === 'fn');
  return isString(fn?.[3]) ? fn[3] : '';
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function reasonOf(err: unknown): string {
  if (err instanceof SyntaxError) return 'the answer is not JSON';
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
