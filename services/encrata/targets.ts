/**
 * A target's validation and normal form, per monitor type: emails by an RFC 5322 parser
 * (email-addresses), phone numbers by libphonenumber with full metadata, IP addresses by
 * ipaddr.js, domains as IDNA host names. The normal form is what is stored and de-duplicated
 * (`Satya@Microsoft.com` and `satya@microsoft.com` are one target), and what the API shows.
 */
import addrs from 'email-addresses';
import ipaddr from 'ipaddr.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { validationError, type FieldError } from '../lib/errors.js';
import { MAX_TARGETS, type EntityType } from './model.js';

export type TargetCheck = { ok: true; value: string } | { ok: false; message: string };

export function normaliseEmail(input: string): TargetCheck {
  const text = input.trim();
  if (text.length > 254) return { ok: false, message: 'is longer than 254 characters' };
  const parsed = addrs.parseOneAddress({ input: text, rejectTLD: true });
  if (!parsed || parsed.type !== 'mailbox' || parsed.name !== null || parsed.parts.comments.length > 0 || parsed.parts.address.tokens !== text) {
    return { ok: false, message: 'is not an email address (RFC 5322 addr-spec, e.g. "name@example.com")' };
  }
  const domain = normaliseHostname(parsed.domain);
  if (!domain.ok) return { ok: false, message: `has an invalid domain: ${domain.message}` };
  // Lower-cased whole: RFC 5321 lets a local part be case-sensitive, but mailbox providers do
  // not treat it so, and one person must not be two targets (docs/decisions.md).
  return { ok: true, value: `${parsed.local.toLowerCase()}@${domain.value}` };
}

export function normalisePhone(input: string): TargetCheck {
  const text = input.trim();
  if (!text.startsWith('+') && !text.startsWith('00')) return { ok: false, message: 'is not in international format (start with + and the country code, e.g. "+14155550100")' };
  const phone = parsePhoneNumberFromString(text.startsWith('00') ? `+${text.slice(2)}` : text);
  if (!phone || !phone.isPossible()) return { ok: false, message: 'is not a phone number libphonenumber can parse' };
  return { ok: true, value: phone.number };
}

export function normaliseHostname(input: string): TargetCheck {
  const text = input.trim().replace(/\.$/, '');
  if (!text || /[\s/:?#@[\]\\]/.test(text)) return { ok: false, message: 'is not a domain name (no scheme, path or port, e.g. "example.com")' };
  let host: string;
  try {
    host = new URL(`http://${text}/`).hostname;
  } catch {
    return { ok: false, message: 'is not a valid domain name' };
  }
  const labels = host.split('.');
  if (labels.length < 2 || host.length > 253 || labels.some((l) => l.length === 0 || l.length > 63 || !/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/.test(l))) {
    return { ok: false, message: 'is not a valid domain name (labels of letters, digits and hyphens, at least one dot)' };
  }
  if (/^[0-9]+$/.test(labels.at(-1)!)) return { ok: false, message: 'is an IP address, not a domain name' };
  return { ok: true, value: host };
}

export function normaliseIp(input: string): TargetCheck {
  const text = input.trim();
  if (!ipaddr.IPv4.isValidFourPartDecimal(text) && !(ipaddr.IPv6.isValid(text) && !text.includes('%'))) {
    return { ok: false, message: 'is not an IPv4 (dotted decimal) or IPv6 address' };
  }
  return { ok: true, value: ipaddr.process(text).toString() };
}

/** Companies and dark-web search terms: free text, trimmed, inner whitespace collapsed. */
export function normaliseTerm(input: string): TargetCheck {
  const text = input.trim().replace(/\s+/g, ' ');
  if (text.length === 0) return { ok: false, message: 'is empty' };
  if (text.length > 200) return { ok: false, message: 'is longer than 200 characters' };
  return { ok: true, value: text };
}

const NORMALISERS: { readonly [T in EntityType]: (input: string) => TargetCheck } = {
  email: normaliseEmail,
  phone: normalisePhone,
  domain: normaliseHostname,
  ip: normaliseIp,
  company: normaliseTerm,
  darkweb: normaliseTerm,
};

export function normaliseTarget(type: EntityType, input: string): TargetCheck {
  return NORMALISERS[type](input);
}

/** Two targets are one when their normal forms match; terms compare without case. */
export function targetKey(type: EntityType, value: string): string {
  return type === 'company' || type === 'darkweb' ? value.toLowerCase() : value;
}

/**
 * Validates and normalises a whole target list, or throws one 400 naming every bad entry
 * (`/<field>/<index>` or the caller's labels, e.g. "line 3") and every duplicate.
 */
export function normaliseTargets(type: EntityType, inputs: readonly string[], fieldOf: (index: number) => string): string[] {
  const details: FieldError[] = [];
  const seen = new Map<string, number>();
  const out: string[] = [];
  if (inputs.length > MAX_TARGETS) throw validationError(`at most ${MAX_TARGETS} targets`, [{ field: fieldOf(-1), message: `has ${inputs.length} targets; at most ${MAX_TARGETS}` }]);
  inputs.forEach((input, i) => {
    const checked = normaliseTarget(type, input);
    if (!checked.ok) { details.push({ field: fieldOf(i), message: checked.message }); return; }
    const key = targetKey(type, checked.value);
    const first = seen.get(key);
    if (first !== undefined) { details.push({ field: fieldOf(i), message: `duplicates ${fieldOf(first)} (${checked.value})` }); return; }
    seen.set(key, i);
    out.push(checked.value);
  });
  if (details.length > 0) throw validationError(`${details.length} invalid ${type} target${details.length === 1 ? '' : 's'}`, details);
  return out;
}
