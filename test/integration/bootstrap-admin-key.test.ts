import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../services/lib/config.js';
import { startNetwork } from '../../services/cli/network.js';
import { uniqueName } from '../support/services.js';

/**
 * The first start's admin key is a secret: it goes to the terminal once (main's banner
 * prints `adminKey`) when Pharos generated it, and never into the log stream, which is
 * shipped and kept. An operator who supplied PHAROS_BOOTSTRAP_KEY is not shown it at all.
 */
describe('first-start admin key', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pharos-bootkey-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /**
   * Starts the api role as `pharos dev` does, on a fresh control plane (its own schema in
   * one data dir), with every log line, trace and up, captured.
   */
  async function firstStart(env: Record<string, string> = {}) {
    const schema = uniqueName('bootkey');
    const log: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => log.push(line) });
    const config = loadConfig('dev', { PHAROS_DATA_DIR: dataDir, PHAROS_HTTP_PORT: '0', PHAROS_DATABASE_SCHEMA: schema, ...env });
    const network = await startNetwork(config, logger, { roles: new Set(['api']), embeddedAgents: false });
    // A request with the key, so request logging is part of what is scanned.
    const keyWorks = async (key: string) => (await fetch(`${network.apiUrl}/api/keys`, { headers: { 'x-api-key': key } })).status === 200;
    return { network, log, keyWorks };
  }

  it('hands a generated key to the terminal once, and never logs it', async () => {
    const { network, log, keyWorks } = await firstStart();
    try {
      expect(network.adminKey).toMatch(/^phk_/);
      expect(await keyWorks(network.adminKey!)).toBe(true);
      expect(log.length).toBeGreaterThan(0);
      expect(log.filter((line) => line.includes(network.adminKey!))).toEqual([]);
    } finally {
      await network.stop();
    }
  }, 90_000); // the first start in a process also creates the chDB tables

  it('shows and logs nothing of a key the operator supplied', async () => {
    const supplied = `phk_${uniqueName('operator')}_supplied_bootstrap_key`;
    const { network, log, keyWorks } = await firstStart({ PHAROS_BOOTSTRAP_KEY: supplied });
    try {
      expect(network.adminKey).toBeUndefined();
      expect(await keyWorks(supplied)).toBe(true);
      expect(log.length).toBeGreaterThan(0);
      expect(log.filter((line) => line.includes(supplied))).toEqual([]);
    } finally {
      await network.stop();
    }
  });
});
