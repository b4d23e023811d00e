import { useState } from 'preact/hooks';
import { can, type Session } from '../api.js';
import { problemUnder } from '../forms/checks.js';
import { ALERT_EVENTS, RULE_MONITOR_TYPES, emptyRule, ruleBody, ruleForm, type RuleFormValues } from '../forms/rule-form.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';
import { Choices, EditorCard, Radios, RowActions, useEditor } from './common.js';

export function useChannels(session: Session) {
  return usePolled<{ items: any[] }>(can(session, 'alert-channels:read') ? '/api/alert-channels?limit=100' : null, 60000);
}

const describeScope = (r: any, monitorName: (id: string) => string) => [
  r.monitorIds ? r.monitorIds.map(monitorName).join(', ') : 'all',
  r.tags.length ? `tags ${r.tags.join(' + ')}` : '',
  r.monitorTypes.length ? `types ${r.monitorTypes.join(', ')}` : '',
].filter(Boolean).join('; ');

export function AlertRules({ session }: { session: Session }) {
  const rules = usePolled<{ items: any[] }>('/api/alert-rules?limit=100', 15000);
  const channels = useChannels(session);
  const monitors = usePolled<{ items: any[] }>(can(session, 'monitors:read') ? '/api/monitors?limit=500' : null, 60000);
  const policies = usePolled<{ items: any[] }>(can(session, 'escalation-policies:read') ? '/api/escalation-policies?limit=100' : null, 60000);
  const writable = can(session, 'alert-rules:write');
  const [values, setValues] = useState<RuleFormValues>(emptyRule);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const editor = useEditor<any>(() => { setValues(emptyRule()); rules.refresh(); });
  const set = (patch: Partial<RuleFormValues>) => setValues({ ...values, ...patch });
  const channelName = new Map<string, string>((channels.data?.items ?? []).map((c) => [c.id, c.name]));
  const monitorNames = new Map<string, string>((monitors.data?.items ?? []).map((m) => [m.id, m.name]));
  const policyName = new Map<string, string>((policies.data?.items ?? []).map((p) => [p.id, p.name]));
  const { errors } = editor;
  const edit = (rule: any | null) => {
    setValues(rule ? ruleForm(rule) : emptyRule());
    editor.setEditing(rule);
  };
  return (
    <section aria-labelledby="rules-h">
      <h1 id="rules-h">Alert rules</h1>
      <ErrorBox error={rules.error ?? deleteError} />
      {!rules.data ? <Loading /> : rules.data.items.length === 0 ? <p class="muted">No rules yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Monitors</th><th scope="col">Events</th><th scope="col">Channels</th><th scope="col">Escalation</th>{writable && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {rules.data.items.map((r) => (
                <tr key={r.id} data-rule-id={r.id}>
                  <th scope="row">{r.name}{!r.enabled && ' (off)'}</th>
                  <td class="wrap">{describeScope(r, (id) => monitorNames.get(id) ?? id)}</td>
                  <td class="wrap">{r.events.join(', ')}</td>
                  <td>{r.channelIds.map((id: string) => channelName.get(id) ?? id).join(', ')}</td>
                  <td>{r.escalationPolicyId ? policyName.get(r.escalationPolicyId) ?? r.escalationPolicyId : '—'}</td>
                  {writable && (
                    <RowActions label={r.name} onEdit={() => edit(r)} deletePath={`/api/alert-rules/${encodeURIComponent(r.id)}`} onDeleted={rules.refresh} onError={setDeleteError} />
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <EditorCard id="rule-form-h" title={editor.editing ? `Edit ${editor.editing.name}` : 'New rule'} failure={editor.failure} formRef={editor.form}
          submitLabel={editor.editing ? 'Save rule' : 'Create rule'} onCancel={editor.editing ? () => edit(null) : undefined} onSubmit={() => {
            const { body, problems } = ruleBody(values);
            void editor.saveIn('/api/alert-rules', body, problems);
          }}>
          <Field id="name" label="Name" error={errors['/name']}><input {...described('name', errors['/name'])} value={values.name} onInput={(e) => set({ name: e.currentTarget.value })} /></Field>
          <div class="check"><input type="checkbox" id="rule-enabled" checked={values.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} /><label for="rule-enabled">Enabled</label></div>
          <Radios id="rule-scope" legend="Monitors" value={values.scope} onChange={(scope) => set({ scope })} options={[['all', 'Every monitor (narrowed by tags and types below)'], ['chosen', 'Only the monitors chosen']]} />
          {values.scope === 'chosen' && (
            <Choices id="monitorIds" legend="Chosen monitors" options={(monitors.data?.items ?? []).map((m) => [m.id, m.name])} chosen={values.monitorIds} onChange={(monitorIds) => set({ monitorIds })} error={problemUnder(errors, '/monitorIds')} />
          )}
          <Field id="tags" label="Only monitors with these tags" error={problemUnder(errors, '/tags')} hint="Comma-separated, all of them; empty = any">
            <input {...described('tags', problemUnder(errors, '/tags'), 'x')} value={values.tags} onInput={(e) => set({ tags: e.currentTarget.value })} />
          </Field>
          <Choices id="monitorTypes" legend="Only monitors of these types (none = any)" options={RULE_MONITOR_TYPES.map((t) => [t, t])} chosen={values.monitorTypes} onChange={(monitorTypes) => set({ monitorTypes })} error={problemUnder(errors, '/monitorTypes')} />
          <Choices id="events" legend="Events" options={ALERT_EVENTS.map((e) => [e, e])} chosen={values.events} onChange={(events) => set({ events })} error={problemUnder(errors, '/events')} />
          <Choices id="channelIds" legend="Channels" options={(channels.data?.items ?? []).map((c) => [c.id, c.name])} chosen={values.channelIds} onChange={(channelIds) => set({ channelIds })} error={problemUnder(errors, '/channelIds')} />
          {policies.data && (
            <Field id="escalationPolicyId" label="Escalation policy" error={errors['/escalationPolicyId']} hint="Started for the incidents of the monitors the rule matches">
              <select {...described('escalationPolicyId', errors['/escalationPolicyId'], 'x')} value={values.escalationPolicyId} onChange={(e) => set({ escalationPolicyId: e.currentTarget.value })}>
                <option value="">None</option>
                {policies.data.items.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
              </select>
            </Field>
          )}
        </EditorCard>
      )}
    </section>
  );
}
