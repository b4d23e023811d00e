/**
 * Which real services the suites may use. Integration and contract suites use a real
 * service when its URL is set (CI sets them all) and only the embedded adapter otherwise;
 * with PHAROS_TEST_SERVICES=required a missing URL is a failing test, never a skip.
 */
import { it } from 'vitest';
import { randomBytes } from 'node:crypto';

export type ServiceName = 'database' | 'redis' | 'nats' | 'clickhouse';

const ENV: Record<ServiceName, string> = {
  database: 'PHAROS_TEST_DATABASE_URL',
  redis: 'PHAROS_TEST_REDIS_URL',
  nats: 'PHAROS_TEST_NATS_URL',
  clickhouse: 'PHAROS_TEST_CLICKHOUSE_URL',
};

/** ClickHouse server is not on the CI machine (chDB stands for the engine there), so it is never required. */
const REQUIRABLE: ServiceName[] = ['database', 'redis', 'nats'];

export const servicesRequired = process.env.PHAROS_TEST_SERVICES === 'required';

export function serviceUrl(name: ServiceName): string | undefined {
  const v = process.env[ENV[name]];
  return v && v.trim() ? v.trim() : undefined;
}

/**
 * The URL of a real service for this suite, or undefined when it is not configured. When
 * the service is required but missing, registers a failing test saying so.
 */
export function realService(name: ServiceName): string | undefined {
  const url = serviceUrl(name);
  if (!url && servicesRequired && REQUIRABLE.includes(name)) {
    it(`${ENV[name]} is set (PHAROS_TEST_SERVICES=required)`, () => {
      throw new Error(`${ENV[name]} is not set but PHAROS_TEST_SERVICES=required`);
    });
  }
  return url;
}

/** A short unique name for isolating a suite: schema, subject prefix, key prefix. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/**
 * Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`.
 * `what` names the wait in the error; as a function it is read only then, so it can carry what
 * a process logged up to the timeout.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string | (() => string) } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
