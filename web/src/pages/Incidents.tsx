import { useState } from 'preact/hooks';
import { api, can, type Session } from '../api.js';
import { ms, when } from '../format.js';
import { ErrorBox, Field, Loading, StatusBadge, described, usePolled } from '../ui.js';

function IncidentTable({ items, caption }: { items: any[]; caption: string }) {
  if (items.length === 0) return <p class="muted">None.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="sr-only">{caption}</caption>
        <thead><tr><th scope="col">Incident</th><th scope="col">Severity</th><th scope="col">Started</th><th scope="col">State</th></tr></thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} data-incident-id={i.id}>
              <th scope="row"><a href={`#/incidents/${encodeURIComponent(i.id)}`}>{i.title}</a></th>
              <td>{i.severity}</td><td>{when(i.startedAt)}</td>
              <td>{i.status === 'Resolved' ? 'Resolved' : i.acknowledgedAt ? 'Acknowledged' : 'Open'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const pad = (n: number) => String(n).padStart(2, '0');
const dayInput = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** Incidents that started between two days (the viewer's midnights): GET /api/incidents?from=&to=, newest 500. */
function OlderIncidents() {
  const [from, setFrom] = useState(() => dayInput(new Date(Date.now() - 30 * 86_400_000)));
  const [to, setTo] = useState(() => dayInput(new Date()));
  const [error, setError] = useState('');
  const [range, setRange] = useState<{ from: string; to: string } | null>(null);
  const found = usePolled<{ items: any[]; totalCount: number }>(range ? `/api/incidents?from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}&limit=500` : null, 60000);
  const show = (e: Event) => {
    e.preventDefault();
    const start = new Date(`${from}T00:00`);
    const end = new Date(`${to}T00:00`);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return setError('choose both days');
    end.setDate(end.getDate() + 1);
    if (start >= end) return setError('the first day comes before the last');
    setError('');
    setRange({ from: start.toISOString(), to: end.toISOString() });
  };
  return (
    <section aria-labelledby="older-h">
      <h2 id="older-h">By date</h2>
      <form class="filters" noValidate onSubmit={show}>
        <Field id="inc-from" label="Started from (day)" error={error}><input {...described('inc-from', error)} type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} /></Field>
        <Field id="inc-to" label="to (day, included)"><input {...described('inc-to')} type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} /></Field>
        <div class="field"><span aria-hidden="true">&nbsp;</span><button type="submit">Show incidents</button></div>
      </form>
      <ErrorBox error={found.error} />
      {range && (found.data ? <IncidentTable items={found.data.items} caption="Incidents started in the chosen days" /> : <Loading />)}
      {range && found.data && <p class="muted" aria-live="polite">{found.data.totalCount} incident{found.data.totalCount === 1 ? '' : 's'} started in these days{found.data.totalCount > found.data.items.length ? `; the newest ${found.data.items.length} are shown` : ''}.</p>}
    </section>
  );
}

export function IncidentList(_: { session: Session }) {
  const active = usePolled<any[]>('/api/incidents/active', 3000);
  const recent = usePolled<any[]>('/api/incidents/recent', 10000);
  return (
    <section aria-labelledby="inc-h">
      <h1 id="inc-h">Incidents</h1>
      <ErrorBox error={active.error} />
      <h2>Active</h2>
      {active.data ? <IncidentTable items={active.data} caption="Active incidents" /> : <Loading />}
      <h2>Recently resolved</h2>
      {recent.data ? <IncidentTable items={recent.data.filter((i) => i.status === 'Resolved')} caption="Incidents resolved in the last 7 days" /> : <Loading />}
      <OlderIncidents />
    </section>
  );
}

const UPDATE_STATUSES = ['Investigating', 'Identified', 'Monitoring', 'Resolved'];

export function IncidentPage({ session, id }: { session: Session; id: string }) {
  const path = `/api/incidents/${encodeURIComponent(id)}`;
  const incident = usePolled<any>(path, 3000);
  const [failure, setFailure] = useState<unknown>(null);
  const [status, setStatus] = useState('Investigating');
  const [message, setMessage] = useState('');
  const [messageError, setMessageError] = useState('');
  const writable = can(session, 'incidents:write');
  const act = async (run: () => Promise<unknown>) => {
    setFailure(null);
    try {
      await run();
      incident.refresh();
    } catch (e) {
      setFailure(e);
    }
  };
  const postUpdate = (e: Event) => {
    e.preventDefault();
    if (!message.trim()) {
      setMessageError('Write what is happening');
      return;
    }
    setMessageError('');
    void act(async () => {
      await api('POST', `${path}/updates`, { status, message });
      setMessage('');
    });
  };
  const i = incident.data;
  if (!i) return incident.error ? <ErrorBox error={incident.error} /> : <Loading />;
  const resolved = i.status === 'Resolved';
  return (
    <article aria-labelledby="incident-h">
      <p><a href="#/incidents">← Incidents</a></p>
      <h1 id="incident-h">{i.title}</h1>
      <p id="incident-state" aria-live="polite"><strong>{resolved ? 'Resolved' : i.acknowledgedAt ? 'Acknowledged' : 'Open'}</strong> · {i.severity} · started {when(i.startedAt)}
        {i.acknowledgedAt && <> · acknowledged {when(i.acknowledgedAt)}</>}{i.resolvedAt && <> · resolved {when(i.resolvedAt)}</>}</p>
      {i.monitorId && <p><a href={`#/monitors/${encodeURIComponent(i.monitorId)}`}>The monitor</a></p>}
      <p class="wrap">{i.message}</p>
      <ErrorBox error={failure} />
      {writable && !resolved && (
        <div class="actions" role="group" aria-label="Incident actions">
          {!i.acknowledgedAt && <button type="button" onClick={() => act(() => api('POST', `${path}/acknowledge`))}>Acknowledge</button>}
          <button type="button" onClick={() => act(() => api('POST', `${path}/resolve`, {}))}>Resolve</button>
        </div>
      )}
      <section aria-labelledby="tl-h">
        <h2 id="tl-h">Timeline</h2>
        <ol class="updates">
          {i.updates.map((u: any) => <li key={u.id}><strong>{u.status}</strong> · {when(u.createdAt)}<p class="wrap">{u.message}</p></li>)}
        </ol>
        {writable && !resolved && (
          <form onSubmit={postUpdate} class="card" noValidate>
            <h3>Post an update</h3>
            <Field id="update-status" label="Status">
              <select {...described('update-status')} value={status} onChange={(e) => setStatus(e.currentTarget.value)}>{UPDATE_STATUSES.map((s) => <option key={s}>{s}</option>)}</select>
            </Field>
            <Field id="update-message" label="Message" error={messageError}>
              <textarea {...described('update-message', messageError)} rows={3} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
            </Field>
            <button type="submit">Post update</button>
          </form>
        )}
      </section>
      {i.results?.length > 0 && (
        <section aria-labelledby="ev-h">
          <h2 id="ev-h">Evidence</h2>
          <div class="table-wrap">
            <table>
              <thead><tr><th scope="col">Checked</th><th scope="col">Region</th><th scope="col">Status</th><th scope="col">Response</th><th scope="col">Failing phase</th><th scope="col">Error</th></tr></thead>
              <tbody>
                {i.results.map((r: any) => (
                  <tr key={r.id}><td>{when(r.checkedAt)}</td><td>{r.region}</td><td><StatusBadge status={r.status} /></td><td>{ms(r.responseTimeMs)}</td><td>{r.error?.phase ?? '—'}</td><td class="wrap">{r.error ? `${r.error.kind}: ${r.error.message}` : '—'}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </article>
  );
}
