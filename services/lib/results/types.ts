/** A check result as stored in check_results_v1 and returned by the api. */
export interface StoredResult extends ResultDetails {
  resultId: string;
  jobId: string;
  orgId: string;
  monitorId: string;
  region: string;
  agentId: string;
  /** Monitor type name: Website, Port, … */
  type: string;
  scheduledAtMs: number;
  /** When the check started, unix ms (the row's time). */
  startedAtMs: number;
  /** 'up' | 'down' | 'skipped' */
  status: 'up' | 'down' | 'skipped';
  /** '' when none; otherwise snake_case error kind, e.g. 'timeout', 'connection_refused'. */
  errorKind: string;
  /** '' when none; 'dns' | 'connect' | 'tls' | 'ttfb' | 'transfer' | 'assertion'. */
  errorPhase: string;
  errorMessage: string;
  dnsMs: number;
  connectMs: number;
  tlsMs: number;
  ttfbMs: number;
  transferMs: number;
  /** Response time: total duration of the check, ms. */
  totalMs: number;
  /** 0 when there was no HTTP response. */
  statusCode: number;
  /** 0 when not HTTPS. */
  tlsNotAfterMs: number;
  /** Retention of the row, days (TTL). */
  retentionDays: number;
}

export interface RecordedAssertion {
  source: string;
  operator: string;
  expected: string;
  actual: string;
  passed: boolean;
}

/** What each check type records besides timings; zero / empty when it does not apply. */
export interface ResultDetails {
  tlsNotBeforeMs: number;
  tlsIssuer: string;
  tlsSubject: string;
  tlsSubjectAltNames: string[];
  tlsChainValid: boolean;
  tlsHostnameValid: boolean;
  tlsExpiringSoon: boolean;
  tlsVerificationError: string;
  assertions: RecordedAssertion[];
  pingAddress: string;
  pingSent: number;
  pingReceived: number;
  pingPacketLossPercent: number;
  pingRttMinMs: number;
  pingRttAvgMs: number;
  pingRttMaxMs: number;
  pingJitterMs: number;
  /** '' when no DNS check ran. */
  dnsRcode: string;
  dnsValues: string[];
  dnsResolver: string;
  domainExpiresAtMs: number;
  domainRegisteredAtMs: number;
  domainRegistrar: string;
  domainStatuses: string[];
  /** '' when no Domain check ran; 'rdap' or 'whois'. */
  domainSource: string;
  domainExpiringSoon: boolean;
}

export const NO_DETAILS: Readonly<ResultDetails> = Object.freeze({
  tlsNotBeforeMs: 0, tlsIssuer: '', tlsSubject: '', tlsSubjectAltNames: [], tlsChainValid: false, tlsHostnameValid: false,
  tlsExpiringSoon: false, tlsVerificationError: '', assertions: [], pingAddress: '', pingSent: 0, pingReceived: 0,
  pingPacketLossPercent: 0, pingRttMinMs: 0, pingRttAvgMs: 0, pingRttMaxMs: 0, pingJitterMs: 0, dnsRcode: '', dnsValues: [],
  dnsResolver: '', domainExpiresAtMs: 0, domainRegisteredAtMs: 0, domainRegistrar: '', domainStatuses: [], domainSource: '',
  domainExpiringSoon: false,
});

export interface RecentResultsQuery {
  orgId: string;
  monitorId: string;
  limit: number;
  /** Only results that started before this instant, unix ms (paging). */
  beforeMs?: number;
  region?: string;
}

export interface StatsQuery {
  orgId: string;
  monitorId: string;
  fromMs: number;
  toMs: number;
}

export interface StatsFigures {
  /** Up checks / (up + down) checks × 100; null when there were no checks. Skipped checks do not count. */
  uptimePercentage: number | null;
  totalChecks: number;
  failedChecks: number;
  avgResponseTimeMs: number | null;
  p50ResponseTimeMs: number | null;
  p95ResponseTimeMs: number | null;
  p99ResponseTimeMs: number | null;
}

export interface MonitorStats extends StatsFigures {
  byRegion: Array<StatsFigures & { region: string }>;
}
