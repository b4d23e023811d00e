/**
 * The one error for an outbound target the SSRF guard refuses. It lives here, beside the
 * guard, so the probe agent (which maps it to ERROR_KIND_BLOCKED_TARGET) and every other
 * sender of tenant-controlled requests share it; probe-agent/checks/target-resolver.ts
 * re-exports it.
 */
export class BlockedTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedTargetError';
  }
}
