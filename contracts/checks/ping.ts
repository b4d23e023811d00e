/** Ping (3): ICMP echo requests, Down above a packet-loss share. docs/checks/ping.md. */
import { checkRange, fieldDefaults, type AgentCheckContract, type CheckBounds, type FieldProblem } from './contract.js';
import { integerField } from './fields.js';
import { checkTargetHost, TARGET_FIELDS } from './target.js';

const fields = {
  hostname: TARGET_FIELDS.hostname,
  pingCount: integerField({ min: 1, max: 10 }, 3, 'Ping: echo requests per check'),
  // iputils refuses intervals under 200 ms to unprivileged users.
  pingIntervalMs: integerField({ min: 200, max: 10_000 }, 500, 'Ping: gap between requests'),
  pingTimeoutMs: integerField({ min: 100, max: 10_000 }, 2000, 'Ping: wait for each reply'),
  pingMaxPacketLossPercent: integerField({ min: 0, max: 100 }, 50, 'Ping: Down above this loss'),
};
export type PingFields = { [K in keyof typeof fields]: (typeof fields)[K]['default'] };

function validate(f: PingFields, bounds: CheckBounds): FieldProblem[] {
  const problems: FieldProblem[] = [];
  checkTargetHost(problems, f.hostname, 'Ping');
  for (const name of ['pingCount', 'pingIntervalMs', 'pingTimeoutMs', 'pingMaxPacketLossPercent'] as const) {
    checkRange(problems, name, f[name], fields[name].limits.min, fields[name].limits.max);
  }
  const spanMs = (f.pingCount - 1) * f.pingIntervalMs + f.pingTimeoutMs;
  if (problems.length === 0 && spanMs > bounds.timeoutSeconds * 1000) {
    problems.push({ field: '/timeoutSeconds', message: `must cover the echo requests: (pingCount − 1) × pingIntervalMs + pingTimeoutMs = ${spanMs} ms` });
  }
  return problems;
}

export const pingContract: AgentCheckContract<PingFields, 'ping'> = {
  type: 'Ping',
  typeNumber: 3,
  settingsCase: 'ping',
  fields,
  validate,
  toSettings: (f) => ({
    hostname: f.hostname ?? '',
    count: f.pingCount,
    intervalMs: f.pingIntervalMs,
    packetTimeoutMs: f.pingTimeoutMs,
    maxPacketLossPercent: f.pingMaxPacketLossPercent,
  }),
  fromSettings: (s) => ({
    hostname: s.hostname === '' ? null : s.hostname,
    pingCount: s.count,
    pingIntervalMs: s.intervalMs,
    pingTimeoutMs: s.packetTimeoutMs,
    pingMaxPacketLossPercent: s.maxPacketLossPercent,
  }),
};

export const pingDefaults = (): PingFields => fieldDefaults(fields);
