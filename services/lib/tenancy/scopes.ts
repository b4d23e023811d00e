/**
 * API key scopes. The Enori document's scopes plus `keys:*` for key management
 * (the document only lets full-access keys manage keys; a dedicated scope lets a CI
 * key rotate others without `*`).
 */
export const SCOPES = [
  '*',
  'monitors:read',
  'monitors:write',
  'incidents:read',
  'status-pages:read',
  'status-pages:write',
  'teams:read',
  'teams:write',
  'keys:read',
  'keys:write',
  'alert-rules:read',
  'alert-rules:write',
  'alerts:read',
] as const;
export type Scope = (typeof SCOPES)[number];

export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes('*') || granted.includes(needed);
}

/** A key may only hand out scopes it has itself. */
export function canGrant(granted: readonly string[], requested: readonly string[]): boolean {
  return granted.includes('*') || requested.every((s) => s !== '*' && granted.includes(s));
}
