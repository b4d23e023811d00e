import { useState } from 'preact/hooks';
import { api, ApiError, can, type Session } from '../api.js';
import { when } from '../format.js';
import { problemsByField } from '../forms/problems.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';

export const SCOPES = [
  '*', 'monitors:read', 'monitors:write', 'incidents:read', 'incidents:write', 'status-pages:read', 'status-pages:write', 'teams:read', 'teams:write',
  'keys:read', 'keys:write', 'alert-channels:read', 'alert-channels:write', 'alert-rules:read', 'alert-rules:write', 'alerts:read',
  'escalation-policies:read', 'escalation-policies:write', 'maintenance-windows:read', 'maintenance-windows:write', 'reports:read', 'reports:write',
];

export function ApiKeys({ session }: { session: Session }) {
  const keys = usePolled<{ items: any[] }>('/api/keys', 15000);
  const writable = can(session, 'keys:write');
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    setFailure(null);
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'is required';
    if (scopes.length === 0) local.scopes = 'choose at least one scope';
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const key = await api<any>('POST', '/api/keys', { name: name.trim(), scopes });
      setCreated({ name: key.name, key: key.key });
      setName('');
      setScopes([]);
      keys.refresh();
    } catch (err) {
      if (err instanceof ApiError && err.details.length) setErrors(problemsByField(err.details));
      setFailure(err);
    }
  };
  const revoke = async (k: any) => {
    if (!confirm(`Revoke the key "${k.name}"? It stops working at once.`)) return;
    await api('DELETE', `/api/keys/${encodeURIComponent(k.id)}`).catch(setFailure);
    keys.refresh();
  };
  return (
    <section aria-labelledby="keys-h">
      <h1 id="keys-h">API keys</h1>
      <ErrorBox error={keys.error} />
      {!keys.data ? <Loading /> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Scopes</th><th scope="col">Last used</th>{writable && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {keys.data.items.map((k) => (
                <tr key={k.id} data-key-id={k.id}>
                  <th scope="row">{k.name}{k.id === session.keyId && ' (this session)'}</th><td><code>{k.key}</code></td><td class="wrap">{k.scopes.join(', ')}</td><td>{when(k.lastUsedAt)}</td>
                  {writable && <td>{k.id !== session.keyId && <button type="button" class="danger" onClick={() => revoke(k)} aria-label={`Revoke ${k.name}`}>Revoke</button>}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <form class="card" onSubmit={create} noValidate>
          <h2>New key</h2>
          <ErrorBox error={failure} />
          <Field id="name" label="Name" error={errors.name}><input {...described('name', errors.name)} value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
          <fieldset class="scopes" aria-describedby={errors.scopes ? 'scopes-error' : undefined}>
            <legend>Scopes</legend>
            {SCOPES.map((s) => (
              <div class="check" key={s}>
                <input type="checkbox" id={`scope-${s}`} checked={scopes.includes(s)} onChange={(e) => setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} />
                <label for={`scope-${s}`}>{s === '*' ? '* (full access)' : s}</label>
              </div>
            ))}
            {errors.scopes && <small id="scopes-error" class="error" data-field-error="scopes">{errors.scopes}</small>}
          </fieldset>
          <button type="submit">Create key</button>
        </form>
      )}
      {created && (
        <div class="secret card" role="status">
          <p>The key <strong>{created.name}</strong>, shown only now — copy it somewhere safe:</p>
          <code id="new-key">{created.key}</code>
          <button type="button" onClick={() => setCreated(null)}>Done</button>
        </div>
      )}
    </section>
  );
}
