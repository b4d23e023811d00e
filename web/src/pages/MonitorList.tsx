import { Component } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, can, type Session } from '../api.js';
import { percent, when } from '../format.js';
import { ErrorBox, Loading, StatusBadge, usePolled } from '../ui.js';
import { MONITOR_TYPES } from '../forms/monitor-form.js';
import { useListWindow } from './list-window.js';

const STATUSES = ['Up', 'Down', 'Degraded', 'Pending', 'Paused', 'Maintenance', 'Unknown'];

export function MonitorList({ session }: { session: Session }) {
  const [type, setType] = useState('');
  const [tag, setTag] = useState('');
  const [status, setStatus] = useState('');
  const [search, setSearch] = useState('');
  const query = new URLSearchParams();
  if (type) query.set('type', type);
  for (const t of tag.split(',').map((s) => s.trim()).filter(Boolean)) query.append('tag', t);
  const { data, error } = usePolled<{ items: any[]; totalCount: number }>(`/api/monitors?${query}`, 3000, true);
  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (data?.items ?? []).filter((m) => (!status || m.status === status) && (!needle || m.name.toLowerCase().includes(needle)));
  }, [data, status, search]);
  // Every listed monitor's trend, not just the filtered ones: typing a search fetches nothing.
  const trends = useTrends(useMemo(() => (data?.items ?? []).map((m) => m.id), [data]));
  // Only the rows near the viewport are rendered (a long list's keystroke re-filters a few dozen rows).
  const body = useRef<HTMLTableSectionElement>(null);
  const view = useListWindow(shown.length, body);
  return (
    <section aria-labelledby="monitors-h">
      <div class="heading">
        <h1 id="monitors-h">Monitors</h1>
        {can(session, 'monitors:write') && <a class="button" href="#/monitors/new">New monitor</a>}
      </div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>Search <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="Name" /></label>
        <label>Type <select value={type} onChange={(e) => setType(e.currentTarget.value)}><option value="">Any</option>{MONITOR_TYPES.map((t) => <option key={t}>{t}</option>)}</select></label>
        <label>Status <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}><option value="">Any</option>{STATUSES.map((s) => <option key={s}>{s}</option>)}</select></label>
        <label>Tags <input value={tag} onChange={(e) => setTag(e.currentTarget.value)} placeholder="prod, api" /></label>
      </form>
      <ErrorBox error={error} />
      {!data ? <Loading /> : (
        <div class="table-wrap">
          <table class="monitors" aria-rowcount={shown.length + 1}>
            <caption class="sr-only">{shown.length} of {data.totalCount} monitors</caption>
            <thead><tr aria-rowindex={1}><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Uptime (30 d)</th><th scope="col">Response (24 h)</th><th scope="col">Last checked</th><th scope="col">Tags</th></tr></thead>
            <tbody ref={body}>
              {view.start > 0 && <tr class="spacer" aria-hidden="true" style={{ height: `${view.start * view.rowHeight}px` }}><td colSpan={7} /></tr>}
              {shown.slice(view.start, view.end).map((m, i) => <Row key={m.id} m={m} points={trends.get(m.id)} index={view.start + i} />)}
              {view.end < shown.length && <tr class="spacer" aria-hidden="true" style={{ height: `${(shown.length - view.end) * view.rowHeight}px` }}><td colSpan={7} /></tr>}
            </tbody>
          </table>
          {shown.length === 0 && <p class="muted">No monitors match.</p>}
        </div>
      )}
    </section>
  );
}

interface RowProps { m: any; points?: number[]; index: number }

/** One monitor's row; rendered again only when its monitor, its trend or its place changes. */
class Row extends Component<RowProps> {
  shouldComponentUpdate(next: RowProps) {
    return next.m !== this.props.m || next.points !== this.props.points || next.index !== this.props.index;
  }

  render({ m, points, index }: RowProps) {
    return (
      <tr data-monitor-id={m.id} aria-rowindex={index + 2}>
        <th scope="row"><a href={`#/monitors/${encodeURIComponent(m.id)}`} title={m.name}>{m.name}</a></th>
        <td><StatusBadge status={m.status} /></td>
        <td>{m.type}</td>
        <td>{percent(m.uptimePercentage)}</td>
        <td><Sparkline points={points} /></td>
        <td>{when(m.lastCheckedAt)}</td>
        <td>{m.tags.map((t: string) => <span class="tag" key={t}>{t}</span>)}</td>
      </tr>
    );
  }
}

const TREND_BATCH = 100;

/** Hourly P50 of the listed monitors over 24 h, re-read every minute (ids in batches: URLs stay short). */
function useTrends(ids: string[]): Map<string, number[]> {
  const [trends, setTrends] = useState<Map<string, number[]>>(new Map());
  const key = ids.join(',');
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const next = new Map<string, number[]>();
      for (let i = 0; i < ids.length && !stopped; i += TREND_BATCH) {
        const query = new URLSearchParams(ids.slice(i, i + TREND_BATCH).map((id) => ['monitorId', id]));
        const r = await api<{ items: Array<{ monitorId: string; points: Array<{ p50ResponseTimeMs: number | null }> }> }>('GET', `/api/monitors/response-trends?${query}`).catch(() => null);
        for (const item of r?.items ?? []) next.set(item.monitorId, item.points.map((p) => p.p50ResponseTimeMs).filter((v): v is number => v !== null));
      }
      if (!stopped) {
        setTrends(next);
        timer = setTimeout(load, 60_000);
      }
    };
    if (ids.length) void load();
    return () => { stopped = true; clearTimeout(timer); };
  }, [key]);
  return trends;
}

/** A small line of hourly P50s; the figures themselves are in its label. */
function Sparkline({ points }: { points?: number[] }) {
  if (!points || points.length === 0) return <span class="muted">—</span>;
  const w = 96;
  const h = 24;
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min || 1;
  const step = points.length > 1 ? w / (points.length - 1) : 0;
  const path = points.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - ((v - min) / span) * (h - 4)).toFixed(1)}`).join(' ');
  const label = `P50 response time over 24 hours: ${Math.round(min)} to ${Math.round(max)} ms, now ${Math.round(points[points.length - 1])} ms`;
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <title>{label}</title>
      {points.length > 1 ? <polyline points={path} fill="none" stroke="currentColor" stroke-width="1.5" /> : <circle cx="2" cy={h / 2} r="2" fill="currentColor" />}
    </svg>
  );
}
