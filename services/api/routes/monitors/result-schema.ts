/**
 * The api's JSON shape of one check result (GET /api/monitors/{id}/results), nested by check
 * type. Hand-written because clients read this shape; test/unit/results/api-result.test.ts
 * fails when a stored field has no place here or in result-presenter.ts, or the reverse.
 */
import { Type } from 'typebox';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const CheckResultResponse = Type.Object({
  id: Type.String(),
  checkedAt: Type.String({ format: 'date-time' }),
  region: Type.String(),
  status: Type.String({ description: 'Up, Down, Skipped (the agent got the job after its deadline) or Missed (the slot could not run: error.kind says why, e.g. scheduler_down or bus_unavailable); Skipped and Missed are unknown time, counted in no statistic' }),
  responseTimeMs: Type.Number(),
  inMaintenance: Type.Boolean({ description: 'True when a maintenance window held the monitor as the check ran: the check is kept, but uptime and every other statistic leave it out' }),
  statusCode: nullable(Type.Integer()),
  error: nullable(Type.Object({ kind: Type.String(), phase: Type.String(), message: Type.String() })),
  timings: Type.Object({
    dnsMs: Type.Number(), connectMs: Type.Number(), tlsMs: Type.Number(), ttfbMs: Type.Number(), transferMs: Type.Number(), totalMs: Type.Number(),
  }),
  tlsCertificateExpiresAt: nullable(Type.String({ format: 'date-time' })),
  tls: nullable(Type.Object({
    issuer: Type.String(),
    subject: Type.String(),
    subjectAltNames: Type.Array(Type.String()),
    validFrom: nullable(Type.String({ format: 'date-time' })),
    expiresAt: nullable(Type.String({ format: 'date-time' })),
    daysUntilExpiry: Type.Integer(),
    chainValid: Type.Boolean(),
    hostnameValid: Type.Boolean(),
    expiringSoon: Type.Boolean({ description: 'Within the monitor\'s sslExpiryWarningDays of expiry' }),
    verificationError: nullable(Type.String()),
  })),
  assertions: Type.Array(Type.Object({
    source: Type.String(), operator: Type.String(), expected: Type.String(), actual: Type.String(), passed: Type.Boolean(),
  }), { description: 'Every assertion evaluated, actual against expected' }),
  ping: nullable(Type.Object({
    address: Type.String(), sent: Type.Integer(), received: Type.Integer(), packetLossPercent: Type.Number(),
    rttMinMs: Type.Number(), rttAvgMs: Type.Number(), rttMaxMs: Type.Number(), jitterMs: Type.Number(),
  })),
  dns: nullable(Type.Object({ rcode: Type.String(), values: Type.Array(Type.String()), resolver: Type.String() })),
  domain: nullable(Type.Object({
    expiresAt: nullable(Type.String({ format: 'date-time' })),
    daysUntilExpiry: nullable(Type.Integer()),
    registeredAt: nullable(Type.String({ format: 'date-time' })),
    registrar: nullable(Type.String()),
    statuses: Type.Array(Type.String()),
    source: Type.String({ description: 'rdap or whois' }),
    expiringSoon: Type.Boolean(),
  })),
});

export const ResultList = Type.Object({ items: Type.Array(CheckResultResponse) });
