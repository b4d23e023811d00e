/**
 * Wires the operations listener of a process: the readiness probes of the dependencies it
 * opened, and the listener itself when PHAROS_METRICS_PORT is set.
 */
import type { Registry } from 'prom-client';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import type { HotState } from '../lib/ports/hot-state.js';
import type { JobBus } from '../lib/ports/job-bus.js';
import type { ResultStore } from '../lib/ports/results-store.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import type { ReadinessProbes } from '../lib/operations/readiness.js';
import { startOperationsServer, type OperationsServer } from '../lib/operations/operations-server.js';

/** One real round trip per dependency: a query, a bus flush (NATS PING/PONG), a hot-state read. */
export function dependencyProbes(deps: { sql?: SqlClient; bus?: JobBus; hotState?: HotState; results?: ResultStore }): ReadinessProbes {
  const probes: ReadinessProbes = {};
  const { sql, bus, hotState, results } = deps;
  if (sql) probes.postgres = () => sql.query('SELECT 1');
  if (bus) probes.bus = () => bus.flush();
  if (hotState) probes.hotState = () => hotState.getRecords('readyz');
  if (results) probes.clickhouse = () => results.existingIds('readyz', ['readyz']);
  return probes;
}

export async function serveOperations(config: Readonly<Config>, logger: Logger, registry: Registry, readiness: ReadinessProbes): Promise<OperationsServer | undefined> {
  if (config.metrics.port === undefined) return undefined;
  return startOperationsServer({ registry, readiness, host: config.metrics.host, port: config.metrics.port, logger });
}
