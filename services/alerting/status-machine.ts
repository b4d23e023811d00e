/**
 * The monitor state machine (DESIGN.md §7), as a pure function so every rule is testable
 * without a database. Per region it counts consecutive failures and successes; a region's
 * verdict turns down after `failureThreshold` failures and back up after
 * `recoveryThreshold` successes; the monitor is Down when at least `quorum` of its regions
 * are down. Each change of monitor status is returned as a transition with its evidence,
 * which is what incidents and notifications (a later issue) are opened from.
 */
export type RegionVerdict = 'pending' | 'up' | 'down';
export type EvaluatedStatus = 'Pending' | 'Up' | 'Down' | 'Unknown';

export interface RegionState {
  verdict: RegionVerdict;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastResultAtMs: number;
  lastResultId: string;
  lastError: string;
  /** The failing result's error kind and phase ('' when none; absent in states stored before incidents kept them). */
  lastErrorKind?: string;
  lastErrorPhase?: string;
  /** The first result of the current run of failures (null while the region succeeds). */
  firstFailureResultId?: string | null;
  firstFailureAtMs?: number | null;
}

export interface MonitorState {
  status: EvaluatedStatus;
  lastCheckedAtMs: number | null;
  regions: Record<string, RegionState>;
}

export interface StatusPolicy {
  regions: readonly string[];
  failureThreshold: number;
  recoveryThreshold: number;
  quorum: number;
  /**
   * Regions whose agents have all stopped reporting: their last verdict is stale and counts
   * for nothing (the caller sizes `quorum` to the regions left). Every region unknown makes
   * the monitor Unknown.
   */
  unknownRegions?: readonly string[];
}

export interface ObservedResult {
  resultId: string;
  region: string;
  up: boolean;
  startedAtMs: number;
  errorMessage: string;
  errorKind?: string;
  errorPhase?: string;
}

export interface StatusTransition {
  from: EvaluatedStatus;
  to: EvaluatedStatus;
  atMs: number;
  /** The regions and their verdicts at the moment of the change. */
  evidence: RegionEvidence[];
}

/** One region at the moment of a change: what an incident keeps as its evidence. */
export interface RegionEvidence {
  region: string;
  verdict: RegionVerdict;
  consecutiveFailures: number;
  lastError: string;
  errorKind: string;
  errorPhase: string;
  /** The first result of the region's current run of failures, null when it is not failing. */
  firstFailingResultId: string | null;
  firstFailureAtMs: number | null;
}

export interface Evaluation {
  /** False when the result was a duplicate or older than what the region already saw. */
  applied: boolean;
  state: MonitorState;
  transition: StatusTransition | null;
}

export const initialState = (): MonitorState => ({ status: 'Pending', lastCheckedAtMs: null, regions: {} });

function nextRegion(prev: RegionState | undefined, r: ObservedResult, policy: StatusPolicy): RegionState {
  const base: RegionState = prev ?? {
    verdict: 'pending', consecutiveFailures: 0, consecutiveSuccesses: 0, lastResultAtMs: 0, lastResultId: '', lastError: '',
  };
  if (r.up) {
    const successes = base.consecutiveSuccesses + 1;
    const recovered = base.verdict !== 'down' || successes >= policy.recoveryThreshold;
    return {
      verdict: recovered ? 'up' : 'down',
      consecutiveFailures: 0,
      consecutiveSuccesses: successes,
      lastResultAtMs: r.startedAtMs,
      lastResultId: r.resultId,
      lastError: '',
      lastErrorKind: '',
      lastErrorPhase: '',
      firstFailureResultId: null,
      firstFailureAtMs: null,
    };
  }
  const failures = base.consecutiveFailures + 1;
  const continuing = base.consecutiveFailures > 0 && base.firstFailureResultId;
  return {
    verdict: failures >= policy.failureThreshold ? 'down' : base.verdict,
    consecutiveFailures: failures,
    consecutiveSuccesses: 0,
    lastResultAtMs: r.startedAtMs,
    lastResultId: r.resultId,
    lastError: r.errorMessage,
    lastErrorKind: r.errorKind ?? '',
    lastErrorPhase: r.errorPhase ?? '',
    firstFailureResultId: continuing ? base.firstFailureResultId : r.resultId,
    firstFailureAtMs: continuing ? (base.firstFailureAtMs ?? r.startedAtMs) : r.startedAtMs,
  };
}

function overallStatus(regions: Record<string, RegionState>, policy: StatusPolicy): EvaluatedStatus {
  const unknown = new Set(policy.unknownRegions ?? []);
  const known = policy.regions.filter((r) => !unknown.has(r));
  if (known.length === 0) return 'Unknown';
  let down = 0;
  let up = 0;
  for (const name of known) {
    const v = regions[name]?.verdict;
    if (v === 'down') down++;
    else if (v === 'up') up++;
  }
  if (down >= policy.quorum) return 'Down';
  // Regions down below the quorum leave the monitor Up (it is reachable from elsewhere);
  // Pending means no region has reached a verdict yet.
  return up > 0 || down > 0 ? 'Up' : 'Pending';
}

export function applyResult(state: MonitorState, policy: StatusPolicy, result: ObservedResult): Evaluation {
  const prev = state.regions[result.region];
  const stale = prev && (result.startedAtMs < prev.lastResultAtMs || result.resultId === prev.lastResultId);
  if (!policy.regions.includes(result.region) || stale) return { applied: false, state, transition: null };

  const regions: Record<string, RegionState> = {};
  for (const name of policy.regions) if (state.regions[name]) regions[name] = state.regions[name];
  regions[result.region] = nextRegion(prev, result, policy);

  const status = overallStatus(regions, policy);
  const next: MonitorState = {
    status,
    lastCheckedAtMs: Math.max(state.lastCheckedAtMs ?? 0, result.startedAtMs),
    regions,
  };
  const transition: StatusTransition | null = status === state.status ? null : {
    from: state.status,
    to: status,
    atMs: result.startedAtMs,
    evidence: Object.entries(regions).map(([region, s]) => evidenceOf(region, s)),
  };
  return { applied: true, state: next, transition };
}

function evidenceOf(region: string, s: RegionState): RegionEvidence {
  return {
    region, verdict: s.verdict, consecutiveFailures: s.consecutiveFailures, lastError: s.lastError,
    errorKind: s.lastErrorKind ?? '', errorPhase: s.lastErrorPhase ?? '',
    firstFailingResultId: s.consecutiveFailures > 0 ? (s.firstFailureResultId ?? null) : null,
    firstFailureAtMs: s.consecutiveFailures > 0 ? (s.firstFailureAtMs ?? null) : null,
  };
}
