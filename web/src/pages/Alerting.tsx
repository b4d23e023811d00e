import { useState } from 'preact/hooks';
import { api, can, type Session } from '../api.js';
import { when } from '../format.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';
import { Choices, CreateCard, DeleteButton, useCreate } from './common.js';

const EVENTS = ['monitor.down', 'monitor.up', 'monitor.degraded', 'monitor.ssl_expiring', 'incident.created', 'incident.resolved', 'incident.acknowledged', 'incident.updated', 'incident.escalated'];

function useChannels(session: Session) {
  return usePolled<{ items: any[] }>(can(session, 'alert-channels:read') ? '/api/alert-channels?limit=100' : null, 60000);
}

export function AlertRules({ session }: { session: Session }) {
  const rules = usePolled<{ items: any[] }>('/api/alert-rules?limit=100', 15000);
  const channels = useChannels(session);
  const writable = can(session, 'alert-rules:write');
  const [name, setName] = useState('');
  const [tags, setTags] = useState('');
  const [events, setEvents] = useState<string[]>(['monitor.down', 'monitor.up']);
  const [channelIds, setChannelIds] = useState<string[]>([]);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const create = useCreate(() => { setName(''); setTags(''); rules.refresh(); });
  const channelName = new Map((channels.data?.items ?? []).map((c) => [c.id, c.name]));
  return (
    <section aria-labelledby="rules-h">
      <h1 id="rules-h">Alert rules</h1>
      <ErrorBox error={rules.error ?? deleteError} />
      {!rules.data ? <Loading /> : rules.data.items.length === 0 ? <p class="muted">No rules yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Monitors</th><th scope="col">Events</th><th scope="col">Channels</th>{writable && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {rules.data.items.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.name}{!r.enabled && ' (off)'}</th>
                  <td>{r.monitorIds ? `${r.monitorIds.length} chosen` : 'all'}{r.tags.length ? `, tags ${r.tags.join(' + ')}` : ''}</td>
                  <td class="wrap">{r.events.join(', ')}</td>
                  <td>{r.channelIds.map((id: string) => channelName.get(id) ?? id).join(', ')}</td>
                  {writable && <td><DeleteButton label={r.name} path={`/api/alert-rules/${encodeURIComponent(r.id)}`} onDone={rules.refresh} onError={setDeleteError} /></td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <CreateCard title="New rule" failure={create.failure} submitLabel="Create rule" onSubmit={() => {
          const local: Record<string, string> = {};
          if (!name.trim()) local.name = 'is required';
          if (channelIds.length === 0) local.channelIds = 'choose at least one channel';
          if (events.length === 0) local.events = 'choose at least one event';
          void create.submit('/api/alert-rules', { name: name.trim(), tags: tags.split(',').map((t) => t.trim()).filter(Boolean), events, channelIds }, local);
        }}>
          <Field id="name" label="Name" error={create.errors.name}><input {...described('name', create.errors.name)} value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
          <Field id="tags" label="Only monitors with these tags" error={create.errors.tags} hint="Comma-separated; empty = every monitor">
            <input {...described('tags', create.errors.tags, 'x')} value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
          </Field>
          <Choices id="events" legend="Events" options={EVENTS.map((e) => [e, e])} chosen={events} onChange={setEvents} error={create.errors.events} />
          <Choices id="channelIds" legend="Channels" options={(channels.data?.items ?? []).map((c) => [c.id, c.name])} chosen={channelIds} onChange={setChannelIds} error={create.errors.channelIds} />
        </CreateCard>
      )}
    </section>
  );
}

export function EscalationPolicies({ session }: { session: Session }) {
  const policies = usePolled<{ items: any[] }>('/api/escalation-policies?limit=100', 15000);
  const channels = useChannels(session);
  const writable = can(session, 'escalation-policies:write');
  const [name, setName] = useState('');
  const [delay, setDelay] = useState('0');
  const [channelIds, setChannelIds] = useState<string[]>([]);
  const [repeat, setRepeat] = useState('0');
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const create = useCreate(() => { setName(''); policies.refresh(); });
  const channelName = new Map((channels.data?.items ?? []).map((c) => [c.id, c.name]));
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
                <tr key={p.id}>
                  <th scope="row">{p.name}</th>
                  <td><ol class="plain">{p.steps.map((s: any, i: number) => <li key={i}>after {s.delayMinutes} min: {[...s.channelIds.map((id: string) => channelName.get(id) ?? id), ...s.memberIds].join(', ')}</li>)}</ol></td>
                  <td>{p.repeatCount}</td>
                  {writable && <td><DeleteButton label={p.name} path={`/api/escalation-policies/${encodeURIComponent(p.id)}`} onDone={policies.refresh} onError={setDeleteError} /></td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <CreateCard title="New policy (one step)" failure={create.failure} submitLabel="Create policy" onSubmit={() => {
          const local: Record<string, string> = {};
          if (!name.trim()) local.name = 'is required';
          if (!/^\d+$/.test(delay)) local.steps = 'the delay is a whole number of minutes';
          if (channelIds.length === 0) local.steps = 'choose at least one channel';
          void create.submit('/api/escalation-policies', { name: name.trim(), steps: [{ delayMinutes: Number(delay), channelIds }], repeatCount: Number(repeat) || 0 }, local);
        }}>
          <Field id="name" label="Name" error={create.errors.name}><input {...described('name', create.errors.name)} value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
          <Field id="steps" label="Minutes unacknowledged before this step" error={create.errors.steps}><input {...described('steps', create.errors.steps)} inputMode="numeric" value={delay} onInput={(e) => setDelay(e.currentTarget.value)} /></Field>
          <Choices id="step-channels" legend="Notify" options={(channels.data?.items ?? []).map((c) => [c.id, c.name])} chosen={channelIds} onChange={setChannelIds} />
          <Field id="repeatCount" label="Repeat the steps this many more times" error={create.errors.repeatCount}><input {...described('repeatCount', create.errors.repeatCount)} inputMode="numeric" value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} /></Field>
        </CreateCard>
      )}
    </section>
  );
}

export function MaintenanceWindows({ session }: { session: Session }) {
  const windows = usePolled<{ items: any[] }>('/api/maintenance-windows?limit=100', 10000);
  const writable = can(session, 'maintenance-windows:write');
  const [name, setName] = useState('');
  const [mode, setMode] = useState('mute');
  const [startsAt, setStartsAt] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [tags, setTags] = useState('');
  const [failure, setFailure] = useState<unknown>(null);
  const create = useCreate(() => { setName(''); windows.refresh(); });
  const act = async (path: string) => {
    setFailure(null);
    try {
      await api('POST', path, {});
      windows.refresh();
    } catch (e) {
      setFailure(e);
    }
  };
  return (
    <section aria-labelledby="mw-h">
      <h1 id="mw-h">Maintenance windows</h1>
      <ErrorBox error={windows.error ?? failure} />
      {!windows.data ? <Loading /> : windows.data.items.length === 0 ? <p class="muted">No maintenance windows yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">Name</th><th scope="col">Mode</th><th scope="col">In force</th><th scope="col">Next start</th>{writable && <th scope="col">Actions</th>}</tr></thead>
            <tbody>
              {windows.data.items.map((w) => (
                <tr key={w.id}>
                  <th scope="row">{w.name}</th><td>{w.mode}</td><td>{w.active ? `until ${when(w.currentEnd)}` : 'no'}</td><td>{when(w.nextStart)}</td>
                  {writable && (
                    <td>
                      {w.active
                        ? <button type="button" onClick={() => act(`/api/maintenance-windows/${encodeURIComponent(w.id)}/end`)} aria-label={`End now: ${w.name}`}>End now</button>
                        : <button type="button" onClick={() => act(`/api/maintenance-windows/${encodeURIComponent(w.id)}/start`)} aria-label={`Start now: ${w.name}`}>Start now</button>}{' '}
                      <DeleteButton label={w.name} path={`/api/maintenance-windows/${encodeURIComponent(w.id)}`} onDone={windows.refresh} onError={setFailure} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {writable && (
        <CreateCard title="New maintenance window" failure={create.failure} submitLabel="Create window" onSubmit={() => {
          const local: Record<string, string> = {};
          if (!name.trim()) local.name = 'is required';
          const start = startsAt ? new Date(startsAt) : null;
          if (!start || Number.isNaN(start.getTime())) local.startsAt = 'choose when it starts';
          if (!/^\d+$/.test(minutes) || Number(minutes) < 1) local.endsAt = 'a whole number of minutes';
          const tagList = tags.split(',').map((t) => t.trim()).filter(Boolean);
          const scope = tagList.length ? { tags: tagList } : { allMonitors: true };
          void create.submit('/api/maintenance-windows', {
            name: name.trim(), mode, startsAt: start?.toISOString(), endsAt: start ? new Date(start.getTime() + Number(minutes) * 60_000).toISOString() : undefined, ...scope,
          }, local);
        }}>
          <Field id="name" label="Name" error={create.errors.name}><input {...described('name', create.errors.name)} value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
          <Field id="mode" label="Mode" error={create.errors.mode} hint="mute: checks go on, no alerts; pause: no checks">
            <select {...described('mode', create.errors.mode, 'x')} value={mode} onChange={(e) => setMode(e.currentTarget.value)}><option>mute</option><option>pause</option></select>
          </Field>
          <Field id="startsAt" label="Starts (your time zone)" error={create.errors.startsAt}><input {...described('startsAt', create.errors.startsAt)} type="datetime-local" value={startsAt} onInput={(e) => setStartsAt(e.currentTarget.value)} /></Field>
          <Field id="endsAt" label="Lasts (minutes)" error={create.errors.endsAt}><input {...described('endsAt', create.errors.endsAt)} inputMode="numeric" value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} /></Field>
          <Field id="tags" label="Monitors with these tags" error={create.errors.tags} hint="Comma-separated; empty = every monitor">
            <input {...described('tags', create.errors.tags, 'x')} value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
          </Field>
        </CreateCard>
      )}
    </section>
  );
}
