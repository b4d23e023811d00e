/**
 * Reads a port-43 WHOIS answer. WHOIS has no schema: each registry words and lays out its
 * fields its own way, so fields are found by the labels registries commonly use (ICANN's
 * gTLD format, Nominet's indented blocks, RIPN's paid-till, …) and dates in the forms they
 * commonly write. Statuses are spelt as RDAP spells them, so results do not differ by
 * protocol.
 */
import type { RegistryAnswer } from './registration.js';

const EXPIRY_LABELS = [
  'registry expiry date',
  'registrar registration expiration date',
  'expiration date',
  'expiry date',
  'expiration time',
  'expires on',
  'paid-till',
  'expires',
  'renewal date',
];
const CREATION_LABELS = ['creation date', 'created on', 'registered on', 'registration time', 'domain registration date', 'created', 'registered'];
const REGISTRAR_LABELS = ['registrar', 'sponsoring registrar'];
const STATUS_LABELS = ['domain status', 'status', 'state'];
const NOT_FOUND =
  /^[\s%>]*(?:no match\b|not found\b|no data found|no entries found|domain not found|no object found|the queried object does not exist|this domain name has not been registered|status:\s*(?:free|available)\b)/im;
const FIELD = /^\s*([^:]{1,40}?)\s*:\s*(.*?)\s*$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** The registration in `text`; throws when the answer says neither "registered" nor "no such name". */
export function readWhoisAnswer(text: string): RegistryAnswer {
  const fields = fieldsOf(text);
  const expiresAtMs = firstDate(fields, EXPIRY_LABELS);
  const registeredAtMs = firstDate(fields, CREATION_LABELS);
  const registrar = REGISTRAR_LABELS.map((label) => fields.get(label)?.[0]).find(Boolean) ?? '';
  const statusLabel = STATUS_LABELS.find((label) => fields.has(label));
  const statuses = statusLabel ? [...new Set(fields.get(statusLabel)!.map(rdapStatusOf))] : [];

  if (expiresAtMs || registeredAtMs || registrar) return { registered: true, expiresAtMs, registeredAtMs, registrar, statuses };
  // Checked after the dates: a registered name's answer may quote "not found" in its notices,
  // and before the statuses: ".de" answers "Status: free" for a name nobody holds.
  if (NOT_FOUND.test(text)) return { registered: false };
  if (statuses.length > 0) return { registered: true, expiresAtMs, registeredAtMs, registrar, statuses };
  const firstLine = text.split('\n').map((line) => line.trim()).find(Boolean) ?? '';
  throw new Error(`the answer holds no registration data${firstLine ? ` ("${firstLine.slice(0, 80)}")` : ''}`);
}

/**
 * "Label: value" lines by lower-cased label, values in order. A label with an empty value
 * takes the next non-empty line (Nominet writes "Registrar:" and the name below it).
 */
function fieldsOf(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const match = FIELD.exec(lines[i]);
    if (!match) continue;
    let value = match[2];
    for (let next = i + 1; value === '' && next < lines.length; next++) value = lines[next].trim();
    if (value === '') continue;
    const label = match[1].toLowerCase();
    const values = fields.get(label);
    if (values) values.push(value);
    else fields.set(label, [value]);
  }
  return fields;
}

function firstDate(fields: Map<string, string[]>, labels: string[]): number {
  for (const label of labels) {
    for (const value of fields.get(label) ?? []) {
      const time = parseWhoisDate(value);
      if (time !== undefined) return time;
    }
  }
  return 0;
}

/** Unix milliseconds of "2027-03-10T04:00:00Z", "2027.03.10", "10-Mar-2027", …; UTC unless the value says otherwise. */
function parseWhoisDate(value: string): number | undefined {
  const iso = /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(z|utc|gmt|[+-]\d{2}:?\d{2})?/i.exec(value);
  if (iso) {
    const [, year, month, day, hour = '0', minute = '0', second = '0', zone = 'z'] = iso;
    return Date.UTC(+year, +month - 1, +day, +hour, +minute, +second) - offsetMinutes(zone) * 60_000;
  }
  const dmy = /^(\d{1,2})[- ]([a-z]{3})[a-z]*[- ,]+(\d{4})/i.exec(value);
  if (dmy && MONTHS.includes(dmy[2].toLowerCase())) {
    return Date.UTC(+dmy[3], MONTHS.indexOf(dmy[2].toLowerCase()), +dmy[1]);
  }
  // Date.parse reads "1" as a year too: only a value with a four-digit year is a date.
  const parsed = /\b\d{4}\b/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(parsed) ? undefined : parsed;
}

function offsetMinutes(zone: string): number {
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!offset) return 0;
  return (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
}

/**
 * A WHOIS status ("clientTransferProhibited https://icann.org/epp#…") in RDAP's spelling
 * (RFC 8056: "client transfer prohibited"; EPP "ok" is RDAP "active"). Statuses outside EPP
 * (".de: connect") are kept, lower-cased.
 */
function rdapStatusOf(whoisStatus: string): string {
  const status = whoisStatus.replace(/\s*\(?https?:\/\/\S*\)?\s*$/, '').trim();
  const spaced = /^[a-z]+(?:[A-Z][a-z]*)*$/.test(status) ? status.replace(/([a-z])([A-Z])/g, '$1 $2') : status;
  const lower = spaced.toLowerCase();
  return lower === 'ok' ? 'active' : lower;
}
