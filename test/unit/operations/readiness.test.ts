import { describe, expect, it } from 'vitest';
import { checkReadiness } from '../../../services/lib/operations/readiness.js';
import { loadConfig, ConfigError } from '../../../services/lib/config.js';

describe('readiness', () => {
  it('is ready only when every probe answers, and names each', async () => {
    expect(await checkReadiness({ a: async () => 1, b: async () => undefined })).toEqual({ ready: true, checks: { a: 'ok', b: 'ok' } });
    const r = await checkReadiness({ a: async () => 1, b: async () => { throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); } });
    expect(r).toEqual({ ready: false, checks: { a: 'ok', b: 'unreachable: ECONNREFUSED' } });
  });

  it('never repeats an error message (it may carry a URL with credentials)', async () => {
    const r = await checkReadiness({ db: async () => { throw new Error('cannot reach postgres://admin:hunter2@db:5432/x'); } });
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(r.checks.db).toBe('unreachable: Error');
  });

  it('bounds a probe that never answers', async () => {
    const started = Date.now();
    const r = await checkReadiness({ slow: () => new Promise(() => undefined) }, 50);
    expect(r).toEqual({ ready: false, checks: { slow: 'unreachable: no answer within 50 ms' } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('PHAROS_METRICS_PORT', () => {
  it('is off unless set, and validated when set', () => {
    expect(loadConfig('dev', {}).metrics).toEqual({ host: '127.0.0.1', port: undefined });
    expect(loadConfig('agent', { PHAROS_METRICS_PORT: '9464' }).metrics).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(loadConfig('dev', { PHAROS_METRICS_PORT: '0', PHAROS_METRICS_HOST: '::1' }).metrics).toEqual({ host: '::1', port: 0 });
    expect(() => loadConfig('dev', { PHAROS_METRICS_PORT: 'metrics' })).toThrow(ConfigError);
    expect(() => loadConfig('dev', { PHAROS_METRICS_PORT: '70000' })).toThrow(ConfigError);
  });
});
