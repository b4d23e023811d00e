/**
 * API key scopes. The Enori document's scopes plus `keys:*` for key management
 * (the document only lets full-access keys manage keys; a dedicated scope lets a CI
 * key rotate others without `*`) and `alert-channels:*` (the document lists no scope for
 * channels; they hold webhook secrets, so they get their own rather than riding on another),
 * and `incidents:write` (the document names only incidents:read, yet lists routes that
 * create, acknowledge, update and resolve incidents), `reports:*` for SLA reports (the
 * document names the plan limit but no scope), `monitorings:*` for the Diligent surface (its
 * document has no scopes; a key for it need not reach uptime monitors).
 */
export const SCOPES = [
  '*',
  'monitors:read',
  'monitors:write',
  'incidents:read',
  'incidents:write',
  'status-pages:read',
  'status-pages:write',
  'teams:read',
  'teams:write',
  'keys:read',
  'keys:write',
  'alert-channels:read',
  'alert-channels:write',
  'alert-rules:read',
  'alert-rules:write',
  'alerts:read',
  'escalation-policies:read',
  'escalation-policies:write',
  'maintenance-windows:read',
  'maintenance-windows:write',
  'reports:read',
  'reports:write',
  'monitorings:read',
  'monitorings:write',
  // The Encrata surface's contact lists (its monitors use monitors:read|write).
  'contact-lists:read',
  'contact-lists:write',
  // The organization's plan, limits and usage (GET /api/plan; the dashboard's Settings).
  'organization:read',
] as const;
export type Scope = (typeof SCOPES)[number];

export function hasScope(granted: readonly string[], needed: Scope): boolean {
  return granted.includes('*') || granted.includes(needed);
}

/** A key may only hand out scopes it has itself. */
export function canGrant(granted: readonly string[], requested: readonly string[]): boolean {
  return missingScopes(granted, requested).length === 0;
}

/**
 * Of `requested`, the scopes `granted` does not cover. Only `*` covers `*`: a key holding
 * every named scope still cannot mint or revoke a full-access key, whose reach grows with
 * each scope added later.
 */
export function missingScopes(granted: readonly string[], requested: readonly string[]): string[] {
  if (granted.includes('*')) return [];
  return requested.filter((s) => s === '*' || !granted.includes(s));
}
