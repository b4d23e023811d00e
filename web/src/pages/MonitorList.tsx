import { useMemo, useState } from 'preact/hooks';
import { can, type Session } from '../api.js';
import { percent, when } from '../format.js';
import { ErrorBox, Loading, StatusBadge, usePolled } from '../ui.js';
import { MONITOR_TYPES } from '../forms/monitor-form.js';

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
          <table class="monitors">
            <caption class="sr-only">{shown.length} of {data.totalCount} monitors</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Uptime (30 d)</th><th scope="col">Last checked</th><th scope="col">Tags</th></tr></thead>
            <tbody>
              {shown.map((m) => (
                <tr key={m.id} data-monitor-id={m.id}>
                  <th scope="row"><a href={`#/monitors/${encodeURIComponent(m.id)}`}>{m.name}</a></th>
                  <td><StatusBadge status={m.status} /></td>
                  <td>{m.type}</td>
                  <td>{percent(m.uptimePercentage)}</td>
                  <td>{when(m.lastCheckedAt)}</td>
                  <td>{m.tags.map((t: string) => <span class="tag" key={t}>{t}</span>)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 && <p class="muted">No monitors match.</p>}
        </div>
      )}
    </section>
  );
}
