/**
 * Secrets at rest (alert channel webhook URLs, SMTP recipients' settings, Standard Webhooks
 * signing secrets): AES-256-GCM with a random 96-bit nonce per value. The sealed form is
 * `v1.<nonce>.<ciphertext+tag>` in base64url, so a later key or algorithm can be told apart.
 * A value names its purpose as associated data (`aad`), so a sealed signing secret cannot be
 * swapped in as a channel's settings.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealer {
  seal(plaintext: string, aad: string): string;
  /** Throws when the value was sealed with another key or altered. */
  open(sealed: string, aad: string): string;
}

export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error('a sealing key is 32 bytes');
  return {
    seal(plaintext, aad) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${nonce.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(sealed, aad) {
      const [version, nonceText, bodyText] = sealed.split('.');
      if (version !== VERSION || !nonceText || !bodyText) throw new Error('not a sealed value');
      const body = Buffer.from(bodyText, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonceText, 'base64url'));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}
