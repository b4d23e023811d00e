import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../services/lib/config.js';
import { resolveSecretsKey } from '../../services/cli/secrets-key.js';

describe('the secrets key', () => {
  it('is generated once into the data dir (0600) in pharos dev, and required nowhere else', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pharos-key-'));
    try {
      const first = resolveSecretsKey(loadConfig('dev', { PHAROS_DATA_DIR: dir }))!;
      expect(first).toHaveLength(32);
      expect(statSync(path.join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
      expect(resolveSecretsKey(loadConfig('dev', { PHAROS_DATA_DIR: dir }))!.equals(first)).toBe(true);
      const real = { PHAROS_DATABASE_URL: 'postgres://db/p', PHAROS_NATS_URL: 'nats://n', PHAROS_REDIS_URL: 'redis://r', PHAROS_DATA_DIR: dir };
      expect(resolveSecretsKey(loadConfig('server', real))).toBeUndefined();
      const hex = 'ab'.repeat(32);
      expect(resolveSecretsKey(loadConfig('server', { ...real, PHAROS_SECRETS_KEY: hex }))!.toString('hex')).toBe(hex);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a malformed key or SMTP URL without echoing the value', () => {
    expect(() => loadConfig('dev', { PHAROS_SECRETS_KEY: 'hunter2' })).toThrow(/^PHAROS_SECRETS_KEY must be 32 bytes/);
    expect(() => loadConfig('dev', { PHAROS_SECRETS_KEY: 'hunter2' })).not.toThrow(/hunter2/);
    expect(() => loadConfig('dev', { PHAROS_SMTP_URL: 'http://user:pw@mail' })).toThrow(/PHAROS_SMTP_URL must be an smtp/);
    expect(loadConfig('dev', { PHAROS_SMTP_URL: 'smtp://mail:587', PHAROS_SMTP_FROM: 'a@b.test' }).smtp).toEqual({ url: 'smtp://mail:587', from: 'a@b.test' });
  });
});
