/**
 * The key that seals alert channel secrets (services/lib/store/sealed.ts). `pharos dev` is
 * one local operator with nowhere to put a key, so it generates one once into the data dir
 * (mode 0600) and reuses it; every other role must be given PHAROS_SECRETS_KEY, because
 * several processes must share one key and a key generated per process would seal values the
 * others cannot open (docs/decisions.md "Alert channel secrets").
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseSecretsKey, type Config } from '../lib/config.js';
import type { SqlClient } from '../lib/ports/sql-client.js';

export const SECRETS_KEY_FILE = 'secrets.key';

export function resolveSecretsKey(config: Readonly<Config>): Buffer | undefined {
  if (config.secretsKey) return parseSecretsKey(config.secretsKey);
  if (config.role !== 'dev') return undefined;
  const file = path.join(config.dataDir, SECRETS_KEY_FILE);
  mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx' creates it only if absent, so two starts never overwrite each other's key.
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = parseSecretsKey(readFileSync(file, 'utf8').trim());
  if (!key) throw new ConfigError(`${file} does not hold a 32-byte key; remove it only if no alert channels were sealed with it`);
  return key;
}

/** A role that delivers alerts cannot do so without the key once channels exist. */
export async function requireSecretsKeyIfChannels(sql: SqlClient, key: Buffer | undefined, role: string): Promise<void> {
  if (key) return;
  const { rows } = await sql.query<{ n: number }>(`SELECT count(*) AS n FROM alert_channels`);
  if (Number(rows[0]?.n ?? 0) > 0) {
    throw new ConfigError(`pharos ${role} needs PHAROS_SECRETS_KEY: alert channels exist and their settings are sealed with it`);
  }
}
