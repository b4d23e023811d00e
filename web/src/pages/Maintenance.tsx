import { useEffect, useState } from 'preact/hooks';
import { api, can, type Session } from '../api.js';
import { problemsByPointer, problemUnder } from '../forms/checks.js';
import { emptyWindow, windowBody, windowForm, type WindowFormValues, type WindowKind, type WindowTarget } from '../forms/maintenance-form.js';
import { viewerTimeZone, when } from '../format.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';
import { Choices, EditorCard, Radios, RowActions, useEditor } from './common.js';

type Preview = typeof import('../forms/occurrences.js');

/** The API's schedule module (rrule, croner), fetched when the page opens: a chunk of its own, not in the first load. */
function usePreviewModule(): Preview | null {
  const [module, setModule] = useState<Preview | null>(null);
  useEffect(() => {
    let live = true;
    import('../forms/occurrences.js').then((m) => { if (live) setModule(m); }, () => undefined);
    return () => { live = false; };
  }, []);
  return module;
}

const schedule = (w: any) => (w.rrule ? `${w.rrule} (${w.timezone}), ${w.durationMinutes} min` : w.cronExpression ? `cron ${w.cronExpression} (${w.timezone}), ${w.durationMinutes} min` : `${when(w.startsAt)} – ${when(w.endsAt)}`);
const targets = (w: any, monitorName: (id: string) => string) => (w.allMonitors ? 'all monitors' : w.monitorIds ? w.monitorIds.map(monitorName).join(', ') : `tags ${w.tags.join(' + ')}`);

export function MaintenanceWindows({ session }: { session: Session }) {
  const windows = usePolled<{ items: any[] }>('/api/maintenance-windows?limit=100', 10000);
  const monitors = usePolled<{ items: any[] }>(can(session, 'monitors:read') ? '/api/monitors?limit=500' : null, 60000);
  const writable = can(session, 'maintenance-windows:write');
  const [values, setValues] = useState<WindowFormValues>(() => emptyWindow(viewerTimeZone));
  const [failure, setFailure] = useState<unknown>(null);
  const editor = useEditor<any>(() => { setValues(emptyWindow(viewerTimeZone)); windows.refresh(); });
  const preview = usePreviewModule();
  const set = (patch: Partial<WindowFormValues>) => setValues({ ...values, ...patch });
  const monitorNames = new Map<string, string>((monitors.data?.items ?? []).map((m) => [m.id, m.name]));
  const act = async (path: string) => {
    setFailure(null);
    try {
      await api('POST', path, {});
      windows.refresh();
    } catch (e) {
      setFailure(e);
    }
  };
  const edit = (w: any | null) => {
    setValues(w ? windowForm(w) : emptyWindow(viewerTimeZone));
    editor.setEditing(w);
  };
  const { body, problems } = windowBody(values);
  const anchorFallback = editor.editing ? Date.parse(editor.editing.createdAt) : Date.now();
  const upcoming = writable && preview && problems.length === 0 ? preview.schedulePreview(body, Date.now(), anchorFallback) : null;
  const { errors } = editor;
  const recurring = values.kind !== 'once';
  return (
    <section aria-labelledby="mw-h">
      <h1 id="mw-h">Maintenance windows</h1>
      <ErrorBox error={windows.error ?? failure} />
      {!windows.data ? <Loading /> : windows.data.items.length === 0 ? <p class="muted">No maintenance windows yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Mode</th><th scope="col">Schedule</th><th scope="col">Monitors</th><th scope="col">In force</th><th scope="col">Next start</th>{writable && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {windows.data.items.map((w) => (
                <tr key={w.id} data-window-id={w.id}>
                  <th scope="row">{w.name}</th><td>{w.mode}</td><td class="wrap">{schedule(w)}</td><td class="wrap">{targets(w, (id) => monitorNames.get(id) ?? id)}</td>
                  <td>{w.active ? `until ${when(w.currentEnd)}` : 'no'}</td><td>{when(w.nextStart)}</td>
                  {writable && (
                    <RowActions label={w.name} onEdit={() => edit(w)} deletePath={`/api/maintenance-windows/${encodeURIComponent(w.id)}`} onDeleted={windows.refresh} onError={setFailure}>
                      {w.active
                        ? <button type="button" onClick={() => act(`/api/maintenance-windows/${encodeURIComponent(w.id)}/end`)} aria-label={`End now: ${w.name}`}>End now</button>
                        : <button type="button" onClick={() => act(`/api/maintenance-windows/${encodeURIComponent(w.id)}/start`)} aria-label={`Start now: ${w.name}`}>Start now</button>}
                    </RowActions>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <EditorCard id="mw-form-h" title={editor.editing ? `Edit ${editor.editing.name}` : 'New maintenance window'} failure={editor.failure} formRef={editor.form}
          submitLabel={editor.editing ? 'Save window' : 'Create window'} onCancel={editor.editing ? () => edit(null) : undefined} onSubmit={() => {
            // The schedule's own problems (a rule that never fires), as the API's schedule module finds them.
            const scheduleProblems = problems.length === 0 && preview ? preview.schedulePreview(body, Date.now(), anchorFallback).problems : [];
            void editor.saveIn('/api/maintenance-windows', body, [...problems, ...scheduleProblems]);
          }}>
          <Field id="name" label="Name" error={errors['/name']}><input {...described('name', errors['/name'])} value={values.name} onInput={(e) => set({ name: e.currentTarget.value })} /></Field>
          <Field id="mode" label="Mode" error={errors['/mode']} hint="mute: checks go on, no alerts; pause: no checks">
            <select {...described('mode', errors['/mode'], 'x')} value={values.mode} onChange={(e) => set({ mode: e.currentTarget.value as WindowFormValues['mode'] })}><option>mute</option><option>pause</option></select>
          </Field>
          <Radios<WindowKind> id="mw-kind" legend="Schedule" value={values.kind} onChange={(kind) => set({ kind })} options={[['once', 'Once'], ['rrule', 'Recurring (RRULE)'], ['cron', 'Recurring (cron)']]} />
          <Field id="startsAt" label={values.kind === 'once' ? 'Starts (your time zone)' : values.kind === 'rrule' ? 'First occurrence (your time zone; anchors the rule\'s time of day)' : 'Not before (your time zone, optional)'} error={errors['/startsAt']}>
            <input {...described('startsAt', errors['/startsAt'])} type="datetime-local" value={values.startsAt} onInput={(e) => set({ startsAt: e.currentTarget.value })} />
          </Field>
          {values.kind === 'once' ? (
            <Field id="endsAt" label="Lasts (minutes)" error={errors['/endsAt']}><input {...described('endsAt', errors['/endsAt'])} inputMode="numeric" value={values.minutes} onInput={(e) => set({ minutes: e.currentTarget.value })} /></Field>
          ) : (
            <>
              {values.kind === 'rrule' ? (
                <Field id="rrule" label="Repeats (RRULE)" error={problemUnder(errors, '/rrule')} hint="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0 or FREQ=MONTHLY;BYDAY=1SA">
                  <input {...described('rrule', problemUnder(errors, '/rrule'), 'x')} value={values.rrule} onInput={(e) => set({ rrule: e.currentTarget.value })} spellcheck={false} />
                </Field>
              ) : (
                <Field id="cronExpression" label="Cron expression" error={problemUnder(errors, '/cronExpression')} hint="minute hour day month weekday, e.g. 0 2 * * 0 (Sundays at 02:00)">
                  <input {...described('cronExpression', problemUnder(errors, '/cronExpression'), 'x')} value={values.cronExpression} onInput={(e) => set({ cronExpression: e.currentTarget.value })} spellcheck={false} />
                </Field>
              )}
              <Field id="durationMinutes" label="Each lasts (minutes)" error={errors['/durationMinutes']}><input {...described('durationMinutes', errors['/durationMinutes'])} inputMode="numeric" value={values.minutes} onInput={(e) => set({ minutes: e.currentTarget.value })} /></Field>
              <Field id="timezone" label="Time zone of the rule" error={errors['/timezone']} hint="IANA name, e.g. Europe/Berlin">
                <input {...described('timezone', errors['/timezone'], 'x')} value={values.timezone} onInput={(e) => set({ timezone: e.currentTarget.value })} />
              </Field>
              <Field id="until" label="Until (your time zone, optional)" error={errors['/endsAt']}>
                <input {...described('until', errors['/endsAt'])} type="datetime-local" value={values.until} onInput={(e) => set({ until: e.currentTarget.value })} />
              </Field>
            </>
          )}
          <div class="preview" aria-live="polite" id="mw-preview">
            {recurring && !preview && <p class="muted">Loading the preview…</p>}
            {upcoming && upcoming.problems.length > 0 && <p class="error">{Object.entries(problemsByPointer(upcoming.problems)).map(([f, m]) => `${f.slice(1)} ${m}`).join('; ')}</p>}
            {upcoming && upcoming.problems.length === 0 && recurring && (upcoming.starts.length === 0 ? <p class="muted">No occurrence ahead.</p> : (
              <>
                <p class="preview-h">Next occurrences (your time zone):</p>
                <ol class="plain">{upcoming.starts.map((t) => <li key={t}>{when(new Date(t).toISOString())}</li>)}</ol>
              </>
            ))}
          </div>
          <Radios<WindowTarget> id="mw-target" legend="Monitors" value={values.target} onChange={(target) => set({ target })} options={[['all', 'All monitors'], ['tags', 'Monitors with tags'], ['monitors', 'Chosen monitors']]} />
          {values.target === 'tags' && (
            <Field id="tags" label="Monitors with these tags" error={problemUnder(errors, '/tags')} hint="Comma-separated, all of them">
              <input {...described('tags', problemUnder(errors, '/tags'), 'x')} value={values.tags} onInput={(e) => set({ tags: e.currentTarget.value })} />
            </Field>
          )}
          {values.target === 'monitors' && (
            <Choices id="monitorIds" legend="Chosen monitors" options={(monitors.data?.items ?? []).map((m) => [m.id, m.name])} chosen={values.monitorIds} onChange={(monitorIds) => set({ monitorIds })} error={problemUnder(errors, '/monitorIds')} />
          )}
        </EditorCard>
      )}
    </section>
  );
}
