/**
 * The monitor state machine (DESIGN.md §7), as a pure function so every rule is testable
 * without a database. Per region it counts consecutive failures and successes; a region's
 * verdict turns down after `failureThreshold` failures and back up after
 * `recoveryThreshold` successes; the monitor is Down when at least `quorum` of its regions
 * are down. Each change of monitor status is returned as a transition with its evidence,
 * which is what incidents and notifications (a later issue) are opened from.
 */
export type RegionVerdict = 'pending' | 'up' | 'down';
export type EvaluatedStatus = 'Pending' | 'Up' | 'Down';

export interface RegionState {
  verdict: RegionVerdict;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastResultAtMs: number;
  lastResultId: string;
  lastError: string;
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
}

export interface ObservedResult {
  resultId: string;
  region: string;
  up: boolean;
  startedAtMs: number;
  errorMessage: string;
}

export interface StatusTransition {
  from: EvaluatedStatus;
  to: EvaluatedStatus;
  atMs: number;
  /** The regions and their verdicts at the moment of the change. */
  evidence: Array<{ region: string; verdict: RegionVerdict; consecutiveFailures: number; lastError: string }>;
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
    };
  }
  const failures = base.consecutiveFailures + 1;
  return {
    verdict: failures >= policy.failureThreshold ? 'down' : base.verdict,
    consecutiveFailures: failures,
    consecutiveSuccesses: 0,
    lastResultAtMs: r.startedAtMs,
    lastResultId: r.resultId,
    lastError: r.errorMessage,
  };
}

function overallStatus(regions: Record<string, RegionState>, policy: StatusPolicy): EvaluatedStatus {
  let down = 0;
  let up = 0;
  for (const name of policy.regions) {
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
    evidence: Object.entries(regions).map(([region, s]) => ({
      region, verdict: s.verdict, consecutiveFailures: s.consecutiveFailures, lastError: s.lastError,
    })),
  };
  return { applied: true, state: next, transition };
}
