import { useEffect, useState } from 'preact/hooks';
import { api, can, type Session } from '../api.js';
import { problemUnder } from '../forms/checks.js';
import { MAX_STEPS, emptyPolicy, emptyStep, memberOptions, moveStep, policyBody, policyForm, stepRecipients, type PolicyFormValues, type StepValues, type TeamMembers } from '../forms/escalation-form.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';
import { Choices, EditorCard, RowActions, useEditor } from './common.js';
import { useChannels } from './AlertRules.js';

/**
 * The organization's teams with their members (with `teams:read`; null until read, [] without
 * the scope). Read again when a team's member count changes.
 */
function useTeamMembers(session: Session): TeamMembers[] | null {
  const readable = can(session, 'teams:read');
  const teams = usePolled<{ items: Array<{ id: string; name: string; memberCount: number }> }>(readable ? '/api/teams' : null, 60000, true);
  const [result, setResult] = useState<TeamMembers[] | null>(readable ? null : []);
  const key = (teams.data?.items ?? []).map((t) => `${t.id}:${t.memberCount}:${t.name}`).join(',');
  useEffect(() => {
    if (!teams.data) return undefined;
    let stopped = false;
    void Promise.all(teams.data.items.map(async (team) => {
      const r = await api<{ items: TeamMembers['members'] }>('GET', `/api/teams/${encodeURIComponent(team.id)}/members?limit=500`).catch(() => ({ items: [] }));
      return { team, members: r.items };
    })).then((all) => { if (!stopped) setResult(all); });
    return () => { stopped = true; };
  }, [key, teams.data !== null]);
  // Teams unreadable (an error answer): the steps' members are listed by id.
  return result ?? (teams.error ? [] : null);
}

export function EscalationPolicies({ session }: { session: Session }) {
  const policies = usePolled<{ items: any[] }>('/api/escalation-policies?limit=100', 15000);
  const channels = useChannels(session);
  const teams = useTeamMembers(session);
  const writable = can(session, 'escalation-policies:write');
  const [values, setValues] = useState<PolicyFormValues>(emptyPolicy);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const editor = useEditor<any>(() => { setValues(emptyPolicy()); policies.refresh(); });
  const channelName = new Map<string, string>((channels.data?.items ?? []).map((c) => [c.id, c.name]));
  const { errors } = editor;
  const edit = (policy: any | null) => {
    setValues(policy ? policyForm(policy) : emptyPolicy());
    editor.setEditing(policy);
  };
  const setStep = (i: number, patch: Partial<StepValues>) => setValues({ ...values, steps: values.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const setSteps = (steps: StepValues[]) => setValues({ ...values, steps });
  const memberById = new Map((teams ?? []).flatMap((t) => t.members.map((m) => [m.id, m] as const)));
  const stepText = (s: any) => stepRecipients(s, (id) => channelName.get(id) ?? id, memberById);
  return (
    <section aria-labelledby="esc-h">
      <h1 id="esc-h">Escalation policies</h1>
      <ErrorBox error={policies.error ?? deleteError} />
      {!policies.data ? <Loading /> : policies.data.items.length === 0 ? <p class="muted">No policies yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Steps</th><th scope="col">Repeats</th>{writable && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {policies.data.items.map((p) => (
                <tr key={p.id} data-policy-id={p.id}>
                  <th scope="row">{p.name}</th>
                  <td><ol class="plain">{p.steps.map((s: any, i: number) => <li key={i}>after {s.delayMinutes} min: {stepText(s)}</li>)}</ol></td>
                  <td>{p.repeatCount}</td>
                  {writable && (
                    <RowActions label={p.name} onEdit={() => edit(p)} deletePath={`/api/escalation-policies/${encodeURIComponent(p.id)}`} onDeleted={policies.refresh} onError={setDeleteError} />
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <EditorCard id="esc-form-h" title={editor.editing ? `Edit ${editor.editing.name}` : 'New policy'} failure={editor.failure} formRef={editor.form}
          submitLabel={editor.editing ? 'Save policy' : 'Create policy'} onCancel={editor.editing ? () => edit(null) : undefined} onSubmit={() => {
            const { body, problems } = policyBody(values);
            void editor.saveIn('/api/escalation-policies', body, problems);
          }}>
          <Field id="name" label="Name" error={errors['/name']}><input {...described('name', errors['/name'])} value={values.name} onInput={(e) => setValues({ ...values, name: e.currentTarget.value })} /></Field>
          {errors['/steps'] && <p class="error" data-field-error="steps">{errors['/steps']}</p>}
          <ol class="steps">
            {values.steps.map((s, i) => {
              const n = i + 1;
              const delayError = problemUnder(errors, `/steps/${i}/delayMinutes`);
              const stepError = problemUnder(errors, `/steps/${i}/channelIds`) ?? errors[`/steps/${i}`];
              return (
                <li key={i}>
                  <fieldset class="step">
                    <legend>Step {n}</legend>
                    <Field id={`step-${i}-delay`} label={i === 0 ? 'Minutes after the incident opens' : `Minutes unacknowledged after step ${i}`} error={delayError}>
                      <input {...described(`step-${i}-delay`, delayError)} inputMode="numeric" value={s.delayMinutes} onInput={(e) => setStep(i, { delayMinutes: e.currentTarget.value })} />
                    </Field>
                    <Choices id={`step-${i}-channels`} legend="Notify channels" options={(channels.data?.items ?? []).map((c) => [c.id, c.name])} chosen={s.channelIds} onChange={(channelIds) => setStep(i, { channelIds })} error={stepError} />
                    {teams === null ? <Loading /> : (
                      <Choices id={`step-${i}-members`} legend="Email team members" options={memberOptions(teams, s.memberIds).map((m) => [m.id, m.label])} chosen={s.memberIds}
                        onChange={(memberIds) => setStep(i, { memberIds })} error={problemUnder(errors, `/steps/${i}/memberIds`)}
                        empty={can(session, 'teams:read') ? 'No team members yet (Settings → Teams).' : 'Team members are not readable with this key (teams:read).'} />
                    )}
                    <div class="actions">
                      <button type="button" class="link" disabled={i === 0} onClick={() => setSteps(moveStep(values.steps, i, -1))} aria-label={`Move up: step ${n}`}>Move up</button>
                      <button type="button" class="link" disabled={i === values.steps.length - 1} onClick={() => setSteps(moveStep(values.steps, i, 1))} aria-label={`Move down: step ${n}`}>Move down</button>
                      <button type="button" class="link" disabled={values.steps.length === 1} onClick={() => setSteps(values.steps.filter((_, j) => j !== i))} aria-label={`Remove step ${n}`}>Remove</button>
                    </div>
                  </fieldset>
                </li>
              );
            })}
          </ol>
          <p><button type="button" disabled={values.steps.length >= MAX_STEPS} onClick={() => setSteps([...values.steps, emptyStep(values.steps.length ? '15' : '0')])}>Add step</button></p>
          <Field id="repeatCount" label="Repeat the steps this many more times" error={errors['/repeatCount']} hint="0 to 10; while the incident stays unacknowledged">
            <input {...described('repeatCount', errors['/repeatCount'], 'x')} inputMode="numeric" value={values.repeatCount} onInput={(e) => setValues({ ...values, repeatCount: e.currentTarget.value })} />
          </Field>
        </EditorCard>
      )}
    </section>
  );
}
