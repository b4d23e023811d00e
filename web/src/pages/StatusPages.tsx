import { useState } from 'preact/hooks';
import { can, type Session } from '../api.js';
import { problemUnder } from '../forms/checks.js';
import { PASSWORD_MIN, emptyStatusPage, statusPageBody, statusPageForm, type ComponentValues, type StatusPageFormValues } from '../forms/status-page-form.js';
import { moveStep } from '../forms/escalation-form.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';
import { Choices, EditorCard, Radios, RowActions, useEditor } from './common.js';

export function StatusPages({ session }: { session: Session }) {
  const pages = usePolled<{ items: any[] }>('/api/status-pages?limit=100', 15000);
  const monitors = usePolled<{ items: any[] }>(can(session, 'monitors:read') ? '/api/monitors?limit=500' : null, 60000);
  const writable = can(session, 'status-pages:write');
  const [values, setValues] = useState<StatusPageFormValues>(emptyStatusPage);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const editor = useEditor<any>(() => { setValues(emptyStatusPage()); pages.refresh(); });
  const names = new Map<string, string>((monitors.data?.items ?? []).map((m) => [m.id, m.name]));
  const nameOf = (id: string) => names.get(id) ?? id;
  const set = (patch: Partial<StatusPageFormValues>) => setValues({ ...values, ...patch });
  const { errors } = editor;
  const edit = (page: any | null) => {
    setValues(page ? statusPageForm(page, (id) => names.get(id)) : emptyStatusPage());
    editor.setEditing(page);
  };
  const components = values.components;
  const choose = (ids: string[]) => set({
    components: [
      ...components.filter((c) => ids.includes(c.monitorId)),
      ...ids.filter((id) => !components.some((c) => c.monitorId === id)).map((monitorId) => ({ monitorId, displayName: '', group: '', showUptime: true })),
    ],
  });
  const editComponent = (i: number, patch: Partial<ComponentValues>) => set({ components: components.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  const protectedNow = editor.editing?.visibility === 'password';

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
                  <td>
                    <a href={`/status/${encodeURIComponent(p.slug)}`} target="_blank" rel="noopener">/status/{p.slug}</a>
                    {p.customDomain && <><br /><span class="muted">also at </span><code>{p.customDomain}</code></>}
                  </td>
                  <td>{p.components.map((c: any) => c.displayName).join(', ')}</td>
                  <td>{p.visibility === 'password' ? 'password' : 'public'}</td>
                  {writable && (
                    <RowActions label={p.title} onEdit={() => edit(p)} deletePath={`/api/status-pages/${encodeURIComponent(p.id)}`} onDeleted={pages.refresh} onError={setDeleteError} />
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <EditorCard id="sp-form-h" title={editor.editing ? `Edit ${editor.editing.title}` : 'New status page'} failure={editor.failure} formRef={editor.form}
          submitLabel={editor.editing ? 'Save status page' : 'Create status page'} onCancel={editor.editing ? () => edit(null) : undefined} onSubmit={() => {
            const { body, problems } = statusPageBody(values, editor.editing);
            void editor.saveIn('/api/status-pages', body, problems);
          }}>
          <Field id="title" label="Title" error={errors['/title']}><input {...described('title', errors['/title'])} value={values.title} onInput={(e) => set({ title: e.currentTarget.value })} /></Field>
          <Field id="slug" label="Address" error={errors['/slug']} hint="The page is served at /status/{address}">
            <input {...described('slug', errors['/slug'], 'x')} value={values.slug} onInput={(e) => set({ slug: e.currentTarget.value })} />
          </Field>
          <Field id="description" label="Description" error={errors['/description']}>
            <textarea {...described('description', errors['/description'])} rows={2} value={values.description} onInput={(e) => set({ description: e.currentTarget.value })} />
          </Field>
          <Field id="customDomain" label="Custom domain (optional)" error={errors['/customDomain']} hint="e.g. status.example.com: point its DNS at this server; requests for it get the page at /">
            <input {...described('customDomain', errors['/customDomain'], 'x')} value={values.customDomain} onInput={(e) => set({ customDomain: e.currentTarget.value })} spellcheck={false} />
          </Field>
          <Radios id="sp-visibility" legend="Who can see it" value={values.visibility} onChange={(visibility) => set({ visibility, password: '' })} options={[['public', 'Anyone'], ['password', 'Visitors with the password']]} />
          {values.visibility === 'password' && (
            <Field id="password" label={protectedNow ? 'New password (empty keeps the current one)' : 'Password'} error={errors['/password']} hint={`At least ${PASSWORD_MIN} characters. Stored hashed; it cannot be shown again.`}>
              <input {...described('password', errors['/password'], 'x')} type="password" autocomplete="new-password" value={values.password} onInput={(e) => set({ password: e.currentTarget.value })} />
            </Field>
          )}
          <Choices id="components" legend="Monitors shown" options={(monitors.data?.items ?? []).map((m) => [m.id, m.name])} chosen={components.map((c) => c.monitorId)} onChange={choose} error={problemUnder(errors, '/components')} />
          {components.length > 0 && (
            <fieldset>
              <legend>Arrangement (top to bottom)</legend>
              <ol class="order">
                {components.map((c, i) => (
                  <li key={c.monitorId} class="component-row">
                    <strong>{nameOf(c.monitorId)}</strong>
                    <label>Shown as <input value={c.displayName} placeholder={nameOf(c.monitorId)} onInput={(e) => editComponent(i, { displayName: e.currentTarget.value })} /></label>
                    <label>Group <input value={c.group} onInput={(e) => editComponent(i, { group: e.currentTarget.value })} /></label>
                    <span class="check"><input type="checkbox" id={`uptime-${c.monitorId}`} checked={c.showUptime} onChange={(e) => editComponent(i, { showUptime: e.currentTarget.checked })} /><label for={`uptime-${c.monitorId}`}>Uptime bar</label></span>
                    <button type="button" class="link" disabled={i === 0} onClick={() => set({ components: moveStep(components, i, -1) })} aria-label={`Move ${nameOf(c.monitorId)} up`}>Up</button>
                    <button type="button" class="link" disabled={i === components.length - 1} onClick={() => set({ components: moveStep(components, i, 1) })} aria-label={`Move ${nameOf(c.monitorId)} down`}>Down</button>
                  </li>
                ))}
              </ol>
            </fieldset>
          )}
          {editor.editing && <p><a href={`/status/${encodeURIComponent(editor.editing.slug)}`} target="_blank" rel="noopener">Preview the saved page</a></p>}
        </EditorCard>
      )}
    </section>
  );
}
