/**
 * The one shape every check type has (DESIGN.md §6). A target's failure is a value of
 * `CheckOutcome`, never an exception: callers can rely on `run` resolving.
 */
import type { CheckJob } from '../../proto/generated/pharos/v1/check.js';
import {
  CheckPhase,
  CheckStatus,
  ErrorKind,
  type AssertionOutcome,
  type DnsAnswer,
  type DomainInfo,
  type PhaseTimings,
  type PingStats,
  type TlsInfo,
} from '../../proto/generated/pharos/v1/result.js';

import type { CheckSettings, SettingsCase } from '../../contracts/checks/contract.js';

export type { CheckSettings, SettingsCase, SettingsOf } from '../../contracts/checks/contract.js';
/** A job whose settings are known to be of one check type. */
export type JobFor<C extends SettingsCase> = CheckJob & { settings: Extract<CheckSettings, { $case: C }> };

export interface CheckOutcome extends CheckDetails {
  status: CheckStatus.CHECK_STATUS_UP | CheckStatus.CHECK_STATUS_DOWN;
  errorKind: ErrorKind;
  errorPhase: CheckPhase;
  errorMessage: string;
  timings: PhaseTimings;
  /** 0 when there was no HTTP response. */
  statusCode: number;
}

/** What a check type learned besides up/down, recorded with the result. */
export interface CheckDetails {
  tls?: TlsInfo;
  /** Every assertion evaluated, with its actual value; empty when the check has none. */
  assertions?: AssertionOutcome[];
  ping?: PingStats;
  dns?: DnsAnswer;
  domain?: DomainInfo;
}

/** Settings reach `run` only after they passed their type's contract (contracts/checks/). */
export interface Checker<C extends SettingsCase> {
  /**
   * Runs the check until it ends or `signal` aborts. An abort whose reason is named
   * `TimeoutError` is the check's own timeout and comes back as a timeout failure.
   */
  run(job: JobFor<C>, signal: AbortSignal): Promise<CheckOutcome>;
}

export function emptyTimings(): PhaseTimings {
  return { dnsMs: 0, connectMs: 0, tlsMs: 0, ttfbMs: 0, transferMs: 0, totalMs: 0 };
}

export interface OutcomeDetails extends CheckDetails {
  timings?: PhaseTimings;
  statusCode?: number;
}

export function success(details: OutcomeDetails = {}): CheckOutcome {
  return {
    status: CheckStatus.CHECK_STATUS_UP,
    errorKind: ErrorKind.ERROR_KIND_UNSPECIFIED,
    errorPhase: CheckPhase.CHECK_PHASE_UNSPECIFIED,
    errorMessage: '',
    ...details,
    timings: details.timings ?? emptyTimings(),
    statusCode: details.statusCode ?? 0,
  };
}

export function failure(
  errorKind: ErrorKind,
  errorPhase: CheckPhase,
  errorMessage: string,
  details: OutcomeDetails = {},
): CheckOutcome {
  return {
    status: CheckStatus.CHECK_STATUS_DOWN,
    errorKind,
    errorPhase,
    errorMessage,
    ...details,
    timings: details.timings ?? emptyTimings(),
    statusCode: details.statusCode ?? 0,
  };
}
