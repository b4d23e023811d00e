import {
  AssertionOperator,
  AssertionSource,
  CheckJob,
  CheckType,
  DnsMatchMode,
  DnsRecordType,
  type Assertion,
} from '../../../proto/generated/pharos/v1/check.js';
import { MONITOR_TYPES, type Monitor, type MonitorAssertion } from './model.js';

/**
 * The job for one monitor in one region at one scheduled instant. The job id is
 * deterministic, so a job published twice (a lease hand-over, a redelivered on-demand
 * check) yields one result id and is stored once.
 */
export function buildCheckJob(monitor: Monitor, region: string, scheduledAtMs: number, attempt = 1): CheckJob {
  const intervalMs = monitor.intervalSeconds * 1000;
  const job: CheckJob = {
    jobId: `${monitor.id}.${region}.${scheduledAtMs}`,
    orgId: monitor.orgId,
    monitorId: monitor.id,
    region,
    type: MONITOR_TYPES[monitor.type] as CheckType,
    scheduledAtMs,
    // A job still unstarted when its next run is due is superseded: skip, don't pile up.
    deadlineMs: scheduledAtMs + intervalMs,
    timeoutMs: monitor.timeoutSeconds * 1000,
    attempt,
    monitorRevision: monitor.revision,
    settings: undefined,
  };
  switch (monitor.type) {
    case 'Website':
      job.settings = {
        $case: 'website',
        value: {
          url: monitor.url ?? '',
          method: monitor.httpMethod,
          headers: Object.entries(monitor.requestHeaders).map(([name, value]) => ({ name, value })),
          body: monitor.requestBody ?? '',
          expectedStatusCode: monitor.expectedStatusCode,
          followRedirects: monitor.followRedirects,
          maxRedirects: monitor.maxRedirects,
          keyword: monitor.keyword ?? '',
          keywordAbsent: monitor.keywordAbsent,
          ignoreTlsErrors: monitor.ignoreTlsErrors,
          assertions: monitor.assertions.map(toProtoAssertion),
          sslExpiryWarningDays: monitor.sslExpiryWarningDays,
        },
      };
      break;
    case 'Port':
      job.settings = { $case: 'port', value: { hostname: monitor.hostname ?? '', port: monitor.port ?? 0 } };
      break;
    case 'Ping':
      job.settings = {
        $case: 'ping',
        value: {
          hostname: monitor.hostname ?? '',
          count: monitor.pingCount,
          intervalMs: monitor.pingIntervalMs,
          packetTimeoutMs: monitor.pingTimeoutMs,
          maxPacketLossPercent: monitor.pingMaxPacketLossPercent,
        },
      };
      break;
    case 'Dns':
      job.settings = {
        $case: 'dns',
        value: {
          hostname: monitor.hostname ?? '',
          recordType: DnsRecordType[`DNS_RECORD_TYPE_${monitor.dnsRecordType}`],
          resolver: monitor.dnsResolver ?? '',
          expectedValues: monitor.dnsExpectedValues,
          matchMode: monitor.dnsExpectedValues.length ? DNS_MATCH[monitor.dnsMatchMode] : DnsMatchMode.DNS_MATCH_MODE_UNSPECIFIED,
          expectedRcode: monitor.dnsExpectedRcode,
        },
      };
      break;
    case 'Domain':
      job.settings = { $case: 'domain', value: { hostname: monitor.hostname ?? '', expiryWarningDays: monitor.domainExpiryWarningDays } };
      break;
    default:
      throw new Error(`no checker for monitor type ${monitor.type}`);
  }
  return job;
}

const DNS_MATCH = {
  Equals: DnsMatchMode.DNS_MATCH_MODE_EQUALS,
  Contains: DnsMatchMode.DNS_MATCH_MODE_CONTAINS,
  None: DnsMatchMode.DNS_MATCH_MODE_NONE,
} as const;

const ASSERTION_SOURCE = {
  StatusCode: AssertionSource.ASSERTION_SOURCE_STATUS_CODE,
  ResponseTime: AssertionSource.ASSERTION_SOURCE_RESPONSE_TIME,
  Header: AssertionSource.ASSERTION_SOURCE_HEADER,
  Body: AssertionSource.ASSERTION_SOURCE_BODY,
  JsonPath: AssertionSource.ASSERTION_SOURCE_JSON_PATH,
} as const;

const ASSERTION_OPERATOR = {
  Equals: AssertionOperator.ASSERTION_OPERATOR_EQUALS,
  NotEquals: AssertionOperator.ASSERTION_OPERATOR_NOT_EQUALS,
  Contains: AssertionOperator.ASSERTION_OPERATOR_CONTAINS,
  NotContains: AssertionOperator.ASSERTION_OPERATOR_NOT_CONTAINS,
  Matches: AssertionOperator.ASSERTION_OPERATOR_MATCHES,
  LessThan: AssertionOperator.ASSERTION_OPERATOR_LESS_THAN,
  GreaterThan: AssertionOperator.ASSERTION_OPERATOR_GREATER_THAN,
  In: AssertionOperator.ASSERTION_OPERATOR_IN,
  Between: AssertionOperator.ASSERTION_OPERATOR_BETWEEN,
  Exists: AssertionOperator.ASSERTION_OPERATOR_EXISTS,
  NotExists: AssertionOperator.ASSERTION_OPERATOR_NOT_EXISTS,
} as const;

/** An assertion as the API spells it (names) → as a job carries it (proto enums). */
export function toProtoAssertion(a: MonitorAssertion): Assertion {
  return { source: ASSERTION_SOURCE[a.source], property: a.property ?? '', operator: ASSERTION_OPERATOR[a.operator], target: a.target ?? '' };
}

export function encodeCheckJob(job: CheckJob): Uint8Array {
  return CheckJob.encode(job).finish();
}
