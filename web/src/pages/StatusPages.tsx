import { useState } from 'preact/hooks';
import { api, ApiError, can, type Session } from '../api.js';
import { problemsByField } from '../forms/problems.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';
import { Choices, DeleteButton } from './common.js';

interface Component {
  monitorId: string;
  displayName: string;
  group: string;
  showUptime: boolean;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function StatusPages({ session }: { session: Session }) {
  const pages = usePolled<{ items: any[] }>('/api/status-pages?limit=100', 15000);
  const monitors = usePolled<{ items: any[] }>(can(session, 'monitors:read') ? '/api/monitors?limit=500' : null, 60000);
  const writable = can(session, 'status-pages:write');
  const [editing, setEditing] = useState<any | null>(null);
  const [title, setTitle] = useState('');
  const [slug, setSlug] = useState('');
  const [description, setDescription] = useState('');
  const [components, setComponents] = useState<Component[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const names = new Map<string, string>((monitors.data?.items ?? []).map((m) => [m.id, m.name]));
  const nameOf = (id: string) => names.get(id) ?? id;

  const reset = (page: any | null) => {
    setEditing(page);
    setTitle(page?.title ?? '');
    setSlug(page?.slug ?? '');
    setDescription(page?.description ?? '');
    setComponents((page?.components ?? []).map((c: any) => ({ monitorId: c.monitorId, displayName: c.displayName === nameOf(c.monitorId) ? '' : c.displayName, group: c.group ?? '', showUptime: c.showUptime })));
    setErrors({});
    setFailure(null);
  };
  const choose = (ids: string[]) => setComponents([
    ...components.filter((c) => ids.includes(c.monitorId)),
    ...ids.filter((id) => !components.some((c) => c.monitorId === id)).map((monitorId) => ({ monitorId, displayName: '', group: '', showUptime: true })),
  ]);
  const edit = (i: number, patch: Partial<Component>) => setComponents(components.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const move = (i: number, by: number) => {
    const next = [...components];
    const [item] = next.splice(i, 1);
    next.splice(i + by, 0, item);
    setComponents(next);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!title.trim()) local.title = 'is required';
    if (!SLUG.test(slug)) local.slug = 'lower-case letters, digits and dashes';
    setErrors(local);
    setFailure(null);
    if (Object.keys(local).length) return;
    const body: Record<string, unknown> = {
      title: title.trim(), slug, description,
      components: components.map((c) => ({ monitorId: c.monitorId, ...(c.displayName.trim() ? { displayName: c.displayName.trim() } : {}), group: c.group.trim() || null, showUptime: c.showUptime })),
    };
    if (editing) Object.assign(body, { customDomain: editing.customDomain, visibility: editing.visibility });
    try {
      await api(editing ? 'PUT' : 'POST', editing ? `/api/status-pages/${encodeURIComponent(editing.id)}` : '/api/status-pages', body);
      reset(null);
      pages.refresh();
    } catch (err) {
      if (err instanceof ApiError && err.details.length) setErrors(problemsByField(err.details));
      setFailure(err);
    }
  };

  return (
    <section aria-labelledby="sp-h">
      <h1 id="sp-h">Status pages</h1>
      <ErrorBox error={pages.error} />
      {!pages.data ? <Loading /> : pages.data.items.length === 0 ? <p class="muted">No status pages yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Title</th><th scope="col">Public page</th><th scope="col">Components</th><th scope="col">Visibility</th>{writable && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {pages.data.items.map((p) => (
                <tr key={p.id} data-status-page-id={p.id}>
                  <th scope="row">{p.title}</th>
                  <td><a href={`/status/${encodeURIComponent(p.slug)}`} target="_blank" rel="noopener">/status/{p.slug}</a></td>
                  <td>{p.components.map((c: any) => c.displayName).join(', ')}</td>
                  <td>{p.visibility}</td>
                  {writable && (
                    <td>
                      <button type="button" onClick={() => reset(p)} aria-label={`Edit ${p.title}`}>Edit</button>{' '}
                      <DeleteButton label={p.title} path={`/api/status-pages/${encodeURIComponent(p.id)}`} onDone={pages.refresh} onError={setFailure} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <form class="card" noValidate onSubmit={save} aria-labelledby="sp-form-h">
          <h2 id="sp-form-h">{editing ? `Edit ${editing.title}` : 'New status page'}</h2>
          <ErrorBox error={failure} />
          <Field id="title" label="Title" error={errors.title}><input {...described('title', errors.title)} value={title} onInput={(e) => setTitle(e.currentTarget.value)} /></Field>
          <Field id="slug" label="Address" error={errors.slug} hint="The page is served at /status/{address}">
            <input {...described('slug', errors.slug, 'x')} value={slug} onInput={(e) => setSlug(e.currentTarget.value)} />
          </Field>
          <Field id="description" label="Description" error={errors.description}>
            <textarea {...described('description', errors.description)} rows={2} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </Field>
          <Choices id="components" legend="Monitors shown" options={(monitors.data?.items ?? []).map((m) => [m.id, m.name])} chosen={components.map((c) => c.monitorId)} onChange={choose} error={errors.components} />
          {components.length > 0 && (
            <fieldset>
              <legend>Arrangement (top to bottom)</legend>
              <ol class="order">
                {components.map((c, i) => (
                  <li key={c.monitorId} class="component-row">
                    <strong>{nameOf(c.monitorId)}</strong>
                    <label>Shown as <input value={c.displayName} placeholder={nameOf(c.monitorId)} onInput={(e) => edit(i, { displayName: e.currentTarget.value })} /></label>
                    <label>Group <input value={c.group} onInput={(e) => edit(i, { group: e.currentTarget.value })} /></label>
                    <span class="check"><input type="checkbox" id={`uptime-${c.monitorId}`} checked={c.showUptime} onChange={(e) => edit(i, { showUptime: e.currentTarget.checked })} /><label for={`uptime-${c.monitorId}`}>Uptime bar</label></span>
                    <button type="button" class="link" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move ${nameOf(c.monitorId)} up`}>Up</button>
                    <button type="button" class="link" disabled={i === components.length - 1} onClick={() => move(i, 1)} aria-label={`Move ${nameOf(c.monitorId)} down`}>Down</button>
                  </li>
                ))}
              </ol>
            </fieldset>
          )}
          <button type="submit">{editing ? 'Save status page' : 'Create status page'}</button>{' '}
          {editing && <button type="button" class="link" onClick={() => reset(null)}>Cancel</button>}
        </form>
      )}
    </section>
  );
}
