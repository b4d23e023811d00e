import { useState } from 'preact/hooks';
import { api, ApiError, type Session } from '../api.js';

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onSignedIn(await api<Session>('POST', '/api/session', { apiKey: key }));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That API key is not valid, or it was revoked.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" tabIndex={-1} class="signin">
      <h1>Sign in to Pharos</h1>
      <form onSubmit={submit} class="card">
        <div class={`field${error ? ' invalid' : ''}`}>
          <label for="apiKey">API key</label>
          <input id="apiKey" name="apiKey" type="password" autocomplete="current-password" required value={key}
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'apiKey-error' : 'apiKey-hint'} onInput={(e) => setKey(e.currentTarget.value)} />
          <small id="apiKey-hint" class="hint">The key <code>npm start</code> printed, or one from Settings → API keys. What you can see and do follows its scopes.</small>
          {error && <small id="apiKey-error" class="error" role="alert">{error}</small>}
        </div>
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}
