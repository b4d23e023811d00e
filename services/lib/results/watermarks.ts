/**
 * Slot watermarks: the restart-proof marker that lets ingest skip the duplicate lookup for
 * result ids that are provably new (docs/decisions.md, "Ingest: slot watermarks").
 *
 * Result ids name a slot: `<monitor>.<region>.<slotMs>` (check-job.ts, missed-slots.ts), so
 * every id that can ever collide with another — a resend, a redelivered job run by a second
 * agent, the scheduler's missed record for the slot — shares its *series* (`<monitor>.<region>`
 * within an org) and its slot number. For each series the store keeps an upper bound of the
 * slots stored:
 *
 *   - `persisted` (table `result_watermarks_v1`): written BEFORE the rows it covers, reserved
 *     `reserveMs` ahead so a series is written about once per reserve, not once per result.
 *     It survives a restart exactly as the rows do (same data dir, written first), so after a
 *     restart it is still ≥ every stored slot.
 *   - `stored` (memory): the highest slot stored or claimed in this process, starting from the
 *     persisted bound when the series is loaded. Only one process can open a chDB data dir, so
 *     nothing else adds rows behind its back.
 *
 * An id whose slot is above `stored` cannot be stored (every stored slot is ≤ it), so it skips
 * the lookup and raises `stored` at once (claimed: a second copy in a later flush is looked up).
 * Every other id — at or below the mark, not slot-shaped, or of a series this process has not
 * loaded — is looked up as before. A failed insert leaves the marks raised: conservative, the
 * resend is looked up. Ids that do not parse never use the marks.
 *
 * Only for an executor that owns its data (chDB): with a ClickHouse server other ingest
 * processes insert too, and a bound kept in one process's memory would not cover their rows.
 */
import type { ClickHouseExecutor } from '../ports/results-store.js';
import type { StoredResult } from './types.js';

export const WATERMARKS_TABLE = 'result_watermarks_v1';

/**
 * `<series>.<slot>`: the slot is the 1–15 digits after the last dot (15 stay exact in a JS
 * number), the series is what comes before it (not empty). slotOf() is this rule in JS and
 * SLOT_ID_SQL in ClickHouse's re2, for the backfill: change both together.
 */
// (?s): '.' matches a newline too (ClickHouse's default, stated), as the JS rule lets the series hold any character.
const SLOT_ID_SQL = "'(?s)^(.+)\\\\.([0-9]{1,15})$'";

/** The marker row that says the table covers every stored row (written after the backfill). */
const COMPLETE_ORG = '';
const COMPLETE_SERIES = '';

export interface SlotId {
  series: string;
  slot: number;
}

export function parseSlotId(resultId: string): SlotId | undefined {
  const slot = slotOf(resultId);
  return slot < 0 ? undefined : { series: resultId.slice(0, resultId.lastIndexOf('.')), slot };
}

/** SLOT_ID's slot, or -1 when the id does not match; by hand, as it runs for every result. */
function slotOf(id: string): number {
  const dot = id.lastIndexOf('.');
  const digits = id.length - dot - 1;
  if (dot < 1 || digits < 1 || digits > 15) return -1;
  let slot = 0;
  for (let i = dot + 1; i < id.length; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    slot = slot * 10 + d;
  }
  return slot;
}

/** The memory key of an id's series (org, then the id up to its last dot). */
const seriesKey = (orgId: string, id: string) => `${orgId}\u0000${id.slice(0, id.lastIndexOf('.'))}`;

export interface WatermarkOptions {
  /** How far ahead of a stored slot the persisted bound is written. */
  reserveMs?: number;
  /** Series kept in memory at most; an evicted one is loaded again when next asked. */
  maxSeries?: number;
}

interface Mark {
  /** Every stored slot of the series is ≤ this (stored or claimed in this process, or loaded). */
  stored: number;
  /** What the table holds for the series (≥ stored). */
  persisted: number;
}

const key = (orgId: string, series: string) => `${orgId}\u0000${series}`;

export class SlotWatermarks {
  private readonly marks = new Map<string, Mark>();
  private readonly reserveMs: number;
  private readonly maxSeries: number;
  /** Whether the table is known to cover every stored row (its marker row was read or written). */
  private complete = false;
  private readonly table: string;
  /** Counters, read by tests and the benchmark. */
  readonly stats = { provablyNew: 0, lookedUp: 0, loads: 0, persistedRows: 0 };

  constructor(private readonly exec: ClickHouseExecutor, database: string, opts: WatermarkOptions = {}) {
    this.table = `${database}.${WATERMARKS_TABLE}`;
    this.reserveMs = opts.reserveMs ?? 10 * 60_000;
    this.maxSeries = opts.maxSeries ?? 1_000_000;
  }

  static ddl(database: string): string {
    // ReplacingMergeTree(slot) keeps the highest bound per series at merge time; readers take max().
    return `CREATE TABLE IF NOT EXISTS ${database}.${WATERMARKS_TABLE} (
      org_id String,
      series String,
      slot   Int64
    )
    ENGINE = ReplacingMergeTree(slot)
    ORDER BY (org_id, series)`;
  }

  /**
   * Makes the table cover rows stored before it existed (an upgraded data dir): one scan of the
   * raw table, then the marker row. Until the marker is written no series is loaded as new, so
   * a crash half way only means the backfill runs again.
   */
  async backfill(rawTable: string): Promise<void> {
    if (await this.isComplete()) return;
    await this.exec.command(
      `INSERT INTO ${this.table} (org_id, series, slot)
       SELECT org_id, g[1] AS series, max(toInt64(g[2])) AS slot
       FROM (SELECT org_id, extractGroups(result_id, ${SLOT_ID_SQL}) AS g FROM ${rawTable} WHERE match(result_id, ${SLOT_ID_SQL}))
       GROUP BY org_id, series`,
    );
    await this.exec.insertCompact(this.table, ['org_id', 'series', 'slot'], [[COMPLETE_ORG, COMPLETE_SERIES, 1]]);
    this.complete = true;
  }

  /**
   * Splits one flush's ids into those provably new (claimed: their series' marks are raised
   * now) and those that need the lookup. Loads unknown series first, in one query.
   */
  async classify(asked: ReadonlyArray<{ orgId: string; ids: readonly string[] }>): Promise<{ fresh: number; lookup: Array<{ orgId: string; id: string }> }> {
    const unknown = new Map<string, { orgId: string; series: string }>();
    for (const { orgId, ids } of asked) {
      for (const id of ids) {
        if (slotOf(id) < 0) continue;
        const k = seriesKey(orgId, id);
        if (!this.marks.has(k) && !unknown.has(k)) unknown.set(k, { orgId, series: id.slice(0, id.lastIndexOf('.')) });
      }
    }
    if (unknown.size > 0) await this.load([...unknown.values()]);

    let fresh = 0;
    const lookup: Array<{ orgId: string; id: string }> = [];
    for (const { orgId, ids } of asked) {
      for (const id of ids) {
        const slot = slotOf(id);
        const mark = slot < 0 ? undefined : this.marks.get(seriesKey(orgId, id));
        if (mark && slot > mark.stored) {
          mark.stored = slot;
          fresh += 1;
        } else {
          lookup.push({ orgId, id });
        }
      }
    }
    this.stats.provablyNew += fresh;
    this.stats.lookedUp += lookup.length;
    return { fresh, lookup };
  }

  /**
   * Before rows are inserted: the table's bound must cover them. Writes one row per series
   * whose bound they pass (reserved ahead), and raises the in-memory marks. A failure throws
   * before any row is written.
   */
  async cover(rows: readonly StoredResult[]): Promise<void> {
    const highest = new Map<string, { orgId: string; series: string; slot: number }>();
    for (const r of rows) {
      const slot = slotOf(r.resultId);
      if (slot < 0) continue;
      const k = seriesKey(r.orgId, r.resultId);
      const h = highest.get(k);
      if (!h) highest.set(k, { orgId: r.orgId, series: r.resultId.slice(0, r.resultId.lastIndexOf('.')), slot });
      else if (slot > h.slot) h.slot = slot;
    }
    const writes: Array<[string, string, number]> = [];
    for (const [k, h] of highest) {
      const mark = this.marks.get(k);
      // Unknown series: the table may hold a higher bound already; max() at read keeps it.
      if (!mark || h.slot > mark.persisted) writes.push([h.orgId, h.series, h.slot + this.reserveMs]);
    }
    if (writes.length > 0) {
      await this.exec.insertCompact(this.table, ['org_id', 'series', 'slot'], writes);
      this.stats.persistedRows += writes.length;
    }
    for (const [k, h] of highest) {
      const mark = this.marks.get(k);
      if (!mark) continue;
      if (h.slot > mark.stored) mark.stored = h.slot;
      if (h.slot > mark.persisted) mark.persisted = h.slot + this.reserveMs;
    }
  }

  /** Only a positive answer is kept: until the marker is there every series is looked up. */
  private async isComplete(): Promise<boolean> {
    if (this.complete) return true;
    const rows = await this.exec.query<{ n: number | string }>(
      `SELECT count() AS n FROM ${this.table} WHERE org_id = {org:String} AND series = {series:String}`,
      { org: COMPLETE_ORG, series: COMPLETE_SERIES },
    );
    this.complete = Number(rows[0]?.n ?? 0) > 0;
    return this.complete;
  }

  /** Reads the bounds of series not in memory; a series the table does not know was never stored (once complete). */
  private async load(series: Array<{ orgId: string; series: string }>): Promise<void> {
    if (!(await this.isComplete())) return;
    this.stats.loads += 1;
    let data = '';
    for (const s of series) data += `${JSON.stringify([s.orgId, s.series])}\n`;
    const rows = await this.exec.query<{ org_id: string; series: string; slot: number | string }>(
      `SELECT org_id, series, max(slot) AS slot FROM ${this.table}
       WHERE (org_id, series) IN (SELECT org_id, series FROM format(JSONCompactEachRow, 'org_id String, series String', {keys:String}))
       GROUP BY org_id, series`,
      { keys: data },
    );
    const found = new Map(rows.map((r) => [key(r.org_id, r.series), Number(r.slot)]));
    for (const s of series) {
      const k = key(s.orgId, s.series);
      const bound = found.get(k) ?? -1;
      this.marks.set(k, { stored: bound, persisted: bound });
    }
    // Oldest loaded first out: an evicted series is simply loaded again.
    let excess = this.marks.size - this.maxSeries;
    for (const k of this.marks.keys()) {
      if (excess-- <= 0) break;
      this.marks.delete(k);
    }
  }
}

/**
 * One set of marks per data dir and database: every store over the same chDB session shares
 * them (the embedded process may hold several, e.g. one per role), so none can miss another's rows.
 */
const byExecutor = new WeakMap<ClickHouseExecutor, Map<string, SlotWatermarks>>();

export function watermarksFor(exec: ClickHouseExecutor, database: string, opts?: WatermarkOptions): SlotWatermarks {
  let perDb = byExecutor.get(exec);
  if (!perDb) byExecutor.set(exec, (perDb = new Map()));
  let w = perDb.get(database);
  if (!w) perDb.set(database, (w = new SlotWatermarks(exec, database, opts)));
  return w;
}
