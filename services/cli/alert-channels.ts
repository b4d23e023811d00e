/**
 * Composition of alert channel sending for a process: the SSRF-guarded HTTP client, the
 * operator's SMTP transport, and the channel store sealed with this network's key.
 */
import { openSmtpMail } from './smtp-transport.js';
import type { Config } from '../lib/config.js';
import type { SqlClient } from '../lib/ports/sql-client.js';
import { createGuardedResolver } from '../lib/ssrf/guarded-resolver.js';
import { createSealer } from '../lib/store/sealed.js';
import { createGuardedHttp } from '../alerting/channels/guarded-http.js';
import type { MailSender } from '../alerting/channels/email.js';
import { createChannelSender } from '../alerting/channels/index.js';
import { AlertChannelStore } from '../alerting/channels/store.js';
import type { AlertChannelDeps } from '../api/context.js';

export function openAlertChannels(config: Readonly<Config>, sql: SqlClient, key: Buffer): AlertChannelDeps & { mail: MailSender | null; close(): Promise<void> } {
  const resolver = createGuardedResolver({ allowPrivateTargets: config.allowPrivateTargets });
  const http = createGuardedHttp({ resolver });
  const smtp = openSmtpMail(config.smtp);
  const mail = smtp?.send ?? null;
  const deliver = createChannelSender({ post: http.post, mail });
  return {
    mail,
    store: new AlertChannelStore(sql, createSealer(key)),
    deliver,
    resolver,
    async close() {
      smtp?.close();
      await http.close();
    },
  };
}
