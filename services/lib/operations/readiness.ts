/**
 * `/readyz`: whether the dependencies a role needs answer now. Each probe is a real round
 * trip (SELECT 1, a NATS flush, a Redis read, a ClickHouse query) bounded by a timeout, run
 * together. The answer names each dependency and says ok or why not — never a URL or a
 * credential (errors are reduced to their code or class).
 */
export type ReadinessProbes = Record<string, () => Promise<unknown>>;

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

export async function checkReadiness(probes: ReadinessProbes, timeoutMs = 2000): Promise<Readiness> {
  const names = Object.keys(probes);
  const answers = await Promise.all(names.map(async (name) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        probes[name](),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new ProbeTimeout(timeoutMs)), timeoutMs);
        }),
      ]);
      return 'ok';
    } catch (err) {
      return describe(err);
    } finally {
      clearTimeout(timer);
    }
  }));
  const checks: Record<string, string> = {};
  names.forEach((name, i) => { checks[name] = answers[i]; });
  return { ready: answers.every((a) => a === 'ok'), checks };
}

class ProbeTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function describe(err: unknown): string {
  if (err instanceof ProbeTimeout) return `unreachable: ${err.message}`;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return `unreachable: ${code}`;
  return `unreachable: ${err instanceof Error ? err.name : 'error'}`;
}
