/**
 * The columns of check_results_v1, each listed once. Everything else is derived from this
 * table: the StoredResult type, the DDL (schema.ts), the insert columns, row encoding, the
 * SELECT list and row decoding (rows.ts), and what ingest takes from a CheckResult
 * (services/ingest/to-stored-result.ts). Documented for dashboard authors in
 * docs/clickhouse.md.
 *
 * To add a result field: add it to the proto CheckResult, add an entry to ADDED_FIELDS
 * (never to FIRST_RELEASE_FIELDS: existing tables get new columns from `ADD COLUMN IF NOT
 * EXISTS`, so a column that already shipped keeps its name and type), then show it in the
 * api's result schema and presenter if clients should see it (test/unit/results/ fails until
 * each of these agrees).
 */
import type { CheckResult } from '../../../proto/generated/pharos/v1/result.js';
import type { RecordedAssertion } from './types.js';
import { flag, number, oneOf, text, texts, time, type ColumnKind } from './column-kinds.js';

/** A leaf of the CheckResult message in ts-proto names: `statusCode`, `tls.issuer`, `assertions`. */
type Leaves<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends readonly unknown[] ? K
    : NonNullable<T[K]> extends object ? `${K}.${keyof NonNullable<T[K]> & string}` : K;
}[keyof T & string];
export type WirePath = Leaves<CheckResult>;

export interface ResultColumn {
  readonly name: string;
  /** ClickHouse type with its codec, as in the DDL. */
  readonly type: string;
}

type Row = Record<string, unknown>;

export interface ResultField<T> {
  /** One column, or several parallel arrays for a list of records. */
  readonly columns: readonly ResultColumn[];
  /** Where ingest finds the value in a CheckResult; 'ingest' when ingest decides it, not the agent. */
  readonly wire: WirePath | 'ingest';
  /** Every CheckResult leaf the field carries: `wire`, or `wire.<element field>` for records. */
  readonly wireLeaves: readonly string[];
  readonly empty: T;
  /** Appends the field's insert cells, in `columns` order. */
  appendCells(value: T, row: unknown[]): void;
  /** SELECT expressions that read the field back. */
  readonly reads: readonly string[];
  fromRow(row: Row): T;
  /** From the value at `wire`; undefined (message part absent) gives `empty`. */
  fromWire(value: unknown): T;
}

function column<T>(name: string, type: string, kind: ColumnKind<T>, wire: WirePath | 'ingest'): ResultField<T> {
  const read = kind.read(name);
  return {
    columns: [{ name, type }],
    wire,
    wireLeaves: wire === 'ingest' ? [] : [wire],
    empty: kind.empty,
    appendCells: (value, row) => void row.push(kind.toCell(value)),
    reads: [read.expr],
    fromRow: (row) => kind.fromCell(row[read.as]),
    fromWire: (value) => (value === undefined ? kind.empty : kind.fromWire(value)),
  };
}

type Part<V> = readonly [column: string, type: string, kind: ColumnKind<V>];

/**
 * A list of records as parallel arrays, one column per record field (query them with
 * ARRAY JOIN). The record fields keep their names on the wire.
 */
function records<E extends object>(wire: WirePath, parts: { [K in keyof E]: Part<E[K]> }): ResultField<E[]> {
  const entries = Object.entries(parts) as Array<[keyof E & string, Part<unknown>]>;
  const reads = entries.map(([, [name, , kind]]) => kind.read(name));
  return {
    columns: entries.map(([, [name, type]]) => ({ name, type })),
    wire,
    wireLeaves: entries.map(([key]) => `${wire}.${key}`),
    empty: Object.freeze([]) as unknown as E[],
    appendCells(value, row) {
      for (const [key, [, , kind]] of entries) row.push(value.map((e) => kind.toCell(e[key])));
    },
    reads: reads.map((r) => r.expr),
    fromRow(row) {
      const cells = reads.map((r) => (Array.isArray(row[r.as]) ? (row[r.as] as unknown[]) : []));
      // The first array's length is the record count: the arrays are written together.
      return cells[0].map((_, i) => Object.fromEntries(entries.map(([key, [, , kind]], c) =>
        [key, cells[c][i] === undefined ? kind.empty : kind.fromCell(cells[c][i])])) as E);
    },
    fromWire(value) {
      if (!Array.isArray(value)) return [];
      return value.map((m: Record<string, unknown>) =>
        Object.fromEntries(entries.map(([key, [, , kind]]) => [key, kind.fromWire(m[key])])) as E);
    },
  };
}

/**
 * What a result's status can be. Every statistic (uptime, failures, response times, the
 * hourly rollup) counts only COUNTED_STATUSES: a skipped check (the job came after its
 * deadline) and a missed slot (it could not run; error_kind says why) are unknown time,
 * in neither the numerator nor the denominator (docs/decisions.md, "No silent gaps").
 * A check taken while a maintenance window held its monitor is left out the same way
 * (`in_maintenance`, set by ingest), whatever its status.
 */
export const RESULT_STATUSES = ['up', 'down', 'skipped', 'missed'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];
export const COUNTED_STATUSES = ['up', 'down'] as const satisfies readonly ResultStatus[];
/**
 * Which rows every statistic and the rollup count: an up or down check outside maintenance
 * (the names are constants, not input).
 */
export const COUNTED_RESULT_SQL = `status IN (${COUNTED_STATUSES.map((s) => `'${s}'`).join(', ')}) AND in_maintenance = 0`;

const TIMING = 'Float64 CODEC(Gorilla, ZSTD(1))';
const DATE_TIME = "DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1))";

/** The columns of the table's first release: created by CREATE TABLE, never changed. */
export const FIRST_RELEASE_FIELDS = {
  /** Stable id of the result: a resend of the same result has the same id. */
  resultId: column('result_id', 'String', text, 'resultId'),
  jobId: column('job_id', 'String CODEC(ZSTD(1))', text, 'jobId'),
  orgId: column('org_id', 'String', text, 'orgId'),
  monitorId: column('monitor_id', 'String', text, 'monitorId'),
  /** Region of the agent, from its token: whatever the agent wrote is ignored. */
  region: column('region', 'LowCardinality(String)', text, 'ingest'),
  agentId: column('agent_id', 'LowCardinality(String)', text, 'agentId'),
  /** Monitor type name: Website, Port, … (ingest names the enum). */
  type: column('type', 'LowCardinality(String)', text, 'type'),
  scheduledAtMs: column('scheduled_at', DATE_TIME, time, 'scheduledAtMs'),
  /** When the check started, unix ms (the row's time). */
  startedAtMs: column('ts', "DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1))", time, 'startedAtMs'),
  status: column('status', 'LowCardinality(String)', oneOf(RESULT_STATUSES), 'status'),
  /** '' when none; otherwise snake_case error kind, e.g. 'timeout', 'connection_refused'. */
  errorKind: column('error_kind', 'LowCardinality(String)', text, 'errorKind'),
  /** '' when none; 'dns' | 'connect' | 'tls' | 'ttfb' | 'transfer' | 'assertion' | …. */
  errorPhase: column('error_phase', 'LowCardinality(String)', text, 'errorPhase'),
  errorMessage: column('error_message', 'String CODEC(ZSTD(3))', text, 'errorMessage'),
  dnsMs: column('dns_ms', TIMING, number, 'timings.dnsMs'),
  connectMs: column('connect_ms', TIMING, number, 'timings.connectMs'),
  tlsMs: column('tls_ms', TIMING, number, 'timings.tlsMs'),
  ttfbMs: column('ttfb_ms', TIMING, number, 'timings.ttfbMs'),
  transferMs: column('transfer_ms', TIMING, number, 'timings.transferMs'),
  /** Response time: total duration of the check, ms. */
  totalMs: column('total_ms', TIMING, number, 'timings.totalMs'),
  /** 0 when there was no HTTP response. */
  statusCode: column('status_code', 'UInt16', number, 'statusCode'),
  /** 0 when not HTTPS. */
  tlsNotAfterMs: column('tls_not_after', DATE_TIME, time, 'tls.notAfterMs'),
  /** Retention of the row, days (TTL): the organization's plan, set by ingest. */
  retentionDays: column('retention_days', 'UInt16', number, 'ingest'),
};

/**
 * Columns added after the first release, by `ADD COLUMN IF NOT EXISTS` (a column with a
 * default is a compatible change, so the table stays _v1; older rows read as `empty`).
 * What each check type records besides timings; empty when it does not apply.
 */
export const ADDED_FIELDS = {
  tlsNotBeforeMs: column('tls_not_before', DATE_TIME, time, 'tls.notBeforeMs'),
  tlsIssuer: column('tls_issuer', 'String CODEC(ZSTD(3))', text, 'tls.issuer'),
  tlsSubject: column('tls_subject', 'String CODEC(ZSTD(3))', text, 'tls.subject'),
  tlsSubjectAltNames: column('tls_sans', 'Array(String) CODEC(ZSTD(3))', texts, 'tls.subjectAltNames'),
  tlsChainValid: column('tls_chain_valid', 'UInt8', flag, 'tls.chainValid'),
  tlsHostnameValid: column('tls_hostname_valid', 'UInt8', flag, 'tls.hostnameValid'),
  tlsExpiringSoon: column('tls_expiring_soon', 'UInt8', flag, 'tls.expiringSoon'),
  tlsVerificationError: column('tls_verification_error', 'LowCardinality(String)', text, 'tls.verificationError'),
  assertions: records<RecordedAssertion>('assertions', {
    source: ['assertion_source', 'Array(LowCardinality(String))', text],
    operator: ['assertion_operator', 'Array(LowCardinality(String))', text],
    expected: ['assertion_expected', 'Array(String) CODEC(ZSTD(3))', text],
    actual: ['assertion_actual', 'Array(String) CODEC(ZSTD(3))', text],
    passed: ['assertion_passed', 'Array(UInt8)', flag],
  }),
  pingAddress: column('ping_address', 'String CODEC(ZSTD(1))', text, 'ping.address'),
  pingSent: column('ping_sent', 'UInt16', number, 'ping.sent'),
  pingReceived: column('ping_received', 'UInt16', number, 'ping.received'),
  pingPacketLossPercent: column('ping_packet_loss', 'Float32', number, 'ping.packetLossPercent'),
  pingRttMinMs: column('ping_rtt_min_ms', TIMING, number, 'ping.rttMinMs'),
  pingRttAvgMs: column('ping_rtt_avg_ms', TIMING, number, 'ping.rttAvgMs'),
  pingRttMaxMs: column('ping_rtt_max_ms', TIMING, number, 'ping.rttMaxMs'),
  pingJitterMs: column('ping_jitter_ms', TIMING, number, 'ping.jitterMs'),
  /** '' when no DNS check ran. */
  dnsRcode: column('dns_rcode', 'LowCardinality(String)', text, 'dns.rcode'),
  dnsValues: column('dns_values', 'Array(String) CODEC(ZSTD(3))', texts, 'dns.values'),
  dnsResolver: column('dns_resolver', 'LowCardinality(String)', text, 'dns.resolver'),
  domainExpiresAtMs: column('domain_expires_at', DATE_TIME, time, 'domain.expiresAtMs'),
  domainRegisteredAtMs: column('domain_registered_at', DATE_TIME, time, 'domain.registeredAtMs'),
  domainRegistrar: column('domain_registrar', 'LowCardinality(String)', text, 'domain.registrar'),
  domainStatuses: column('domain_statuses', 'Array(LowCardinality(String))', texts, 'domain.statuses'),
  /** '' when no Domain check ran; 'rdap' or 'whois'. */
  domainSource: column('domain_source', 'LowCardinality(String)', text, 'domain.source'),
  domainExpiringSoon: column('domain_expiring_soon', 'UInt8', flag, 'domain.expiringSoon'),
  /**
   * 1 when a maintenance window (mute or pause) held the monitor when the check started:
   * the check is kept and shown, but no statistic counts it. Ingest decides it.
   */
  inMaintenance: column('in_maintenance', 'UInt8', flag, 'ingest'),
};

/** Every field, in column order: the first release's, then those added since. */
export const RESULT_FIELDS = { ...FIRST_RELEASE_FIELDS, ...ADDED_FIELDS };

/** Written by ClickHouse at insert (ingest lag = ingested_at - ts); not part of a StoredResult. */
export const INGESTED_AT: ResultColumn = { name: 'ingested_at', type: "DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1))" };

/** CheckResult leaves that are deliberately not stored, and why. */
export const WIRE_NOT_STORED: Partial<Record<string, string>> = {
  region: 'the region is the agent token\'s, never the agent\'s own word',
  'tls.authorized': 'the same as chainValid && hostnameValid, which are stored',
  'tls.fingerprintSha256': 'not shown anywhere yet',
};

type ValueOf<F> = F extends ResultField<infer T> ? T : never;
export type FieldValues<Fields> = { -readonly [K in keyof Fields]: ValueOf<Fields[K]> };
