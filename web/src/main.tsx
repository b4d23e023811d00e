import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import './styles.css';
import { api, can, useSession, type Session } from './api.js';
import { viewerTimeZone } from './format.js';
import { SignIn } from './pages/SignIn.js';
import { MonitorList } from './pages/MonitorList.js';
import { MonitorPage } from './pages/MonitorPage.js';
import { MonitorEditor } from './pages/MonitorEditor.js';
import { IncidentList, IncidentPage } from './pages/Incidents.js';
import { AlertChannels } from './pages/AlertChannels.js';
import { ApiKeys } from './pages/ApiKeys.js';
import { Regions } from './pages/Regions.js';
import { StatusPages } from './pages/StatusPages.js';
import { AlertRules } from './pages/AlertRules.js';
import { EscalationPolicies } from './pages/EscalationPolicies.js';
import { MaintenanceWindows } from './pages/Maintenance.js';
import { Settings } from './pages/Settings.js';
import { ThemeChoice, applyTheme, storedTheme } from './theme.js';

// Before the first render, so a chosen theme does not flash the system's first.
applyTheme(storedTheme());

/** Routes live in the fragment (#/monitors/…): the server serves one page at `/`. */
function useRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'monitors').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}


const NAV: Array<[string, string, string]> = [
  ['monitors', 'Monitors', 'monitors:read'],
  ['incidents', 'Incidents', 'incidents:read'],
  ['alert-channels', 'Alert channels', 'alert-channels:read'],
  ['alert-rules', 'Rules', 'alert-rules:read'],
  ['escalation-policies', 'Escalation', 'escalation-policies:read'],
  ['maintenance', 'Maintenance', 'maintenance-windows:read'],
  ['status-pages', 'Status pages', 'status-pages:read'],
  ['keys', 'API keys', 'keys:read'],
  ['regions', 'Regions', 'monitors:read'],
  ['settings', 'Settings', ''],
];

function Page({ session, route }: { session: Session; route: string[] }) {
  const [section, id, sub] = route;
  // Moving to another page moves focus to its content (as a page load would reset it); the first page keeps the browser's own start.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById('main')?.focus();
  }, [section, id, sub]);
  switch (section) {
    case 'monitors':
      if (id === 'new') return <MonitorEditor session={session} />;
      if (id && sub === 'edit') return <MonitorEditor session={session} id={id} />;
      if (id) return <MonitorPage session={session} id={id} />;
      return <MonitorList session={session} />;
    case 'incidents':
      return id ? <IncidentPage session={session} id={id} /> : <IncidentList session={session} />;
    case 'alert-channels':
      return <AlertChannels session={session} />;
    case 'keys':
      return <ApiKeys session={session} />;
    case 'regions':
      return <Regions />;
    case 'alert-rules':
      return <AlertRules session={session} />;
    case 'escalation-policies':
      return <EscalationPolicies session={session} />;
    case 'maintenance':
      return <MaintenanceWindows session={session} />;
    case 'status-pages':
      return <StatusPages session={session} />;
    case 'settings':
      return <Settings session={session} />;
    default:
      return <p>Nothing here. <a href="#/monitors">Monitors</a></p>;
  }
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();
  useSession(session ?? null, () => setSession(null));
  useEffect(() => {
    api<Session>('GET', '/api/session').then(setSession, () => setSession(null));
  }, []);
  if (session === undefined) return <main id="main" tabIndex={-1}><p class="muted">Loading…</p></main>;
  if (session === null) return <SignIn onSignedIn={setSession} />;
  const signOut = async () => {
    await api('DELETE', '/api/session').catch(() => undefined);
    setSession(null);
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href="#/monitors">Pharos</a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter(([, , scope]) => !scope || can(session, scope)).map(([path, label]) => (
              <li key={path}><a href={`#/${path}`} aria-current={route[0] === path ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <ThemeChoice />
        <button type="button" class="link" onClick={signOut}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page session={session} route={route} />
      </main>
      <footer class="muted">Times in {viewerTimeZone}. <a href="/reference">API reference</a></footer>
    </>
  );
}

render(<App />, document.getElementById('app')!);
