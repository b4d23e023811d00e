import { useState } from 'preact/hooks';
import { api, can, type Session } from '../api.js';
import { daysUntil, ms, percent, when } from '../format.js';
import { ErrorBox, Loading, StatusBadge, usePolled } from '../ui.js';
import { ResponseTimeChart, type RegionSeries } from './Chart.js';

const PERIODS = ['24h', '7d', '30d', '90d'] as const;

export function MonitorPage({ session, id }: { session: Session; id: string }) {
  const base = `/api/monitors/${encodeURIComponent(id)}`;
  const [period, setPeriod] = useState<(typeof PERIODS)[number]>('24h');
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [region, setRegion] = useState('');
  const monitor = usePolled<any>(base, 3000);
  const results = usePolled<{ items: any[] }>(`${base}/results?limit=50${region ? `&region=${encodeURIComponent(region)}` : ''}`, 3000);
  const stats = usePolled<any>(`${base}/stats?period=${period}`, 15000);
  const series = usePolled<{ regions: RegionSeries[]; from: string; to: string }>(`${base}/response-times?period=${period}`, 30000);
  const incidents = usePolled<{ items: any[] }>(can(session, 'incidents:read') ? `${base}/incidents?limit=10` : null, 5000);
  const writable = can(session, 'monitors:write');
  const m = monitor.data;
  const pings = usePolled<{ items: any[] }>(m?.type === 'Job' ? `${base}/pings?limit=20` : null, 5000);

  const act = async (what: string, run: () => Promise<unknown>) => {
    setActionError(null);
    setNotice('');
    try {
      await run();
      setNotice(what);
      monitor.refresh();
      results.refresh();
    } catch (e) {
      setActionError(e);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete the monitor "${m.name}" with its results and incidents? This cannot be undone.`)) return;
    await act('Deleted.', () => api('DELETE', base));
    location.hash = '#/monitors';
  };

  if (monitor.error && !m) return <ErrorBox error={monitor.error} />;
  if (!m) return <Loading />;
  const latest = results.data?.items[0];
  return (
    <article aria-labelledby="monitor-h">
      <p><a href="#/monitors">← Monitors</a></p>
      <div class="heading">
        <h1 id="monitor-h">{m.name}</h1>
        <span aria-live="polite" id="monitor-status"><StatusBadge status={m.status} /></span>
      </div>
      <p class="muted">{m.type} · {m.url ?? m.hostname ?? m.pingUrl ?? ''} · every {m.intervalSeconds} s from {m.regions.join(', ')}</p>
      {writable && (
        <div class="actions" role="group" aria-label="Monitor actions">
          <a class="button" href={`#/monitors/${encodeURIComponent(id)}/edit`}>Edit</a>
          {m.status === 'Paused'
            ? <button type="button" onClick={() => act('Resumed.', () => api('POST', `${base}/resume`))}>Resume</button>
            : <button type="button" onClick={() => act('Paused.', () => api('POST', `${base}/pause`))}>Pause</button>}
          <button type="button" onClick={() => act('Check requested.', () => api('POST', `${base}/check`))}>Check now</button>
          <button type="button" class="danger" onClick={remove}>Delete</button>
        </div>
      )}
      <p role="status" class="notice">{notice}</p>
      <ErrorBox error={actionError} />

      <section aria-labelledby="rt-h">
        <div class="heading">
          <h2 id="rt-h">Response time</h2>
          <div role="group" aria-label="Period" class="segmented">
            {PERIODS.map((p) => <button type="button" key={p} aria-pressed={p === period} onClick={() => setPeriod(p)}>{p}</button>)}
          </div>
        </div>
        {stats.data && (
          <dl class="figures">
            <div><dt>Uptime</dt><dd>{percent(stats.data.uptimePercentage)}</dd></div>
            <div><dt>P50</dt><dd>{ms(stats.data.p50ResponseTimeMs)}</dd></div>
            <div><dt>P95</dt><dd>{ms(stats.data.p95ResponseTimeMs)}</dd></div>
            <div><dt>Checks</dt><dd>{stats.data.totalChecks}</dd></div>
            <div><dt>Failures</dt><dd>{stats.data.failedChecks}</dd></div>
          </dl>
        )}
        {series.data && series.data.regions.length > 0
          ? <ResponseTimeChart regions={series.data.regions} from={series.data.from} to={series.data.to} label={`P50 and P95 response time per region over ${period}`} />
          : <p class="muted">No checks in this period yet.</p>}
      </section>

      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Status timeline</h2>
        <ol class="timeline" aria-label="Last 50 checks, oldest first">
          {(results.data?.items ?? []).slice().reverse().map((r) => (
            <li key={r.id} class={`st-${r.status.toLowerCase()}`} title={`${when(r.checkedAt)} ${r.region}: ${r.status}`}><span class="sr-only">{`${when(r.checkedAt)} ${r.region}: ${r.status}`}</span></li>
          ))}
        </ol>
      </section>

      {latest && (latest.tls || latest.domain) && (
        <section aria-labelledby="expiry-h">
          <h2 id="expiry-h">Certificate and domain</h2>
          <dl class="figures">
            {latest.tls && <div><dt>TLS certificate expires</dt><dd>{daysUntil(latest.tls.expiresAt ?? latest.tlsCertificateExpiresAt)}</dd></div>}
            {latest.domain && <div><dt>Domain expires</dt><dd>{daysUntil(latest.domain.expiresAt)}</dd></div>}
          </dl>
        </section>
      )}

      {pings.data && (
        <section aria-labelledby="pings-h">
          <h2 id="pings-h">Pings</h2>
          {pings.data.items.length === 0 ? <p class="muted">No pings yet. Send one to <code>{m.pingUrl}</code>.</p> : (
            <div class="table-wrap">
              <table>
                <thead><tr><th scope="col">Received</th><th scope="col">Kind</th><th scope="col">Exit code</th><th scope="col">Run time</th><th scope="col">Message</th></tr></thead>
                <tbody>{pings.data.items.map((p) => <tr key={p.id}><td>{when(p.receivedAt)}</td><td>{p.kind}</td><td>{p.exitCode ?? '—'}</td><td>{ms(p.runtimeMs)}</td><td class="wrap">{p.message ?? '—'}</td></tr>)}</tbody>
              </table>
            </div>
          )}
        </section>
      )}

      <section aria-labelledby="results-h">
        <div class="heading">
          <h2 id="results-h">Recent results</h2>
          {m.regions.length > 1 && (
            <label class="inline">Region <select value={region} onChange={(e) => setRegion(e.currentTarget.value)}><option value="">All</option>{m.regions.map((r: string) => <option key={r}>{r}</option>)}</select></label>
          )}
        </div>
        <div class="table-wrap">
          <table class="results">
            <thead><tr><th scope="col">Checked</th><th scope="col">Region</th><th scope="col">Status</th><th scope="col">Response</th><th scope="col">Code</th><th scope="col">Failing phase</th><th scope="col">Error</th></tr></thead>
            <tbody>
              {(results.data?.items ?? []).slice(0, 20).map((r) => (
                <tr key={r.id}>
                  <td>{when(r.checkedAt)}</td><td>{r.region}</td><td><StatusBadge status={r.status} /></td><td>{ms(r.responseTimeMs)}</td>
                  <td>{r.statusCode ?? '—'}</td><td>{r.error?.phase ?? '—'}</td><td class="wrap">{r.error ? `${r.error.kind}: ${r.error.message}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {incidents.data && (
        <section aria-labelledby="mi-h">
          <h2 id="mi-h">Incidents</h2>
          {incidents.data.items.length === 0 ? <p class="muted">None.</p> : (
            <ul class="plain">
              {incidents.data.items.map((i) => <li key={i.id}><a href={`#/incidents/${encodeURIComponent(i.id)}`}>{i.title}</a> · {i.status} · {when(i.startedAt)}</li>)}
            </ul>
          )}
        </section>
      )}
    </article>
  );
}
