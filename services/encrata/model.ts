/**
 * The Encrata surface's vocabulary (the Encrata document, `POST /api/monitors`): monitor
 * types, frequencies, change-detection modes, data sources, and each type's default tracked
 * fields. One place; the schema, the verbs, the worker and the docs read it from here.
 */
export const MONITOR_TYPES = ['email', 'phone', 'domain', 'ip', 'company', 'darkweb'] as const;
export type EntityType = (typeof MONITOR_TYPES)[number];

export const FREQUENCIES = ['weekly', 'biweekly', 'monthly', 'quarterly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export const CHANGE_DETECTION_MODES = ['diff_only', 'full_refresh'] as const;
export type ChangeDetection = (typeof CHANGE_DETECTION_MODES)[number];

export const DATA_SOURCE_TYPES = ['csv', 'list'] as const;
export type DataSourceType = (typeof DATA_SOURCE_TYPES)[number];

export const ENTITY_MONITOR_STATUSES = ['active', 'paused'] as const;
export type EntityMonitorStatus = (typeof ENTITY_MONITOR_STATUSES)[number];

/** Most targets one monitor (or one contact list) may hold. */
export const MAX_TARGETS = 10_000;

/**
 * The run after `fromMs`: 7 or 14 days later, or 1 or 3 calendar months later (UTC; the day
 * of month clamped to the month's last, so 31 January + 1 month = 28/29 February).
 */
export function nextRunAfter(frequency: Frequency, fromMs: number): number {
  if (frequency === 'weekly') return fromMs + 7 * 86_400_000;
  if (frequency === 'biweekly') return fromMs + 14 * 86_400_000;
  const months = frequency === 'monthly' ? 1 : 3;
  const d = new Date(fromMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/**
 * The fields watched when a monitor's tracked_fields is empty (docs/encrata.md lists them):
 * what a person acts on, not what drifts by itself (TTLs, serials, timestamps are not records'
 * fields at all).
 */
export const DEFAULT_TRACKED_FIELDS: { readonly [T in EntityType]: readonly string[] } = {
  email: ['/syntax/valid', '/mx/accepts_mail', '/mx/hosts', '/spf/present', '/spf/all', '/dmarc/present', '/dmarc/policy', '/disposable', '/free_provider', '/role_account', '/gravatar/present'],
  phone: ['/valid', '/type', '/country', '/e164', '/carrier', '/time_zones'],
  domain: ['/dns/a', '/dns/aaaa', '/dns/mx', '/dns/ns', '/dns/txt', '/dns/caa', '/registration/registered', '/registration/registrar', '/registration/expires_at', '/registration/statuses', '/tls/issuer', '/tls/valid_to', '/http/final_url', '/http/status', '/http/security_headers', '/parked'],
  ip: ['/reverse_dns', '/network/handle', '/network/name', '/network/cidr', '/network/country', '/network/organization', '/asn/number', '/asn/organization', '/asn/country'],
  company: ['/match/status', '/entity/lei', '/entity/legal_name', '/entity/status', '/entity/jurisdiction', '/entity/address', '/sec/cik', '/sec/name', '/sec/latest_filing'],
  darkweb: ['/breaches', '/leak_site_posts', '/pastes'],
};
