import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { problemsByField } from '../forms/problems.js';
import { ErrorBox } from '../ui.js';

/** A create form's plumbing: local checks, the API call, its field errors at the fields. */
export function useCreate(onDone: () => void) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const submit = async (path: string, body: unknown, local: Record<string, string> = {}) => {
    setFailure(null);
    setErrors(local);
    if (Object.keys(local).length) return null;
    try {
      const created = await api<any>('POST', path, body);
      onDone();
      return created;
    } catch (err) {
      if (err instanceof ApiError && err.details.length) setErrors(problemsByField(err.details));
      setFailure(err);
      return null;
    }
  };
  return { errors, failure, submit, setFailure };
}

/** A delete button that asks first. */
export function DeleteButton({ label, path, onDone, onError }: { label: string; path: string; onDone: () => void; onError: (e: unknown) => void }) {
  return (
    <button type="button" class="danger" aria-label={`Delete ${label}`} onClick={async () => {
      if (!confirm(`Delete ${label}?`)) return;
      try {
        await api('DELETE', path);
        onDone();
      } catch (e) {
        onError(e);
      }
    }}>Delete</button>
  );
}

export function CreateCard({ title, failure, onSubmit, children, submitLabel }: { title: string; failure: unknown; onSubmit: () => void; children: ComponentChildren; submitLabel: string }) {
  return (
    <form class="card" noValidate onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
      <h2>{title}</h2>
      <ErrorBox error={failure} />
      {children}
      <button type="submit">{submitLabel}</button>
    </form>
  );
}

/** Checkboxes choosing some of `options` (id → label), as one labelled group. */
export function Choices({ id, legend, options, chosen, onChange, error }: { id: string; legend: string; options: Array<[string, string]>; chosen: string[]; onChange: (v: string[]) => void; error?: string }) {
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {options.length === 0 && <p class="muted">None yet.</p>}
      {options.map(([value, label]) => (
        <div class="check" key={value}>
          <input type="checkbox" id={`${id}-${value}`} checked={chosen.includes(value)} onChange={(e) => onChange(e.currentTarget.checked ? [...chosen, value] : chosen.filter((x) => x !== value))} />
          <label for={`${id}-${value}`}>{label}</label>
        </div>
      ))}
      {error && <small id={`${id}-error`} class="error" data-field-error={id}>{error}</small>}
    </fieldset>
  );
}
