import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, can, type Session } from '../api.js';
import { ASSERTION_OPERATORS, ASSERTION_SOURCES, DNS_MATCH_MODES, DNS_RCODES, DNS_RECORD_TYPES, HTTP_METHODS, MAX_ASSERTIONS, MONITOR_TYPES, emptyForm, formFromMonitor, monitorBody, type AssertionValues, type MonitorFormValues } from '../forms/monitor-form.js';
import type { FieldProblem } from '../forms/problems.js';
import { problemsByField } from '../forms/problems.js';
import { ErrorBox, Field, Loading, described } from '../ui.js';

type Errors = Record<string, string>;

/** Create (no id) or edit a monitor. The API's own field errors land at their fields. */
export function MonitorEditor({ session, id }: { session: Session; id?: string }) {
  const [values, setValues] = useState<MonitorFormValues | null>(null);
  const [base, setBase] = useState<Record<string, unknown> | undefined>(undefined);
  const [regions, setRegions] = useState<string[]>([]);
  const [channels, setChannels] = useState<Array<{ id: string; name: string }>>([]);
  const [policies, setPolicies] = useState<Array<{ id: string; name: string }>>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    (async () => {
      const declared = (await api<{ items: Array<{ name: string }> }>('GET', '/api/regions')).items.map((r) => r.name);
      setRegions(declared);
      if (can(session, 'alert-channels:read')) {
        setChannels((await api<{ items: any[] }>('GET', '/api/alert-channels?limit=100').catch(() => ({ items: [] }))).items);
      }
      if (can(session, 'escalation-policies:read')) {
        setPolicies((await api<{ items: any[] }>('GET', '/api/escalation-policies?limit=100').catch(() => ({ items: [] }))).items);
      }
      if (id) {
        const m = await api<Record<string, unknown>>('GET', `/api/monitors/${encodeURIComponent(id)}`);
        setBase(m);
        setValues(formFromMonitor(m));
      } else {
        setValues(emptyForm(declared));
      }
    })().catch(setFailure);
  }, [id]);

  if (!can(session, 'monitors:write')) return <p>This API key cannot change monitors.</p>;
  if (!values) return failure ? <ErrorBox error={failure} /> : <Loading />;
  const set = <K extends keyof MonitorFormValues>(k: K, v: MonitorFormValues[K]) => setValues({ ...values, [k]: v });
  const text = (k: keyof MonitorFormValues, label: string, opts: { type?: 'text' | 'url'; hint?: string; required?: boolean; inputMode?: 'numeric' } = {}) => (
    <Field id={k} label={label} error={errors[k]} hint={opts.hint}>
      <input {...described(k, errors[k], opts.hint)} type={(opts.type ?? 'text') as 'text'} inputMode={opts.inputMode} required={opts.required} value={values[k] as string}
        onInput={(e) => set(k, e.currentTarget.value as never)} />
    </Field>
  );
  const check = (k: keyof MonitorFormValues, label: string) => (
    <div class="check"><input type="checkbox" id={k} name={k} checked={values[k] as boolean} onChange={(e) => set(k, e.currentTarget.checked as never)} /><label for={k}>{label}</label></div>
  );
  const select = (k: keyof MonitorFormValues, label: string, options: readonly string[]) => (
    <Field id={k} label={label} error={errors[k]}>
      <select {...described(k, errors[k])} value={values[k] as string} onChange={(e) => set(k, e.currentTarget.value as never)}>{options.map((o) => <option key={o}>{o}</option>)}</select>
    </Field>
  );
  const toggle = (k: 'regions' | 'alertChannelIds', item: string, on: boolean) => set(k, on ? [...values[k], item] : values[k].filter((x) => x !== item));

  const submit = async (e: Event) => {
    e.preventDefault();
    setFailure(null);
    const { body, problems: found } = monitorBody(values, base);
    setErrors(problemsByField(found));
    setProblems(found);
    if (found.length) {
      focusFirstError();
      return;
    }
    setBusy(true);
    try {
      const saved = id ? await api<{ id: string }>('PUT', `/api/monitors/${encodeURIComponent(id)}`, body) : await api<{ id: string }>('POST', '/api/monitors', body);
      location.hash = `#/monitors/${encodeURIComponent(saved.id)}`;
    } catch (err) {
      if (err instanceof ApiError && err.details.length) {
        setErrors(problemsByField(err.details));
        setProblems(err.details);
        focusFirstError();
      }
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };
  const t = values.type;
  return (
    <form class="editor" onSubmit={submit} noValidate aria-labelledby="editor-h">
      <p><a href={id ? `#/monitors/${encodeURIComponent(id)}` : '#/monitors'}>← Back</a></p>
      <h1 id="editor-h">{id ? `Edit ${values.name}` : 'New monitor'}</h1>
      <ErrorBox error={failure} />
      <fieldset>
        <legend>What to check</legend>
        {text('name', 'Name', { required: true })}
        <Field id="type" label="Type" error={errors.type}>
          <select {...described('type', errors.type)} value={t} disabled={!!id} onChange={(e) => set('type', e.currentTarget.value as MonitorFormValues['type'])}>
            {MONITOR_TYPES.map((x) => <option key={x}>{x}</option>)}
          </select>
        </Field>
        {t === 'Website' && text('url', 'URL', { type: 'url', required: true, hint: 'http:// or https://' })}
        {(t === 'Port' || t === 'Ping' || t === 'Dns' || t === 'Domain') && text('hostname', 'Hostname', { required: true })}
        {t === 'Port' && text('port', 'Port', { inputMode: 'numeric', required: true })}
        {t === 'Job' && text('cronExpression', 'Cron expression', { hint: 'e.g. 0 3 * * * — or give a period instead' })}
        {t === 'Job' && text('periodSeconds', 'Period (seconds)', { inputMode: 'numeric' })}
        {t === 'Job' && text('timezone', 'Time zone of the cron expression', { hint: 'IANA name, e.g. Europe/Berlin' })}
        {t === 'Job' && text('graceSeconds', 'Grace (seconds)', { inputMode: 'numeric', hint: 'How late a ping may be, and how long a started run may take' })}
        {t === 'Ping' && text('pingCount', 'Echo requests per check', { inputMode: 'numeric' })}
        {t === 'Ping' && text('pingIntervalMs', 'Gap between requests (ms)', { inputMode: 'numeric' })}
        {t === 'Ping' && text('pingTimeoutMs', 'Wait for each reply (ms)', { inputMode: 'numeric' })}
        {t === 'Ping' && text('pingMaxPacketLossPercent', 'Down above this packet loss (%)', { inputMode: 'numeric' })}
        {t === 'Dns' && select('dnsRecordType', 'Record type', DNS_RECORD_TYPES)}
        {t === 'Dns' && text('dnsResolver', 'Resolver', { hint: 'host or host:port; empty = the agent\'s own resolvers' })}
        {t === 'Dns' && (
          <Field id="dnsExpectedValues" label="Expected values" error={errors.dnsExpectedValues} hint="One per line, e.g. 10 mx.example.com for MX; empty = no comparison">
            <textarea {...described('dnsExpectedValues', errors.dnsExpectedValues, 'x')} rows={3} value={values.dnsExpectedValues} onInput={(e) => set('dnsExpectedValues', e.currentTarget.value)} />
          </Field>
        )}
        {t === 'Dns' && select('dnsMatchMode', 'Compare answers', DNS_MATCH_MODES)}
        {t === 'Dns' && select('dnsExpectedRcode', 'Expected response code', DNS_RCODES)}
        {t === 'Domain' && text('domainExpiryWarningDays', 'Warn this many days before the registration expires', { inputMode: 'numeric' })}
      </fieldset>
      {t === 'Website' && (
        <fieldset>
          <legend>Request and response</legend>
          <Field id="httpMethod" label="Method" error={errors.httpMethod}>
            <select {...described('httpMethod', errors.httpMethod)} value={values.httpMethod} onChange={(e) => set('httpMethod', e.currentTarget.value)}>
              {HTTP_METHODS.map((x) => <option key={x}>{x}</option>)}
            </select>
          </Field>
          {text('expectedStatusCode', 'Expected status code', { inputMode: 'numeric' })}
          <Field id="requestHeaders" label="Request headers" error={errors.requestHeaders} hint="One per line: Name: value">
            <textarea {...described('requestHeaders', errors.requestHeaders, 'x')} rows={3} value={values.requestHeaders} onInput={(e) => set('requestHeaders', e.currentTarget.value)} />
          </Field>
          <Field id="requestBody" label="Request body" error={errors.requestBody}>
            <textarea {...described('requestBody', errors.requestBody)} rows={3} value={values.requestBody} onInput={(e) => set('requestBody', e.currentTarget.value)} />
          </Field>
          {text('keyword', 'Keyword', { hint: 'Text the body must contain (or must not, below)' })}
          {check('keywordAbsent', 'The keyword must be absent')}
          {check('followRedirects', 'Follow redirects')}
          {text('maxRedirects', 'Redirects followed at most', { inputMode: 'numeric' })}
          {check('ignoreTlsErrors', 'Ignore TLS certificate errors')}
          {text('sslExpiryWarningDays', 'Warn this many days before the certificate expires', { inputMode: 'numeric', hint: '0 = off' })}
        </fieldset>
      )}
      {t === 'Website' && (
        <Assertions items={values.assertions} problems={problems} error={errors.assertions} onChange={(assertions) => set('assertions', assertions)} />
      )}
      <fieldset>
        <legend>Schedule and alerting</legend>
        {text('intervalSeconds', 'Interval (seconds)', { inputMode: 'numeric', required: true })}
        {text('timeoutSeconds', 'Timeout (seconds)', { inputMode: 'numeric', hint: 'Empty: 30, or the interval when shorter' })}
        {text('failureThreshold', 'Failures before a region is down', { inputMode: 'numeric' })}
        {text('recoveryThreshold', 'Successes before a region is up again', { inputMode: 'numeric' })}
        {text('p95ThresholdMs', 'Degraded above this P95 (ms)', { inputMode: 'numeric', hint: 'Empty: off' })}
        {text('p95WindowSeconds', 'P95 window (seconds)', { inputMode: 'numeric' })}
        {text('regionQuorum', 'Regions that must agree before Down', { inputMode: 'numeric', hint: 'Empty: a majority' })}
        {policies.length > 0 && (
          <Field id="escalationPolicyId" label="Escalation policy" error={errors.escalationPolicyId}>
            <select {...described('escalationPolicyId', errors.escalationPolicyId)} value={values.escalationPolicyId} onChange={(e) => set('escalationPolicyId', e.currentTarget.value)}>
              <option value="">None</option>{policies.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </Field>
        )}
        {check('alertOnDown', 'Alert when down')}
        {check('alertOnRecovered', 'Alert on recovery')}
        <fieldset class={errors.regions ? 'invalid' : ''} aria-describedby={errors.regions ? 'regions-error' : undefined}>
          <legend>Regions</legend>
          {regions.map((r) => (
            <div class="check" key={r}><input type="checkbox" id={`region-${r}`} checked={values.regions.includes(r)} onChange={(e) => toggle('regions', r, e.currentTarget.checked)} /><label for={`region-${r}`}>{r}</label></div>
          ))}
          {errors.regions && <small id="regions-error" class="error" data-field-error="regions">{errors.regions}</small>}
        </fieldset>
        {channels.length > 0 && (
          <fieldset>
            <legend>Alert channels</legend>
            {channels.map((c) => (
              <div class="check" key={c.id}><input type="checkbox" id={`channel-${c.id}`} checked={values.alertChannelIds.includes(c.id)} onChange={(e) => toggle('alertChannelIds', c.id, e.currentTarget.checked)} /><label for={`channel-${c.id}`}>{c.name}</label></div>
            ))}
          </fieldset>
        )}
        {text('tags', 'Tags', { hint: 'Comma-separated' })}
      </fieldset>
      <button type="submit" disabled={busy}>{id ? 'Save' : 'Create monitor'}</button>
    </form>
  );
}

/** Typed assertions on the response: one row each, its problem (from the form or the API) under it. */
function Assertions({ items, problems, error, onChange }: { items: AssertionValues[]; problems: FieldProblem[]; error?: string; onChange: (a: AssertionValues[]) => void }) {
  const edit = (i: number, patch: Partial<AssertionValues>) => onChange(items.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  return (
    <fieldset>
      <legend>Assertions</legend>
      {items.length === 0 && <p class="muted">None: the status code and keyword above decide.</p>}
      {items.map((a, i) => {
        const problem = problems.find((p) => p.field === `/assertions/${i}` || p.field.startsWith(`/assertions/${i}/`))?.message;
        const id = `assertion-${i}`;
        return (
          <div class={`assertion${problem ? ' invalid' : ''}`} key={i} role="group" aria-label={`Assertion ${i + 1}`} aria-describedby={problem ? `${id}-error` : undefined}>
            <label>Source <select value={a.source} onChange={(e) => edit(i, { source: e.currentTarget.value })}>{ASSERTION_SOURCES.map((x) => <option key={x}>{x}</option>)}</select></label>
            {(a.source === 'Header' || a.source === 'JsonPath') && (
              <label>{a.source === 'Header' ? 'Header name' : 'JSONPath'} <input value={a.property} aria-invalid={problem ? 'true' : undefined} onInput={(e) => edit(i, { property: e.currentTarget.value })} /></label>
            )}
            <label>Operator <select value={a.operator} onChange={(e) => edit(i, { operator: e.currentTarget.value })}>{ASSERTION_OPERATORS.map((x) => <option key={x}>{x}</option>)}</select></label>
            {a.operator !== 'Exists' && a.operator !== 'NotExists' && (
              <label>Expected <input value={a.target} aria-invalid={problem ? 'true' : undefined} onInput={(e) => edit(i, { target: e.currentTarget.value })} /></label>
            )}
            <button type="button" class="danger" onClick={() => onChange(items.filter((_, j) => j !== i))} aria-label={`Remove assertion ${i + 1}`}>Remove</button>
            {problem && <small id={`${id}-error`} class="error" data-field-error={id}>{problem}</small>}
          </div>
        );
      })}
      {error && !problems.some((p) => /^\/assertions\/\d/.test(p.field)) && <small class="error" data-field-error="assertions">{error}</small>}
      {items.length < MAX_ASSERTIONS && (
        <button type="button" onClick={() => onChange([...items, { source: 'StatusCode', property: '', operator: 'Equals', target: '200' }])}>Add assertion</button>
      )}
    </fieldset>
  );
}

function focusFirstError(): void {
  requestAnimationFrame(() => (document.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus());
}
