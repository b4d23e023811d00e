import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, poll } from './api.js';

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge st-${status.toLowerCase()}`}>{status}</span>;
}

/** A labelled control with its error under it, tied by aria-describedby. */
export function Field(props: { id: string; label: string; error?: string; hint?: string; children: ComponentChildren }) {
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <small id={`${props.id}-hint`} class="hint">{props.hint}</small>}
      {props.error && <small id={`${props.id}-error`} class="error" data-field-error={props.id}>{props.error}</small>}
    </div>
  );
}

/** Input attributes linking a control to its Field's hint and error. */
export const described = (id: string, error?: string, hint?: string) => ({
  id,
  name: id,
  'aria-invalid': error ? ('true' as const) : undefined,
  'aria-describedby': [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined,
});

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError ? error.message : String((error as Error).message ?? error);
  return <p class="alert" role="alert">{message}</p>;
}

/** The latest answer of a polled GET (null until the first), and its last error. */
export function usePolled<T>(path: string | null, intervalMs = 3000, allPages = false): { data: T | null; error: ApiError | null; refresh: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (!path) return undefined;
    return poll<T>(path, intervalMs, (d) => { setData(d); setError(null); }, setError, allPages);
  }, [path, intervalMs, nonce, allPages]);
  return { data, error, refresh: () => setNonce((n) => n + 1) };
}

export function Loading() {
  return <p class="muted" aria-live="polite">Loading…</p>;
}
