import { useState } from 'preact/hooks';
import { api, ApiError, can, type Session } from '../api.js';
import { when } from '../format.js';
import { problemsByField } from '../forms/problems.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';

const TYPES = ['Webhook', 'Slack', 'Discord', 'Teams', 'Email'];

export function AlertChannels({ session }: { session: Session }) {
  const channels = usePolled<{ items: any[] }>('/api/alert-channels?limit=100', 10000);
  const deliveries = usePolled<{ items: any[] }>(can(session, 'alerts:read') ? '/api/alerts?limit=20' : null, 10000);
  const writable = can(session, 'alert-channels:write');
  const [name, setName] = useState('');
  const [type, setType] = useState('Webhook');
  const [target, setTarget] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [secret, setSecret] = useState('');
  const [tests, setTests] = useState<Record<string, string>>({});

  const create = async (e: Event) => {
    e.preventDefault();
    setFailure(null);
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'is required';
    if (!target.trim()) local[type === 'Email' ? 'recipients' : 'webhookUrl'] = 'is required';
    setErrors(local);
    if (Object.keys(local).length) return;
    const body = type === 'Email'
      ? { name: name.trim(), type, recipients: target.split(',').map((s) => s.trim()).filter(Boolean) }
      : { name: name.trim(), type, webhookUrl: target.trim() };
    try {
      const created = await api<any>('POST', '/api/alert-channels', body);
      setSecret(created.signingSecret ? `${created.name}: ${created.signingSecret}` : '');
      setName('');
      setTarget('');
      channels.refresh();
    } catch (err) {
      if (err instanceof ApiError && err.details.length) setErrors(problemsByField(err.details));
      setFailure(err);
    }
  };
  const test = async (id: string) => {
    setTests({ ...tests, [id]: 'Sending…' });
    try {
      const r = await api<any>('POST', `/api/alert-channels/${encodeURIComponent(id)}/test`);
      setTests((t) => ({ ...t, [id]: r.delivered ? `Delivered${r.statusCode ? ` (HTTP ${r.statusCode})` : ''}` : `Not delivered: ${r.error ?? `HTTP ${r.statusCode}`}` }));
    } catch (err) {
      setTests((t) => ({ ...t, [id]: `Failed: ${(err as Error).message}` }));
    }
  };
  const remove = async (c: any) => {
    if (!confirm(`Delete the channel "${c.name}"?`)) return;
    await api('DELETE', `/api/alert-channels/${encodeURIComponent(c.id)}`).catch(setFailure);
    channels.refresh();
  };
  const targetField = type === 'Email' ? 'recipients' : 'webhookUrl';
  return (
    <section aria-labelledby="ch-h">
      <h1 id="ch-h">Alert channels</h1>
      <ErrorBox error={channels.error} />
      {!channels.data ? <Loading /> : channels.data.items.length === 0 ? <p class="muted">No channels yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Target</th>{writable && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {channels.data.items.map((c) => (
                <tr key={c.id} data-channel-id={c.id}>
                  <th scope="row">{c.name}</th><td>{c.type}</td><td class="wrap">{c.webhookUrl ?? (c.recipients ?? []).join(', ')}</td>
                  {writable && (
                    <td>
                      <button type="button" onClick={() => test(c.id)} aria-label={`Send test to ${c.name}`}>Send test</button>{' '}
                      <button type="button" class="danger" onClick={() => remove(c)} aria-label={`Delete ${c.name}`}>Delete</button>
                      <span role="status" class="test-result">{tests[c.id] ?? ''}</span>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <form class="card" onSubmit={create} noValidate>
          <h2>New channel</h2>
          <ErrorBox error={failure} />
          <Field id="name" label="Name" error={errors.name}><input {...described('name', errors.name)} value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
          <Field id="channel-type" label="Type" error={errors.type}>
            <select {...described('channel-type', errors.type)} value={type} onChange={(e) => setType(e.currentTarget.value)}>{TYPES.map((t) => <option key={t}>{t}</option>)}</select>
          </Field>
          <Field id={targetField} label={type === 'Email' ? 'Recipients' : 'Webhook URL'} error={errors[targetField]} hint={type === 'Email' ? 'Comma-separated addresses' : undefined}>
            <input {...described(targetField, errors[targetField], type === 'Email' ? 'x' : undefined)} value={target} onInput={(e) => setTarget(e.currentTarget.value)} />
          </Field>
          <button type="submit">Create channel</button>
          {secret && <p class="secret" role="status">Signing secret, shown only now: <code>{secret}</code></p>}
        </form>
      )}
      {deliveries.data && (
        <section aria-labelledby="del-h">
          <h2 id="del-h">Recent deliveries</h2>
          {deliveries.data.items.length === 0 ? <p class="muted">None yet.</p> : (
            <div class="table-wrap">
              <table>
                <thead><tr><th scope="col">Event</th><th scope="col">Channel</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Created</th></tr></thead>
                <tbody>
                  {deliveries.data.items.map((d) => (
                    <tr key={d.id}><td>{d.type}</td><td>{d.channel.name}</td><td>{d.status}</td>
                      <td>{d.attempts.map((a: any) => `#${a.attempt} ${a.statusCode ?? a.error ?? ''}`).join(', ') || '—'}</td><td>{when(d.createdAt)}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </section>
  );
}
