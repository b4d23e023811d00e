import { useState } from 'preact/hooks';
import { can, type Session } from '../api.js';
import { ErrorBox, Field, Loading, described, usePolled } from '../ui.js';
import { CreateCard, DeleteButton, useCreate } from './common.js';

const LIMIT_NAMES: Array<[string, string]> = [
  ['monitors', 'Monitors'], ['apiKeys', 'API keys'], ['alertChannels', 'Alert channels'], ['teams', 'Teams'], ['statusPages', 'Status pages'],
  ['escalationPolicies', 'Escalation policies'], ['maintenanceWindows', 'Maintenance windows'],
];

function Plan() {
  const { data, error } = usePolled<any>('/api/plan', 30000);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  const l = data.limits;
  return (
    <section aria-labelledby="plan-h">
      <h2 id="plan-h">Plan: {data.plan.name}</h2>
      <p class="muted">Organization {data.organization.name}. Shortest interval {l.minIntervalSeconds ?? 'any'} s, results kept {l.retentionDays ?? 'without limit'} days, {l.reportsPerMonth ?? 'unlimited'} SLA reports a month, {l.membersPerTeam ?? 'unlimited'} members per team.</p>
      <div class="table-wrap">
        <table>
          <thead><tr><th scope="col">What</th><th scope="col">Used</th><th scope="col">Limit</th></tr></thead>
          <tbody>
            {LIMIT_NAMES.map(([k, label]) => (
              <tr key={k}><th scope="row">{label}</th><td>{data.usage[k]}</td><td>{l[k] ?? 'unlimited'}{l[k] !== null && <meter min={0} max={l[k]} value={data.usage[k]} aria-label={`${label} used`} />}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Teams({ session }: { session: Session }) {
  const teams = usePolled<{ items: any[] }>('/api/teams?limit=100', 15000);
  const writable = can(session, 'teams:write');
  const [name, setName] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const create = useCreate(() => { setName(''); teams.refresh(); });
  return (
    <section aria-labelledby="teams-h">
      <h2 id="teams-h">Teams</h2>
      <ErrorBox error={teams.error ?? deleteError} />
      {!teams.data ? <Loading /> : teams.data.items.length === 0 ? <p class="muted">No teams yet.</p> : (
        <ul class="plain">
          {teams.data.items.map((t) => (
            <li key={t.id}>
              <button type="button" class="link" aria-expanded={open === t.id} onClick={() => setOpen(open === t.id ? null : t.id)}>{t.name}</button> · {t.memberCount} members
              {writable && <> <DeleteButton label={t.name} path={`/api/teams/${encodeURIComponent(t.id)}`} onDone={teams.refresh} onError={setDeleteError} /></>}
              {open === t.id && <Members session={session} teamId={t.id} onChange={teams.refresh} />}
            </li>
          ))}
        </ul>
      )}
      {writable && (
        <CreateCard title="New team" failure={create.failure} submitLabel="Create team" onSubmit={() => void create.submit('/api/teams', { name: name.trim() }, name.trim() ? {} : { name: 'is required' })}>
          <Field id="team-name" label="Name" error={create.errors.name}><input {...described('team-name', create.errors.name)} value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        </CreateCard>
      )}
    </section>
  );
}

function Members({ session, teamId, onChange }: { session: Session; teamId: string; onChange: () => void }) {
  const path = `/api/teams/${encodeURIComponent(teamId)}/members`;
  const members = usePolled<{ items: any[] }>(`${path}?limit=100`, 15000);
  const writable = can(session, 'teams:write');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const create = useCreate(() => { setName(''); setEmail(''); members.refresh(); onChange(); });
  return (
    <div class="members">
      <ErrorBox error={members.error ?? deleteError} />
      <ul>
        {(members.data?.items ?? []).map((m) => (
          <li key={m.id}>{m.name} &lt;{m.email}&gt; · {m.role}{writable && <> <DeleteButton label={m.name} path={`${path}/${encodeURIComponent(m.id)}`} onDone={() => { members.refresh(); onChange(); }} onError={setDeleteError} /></>}</li>
        ))}
      </ul>
      {writable && (
        <CreateCard title="Add a member" failure={create.failure} submitLabel="Add member" onSubmit={() => {
          const local: Record<string, string> = {};
          if (!name.trim()) local.name = 'is required';
          if (!/^[^@\s]+@[^@\s]+$/.test(email.trim())) local.email = 'is not an email address';
          void create.submit(path, { name: name.trim(), email: email.trim() }, local);
        }}>
          <Field id={`member-name-${teamId}`} label="Name" error={create.errors.name}><input {...described(`member-name-${teamId}`, create.errors.name)} value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
          <Field id={`member-email-${teamId}`} label="Email" error={create.errors.email}><input {...described(`member-email-${teamId}`, create.errors.email)} type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></Field>
        </CreateCard>
      )}
    </div>
  );
}

export function Settings({ session }: { session: Session }) {
  return (
    <section aria-labelledby="settings-h">
      <h1 id="settings-h">Settings</h1>
      {can(session, 'organization:read') && <Plan />}
      {can(session, 'teams:read') && <Teams session={session} />}
      <p><a href="#/keys">API keys</a> · <a href="#/regions">Regions and their agents</a></p>
    </section>
  );
}
