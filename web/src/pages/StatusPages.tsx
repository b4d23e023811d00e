import { useState } from 'preact/hooks';
import { can, type Session } from '../api.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';
import { Choices, CreateCard, DeleteButton, useCreate } from './common.js';

export function StatusPages({ session }: { session: Session }) {
  const pages = usePolled<{ items: any[] }>('/api/status-pages?limit=100', 15000);
  const monitors = usePolled<{ items: any[] }>(can(session, 'monitors:read') ? '/api/monitors?limit=500' : null, 60000);
  const writable = can(session, 'status-pages:write');
  const [title, setTitle] = useState('');
  const [slug, setSlug] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const create = useCreate(() => { setTitle(''); setSlug(''); setChosen([]); pages.refresh(); });
  const names = new Map((monitors.data?.items ?? []).map((m) => [m.id, m.name]));
  const move = (i: number, by: number) => {
    const next = [...chosen];
    const [item] = next.splice(i, 1);
    next.splice(i + by, 0, item);
    setChosen(next);
  };
  return (
    <section aria-labelledby="sp-h">
      <h1 id="sp-h">Status pages</h1>
      <ErrorBox error={pages.error ?? deleteError} />
      {!pages.data ? <Loading /> : pages.data.items.length === 0 ? <p class="muted">No status pages yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Title</th><th scope="col">Public page</th><th scope="col">Components</th><th scope="col">Visibility</th>{writable && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {pages.data.items.map((p) => (
                <tr key={p.id} data-status-page-id={p.id}>
                  <th scope="row">{p.title}</th>
                  <td><a href={`/status/${encodeURIComponent(p.slug)}`} target="_blank" rel="noopener">/status/{p.slug}</a></td>
                  <td>{p.components.map((c: any) => c.displayName ?? names.get(c.monitorId) ?? c.monitorId).join(', ')}</td>
                  <td>{p.visibility}</td>
                  {writable && <td><DeleteButton label={p.title} path={`/api/status-pages/${encodeURIComponent(p.id)}`} onDone={pages.refresh} onError={setDeleteError} /></td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <CreateCard title="New status page" failure={create.failure} submitLabel="Create status page" onSubmit={() => {
          const local: Record<string, string> = {};
          if (!title.trim()) local.title = 'is required';
          if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) local.slug = 'lower-case letters, digits and dashes';
          void create.submit('/api/status-pages', { title: title.trim(), slug, components: chosen.map((monitorId) => ({ monitorId })) }, local);
        }}>
          <Field id="title" label="Title" error={create.errors.title}><input {...described('title', create.errors.title)} value={title} onInput={(e) => setTitle(e.currentTarget.value)} /></Field>
          <Field id="slug" label="Address" error={create.errors.slug} hint="The page is served at /status/{address}">
            <input {...described('slug', create.errors.slug, 'x')} value={slug} onInput={(e) => setSlug(e.currentTarget.value)} />
          </Field>
          <Choices id="components" legend="Monitors shown" options={(monitors.data?.items ?? []).map((m) => [m.id, m.name])} chosen={chosen} onChange={setChosen} error={create.errors.components} />
          {chosen.length > 1 && (
            <ol class="order" aria-label="Order on the page">
              {chosen.map((id, i) => (
                <li key={id}>{names.get(id) ?? id}{' '}
                  <button type="button" class="link" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move ${names.get(id) ?? id} up`}>Up</button>
                  <button type="button" class="link" disabled={i === chosen.length - 1} onClick={() => move(i, 1)} aria-label={`Move ${names.get(id) ?? id} down`}>Down</button>
                </li>
              ))}
            </ol>
          )}
        </CreateCard>
      )}
    </section>
  );
}
