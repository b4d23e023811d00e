import { when } from '../format.js';
import { ErrorBox, Loading, usePolled } from '../ui.js';

export function Regions() {
  const { data, error } = usePolled<{ items: any[] }>('/api/regions', 10000);
  return (
    <section aria-labelledby="regions-h">
      <h1 id="regions-h">Regions</h1>
      <ErrorBox error={error} />
      {!data ? <Loading /> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Region</th><th scope="col">Status</th><th scope="col">Connected agents</th><th scope="col">Last heartbeat</th></tr></thead>
            <tbody>{data.items.map((r) => <tr key={r.name}><th scope="row">{r.name}</th><td>{r.status}</td><td>{r.connectedAgents}</td><td>{when(r.lastHeartbeatAt)}</td></tr>)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}
