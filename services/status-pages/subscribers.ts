/** Email subscribers of status pages (migration 017). Never listed publicly. */
import type { SqlClient } from '../lib/ports/sql-client.js';
import { newId } from '../lib/store/ids.js';

export interface Subscriber {
  id: string;
  pageId: string;
  email: string;
  state: 'pending' | 'confirmed';
  pageUrl: string;
  unsubscribed: boolean;
}

interface Row { id: string; page_id: string; email: string; state: 'pending' | 'confirmed'; page_url: string; unsubscribed_at: Date | string | null }
const fromRow = (r: Row): Subscriber => ({ id: r.id, pageId: r.page_id, email: r.email, state: r.state, pageUrl: r.page_url, unsubscribed: r.unsubscribed_at !== null });

export class SubscriberStore {
  constructor(private readonly sql: SqlClient) {}

  /**
   * Records a subscription request. A new address (or one that unsubscribed) becomes pending
   * and wants a confirmation mail; a pending one wants the mail again; a confirmed one stays
   * as it is and wants nothing. The caller answers the same in every case.
   */
  async request(pageId: string, email: string, pageUrl: string, atMs: number): Promise<{ subscriber: Subscriber; confirmationWanted: boolean }> {
    const { rows } = await this.sql.query<Row>(
      `INSERT INTO status_page_subscribers (id, page_id, email, state, page_url, created_at)
       VALUES ($1, $2, $3, 'pending', $4, to_timestamp($5 / 1000.0))
       ON CONFLICT (page_id, email) DO UPDATE SET
         state = CASE WHEN status_page_subscribers.unsubscribed_at IS NULL THEN status_page_subscribers.state ELSE 'pending' END,
         confirmed_at = CASE WHEN status_page_subscribers.unsubscribed_at IS NULL THEN status_page_subscribers.confirmed_at END,
         page_url = CASE WHEN status_page_subscribers.state = 'confirmed' AND status_page_subscribers.unsubscribed_at IS NULL THEN status_page_subscribers.page_url ELSE EXCLUDED.page_url END,
         unsubscribed_at = NULL
       RETURNING id, page_id, email, state, page_url, unsubscribed_at`,
      [newId('sub'), pageId, email, pageUrl, atMs],
    );
    const subscriber = fromRow(rows[0]!);
    return { subscriber, confirmationWanted: subscriber.state === 'pending' };
  }

  /** Confirms a pending subscriber of this page; true when the subscriber exists (confirming twice is fine). */
  async confirm(pageId: string, id: string, atMs: number): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `UPDATE status_page_subscribers SET state = 'confirmed', confirmed_at = COALESCE(confirmed_at, to_timestamp($3 / 1000.0))
        WHERE page_id = $1 AND id = $2 AND unsubscribed_at IS NULL`,
      [pageId, id, atMs],
    );
    return rowCount > 0;
  }

  /** Unsubscribes; true when the subscriber exists (unsubscribing twice is fine). */
  async unsubscribe(pageId: string, id: string, atMs: number): Promise<boolean> {
    const { rowCount } = await this.sql.query(
      `UPDATE status_page_subscribers SET unsubscribed_at = COALESCE(unsubscribed_at, to_timestamp($3 / 1000.0)) WHERE page_id = $1 AND id = $2`,
      [pageId, id, atMs],
    );
    return rowCount > 0;
  }
}

export interface SubscriberTarget { id: string; pageId: string }

/**
 * The confirmed subscribers of the organization's pages that show this monitor, read on the
 * caller's transaction: who is mailed about an incident on it.
 */
export async function subscribersOfMonitor(tx: SqlClient, orgId: string, monitorId: string): Promise<SubscriberTarget[]> {
  const { rows } = await tx.query<{ id: string; page_id: string }>(
    `SELECT s.id, s.page_id FROM status_page_subscribers s JOIN status_pages p ON p.id = s.page_id
      WHERE p.org_id = $1 AND p.components @> $2::jsonb AND s.state = 'confirmed' AND s.unsubscribed_at IS NULL
      ORDER BY s.id`,
    [orgId, JSON.stringify([{ monitorId }])],
  );
  return rows.map((r) => ({ id: r.id, pageId: r.page_id }));
}

/**
 * The confirmed subscribers of the organization's pages that show any of these monitors (a
 * maintenance window's): one per subscription, however many of the page's monitors it covers.
 */
export async function subscribersOfMonitors(tx: SqlClient, orgId: string, monitorIds: readonly string[]): Promise<SubscriberTarget[]> {
  if (monitorIds.length === 0) return [];
  const { rows } = await tx.query<{ id: string; page_id: string }>(
    `SELECT s.id, s.page_id FROM status_page_subscribers s JOIN status_pages p ON p.id = s.page_id
      WHERE p.org_id = $1 AND s.state = 'confirmed' AND s.unsubscribed_at IS NULL
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(p.components) c WHERE c->>'monitorId' = ANY($2::text[]))
      ORDER BY s.id`,
    [orgId, [...monitorIds]],
  );
  return rows.map((r) => ({ id: r.id, pageId: r.page_id }));
}
