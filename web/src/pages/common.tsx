import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';
import { problemsByPointer } from '../forms/checks.js';
import { problemsByField, type FieldProblem } from '../forms/problems.js';
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
export function Choices({ id, legend, options, chosen, onChange, error, empty = 'None yet.' }: { id: string; legend: string; options: Array<[string, string]>; chosen: string[]; onChange: (v: string[]) => void; error?: string; empty?: string }) {
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {options.length === 0 && <p class="muted">{empty}</p>}
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

/** Radio buttons choosing one of `options` (value → label), as one labelled group. */
export function Radios<T extends string>({ id, legend, options, value, onChange }: { id: string; legend: string; options: Array<[T, string]>; value: T; onChange: (v: T) => void }) {
  return (
    <fieldset class="radios">
      <legend>{legend}</legend>
      {options.map(([v, label]) => (
        <span class="check" key={v}>
          <input type="radio" name={id} id={`${id}-${v}`} value={v} checked={value === v} onChange={() => onChange(v)} />
          <label for={`${id}-${v}`}>{label}</label>
        </span>
      ))}
    </fieldset>
  );
}

/**
 * An editor's plumbing for create (POST) and edit (PUT): the form's own problems and the
 * API's field errors, both keyed by JSON pointer (`/steps/1/delayMinutes`), shown at the
 * field; `editing` is the item being edited (null: a new one). Choosing an item to edit moves
 * focus into the form.
 */
export function useEditor<T>(onSaved: () => void) {
  const [editing, setEditingState] = useState<T | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const form = useRef<HTMLFormElement>(null);
  const setEditing = (item: T | null) => {
    setEditingState(item);
    setErrors({});
    setFailure(null);
    if (item !== null) requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('input, select, textarea')?.focus());
  };
  const save = async (method: 'POST' | 'PUT', path: string, body: unknown, problems: FieldProblem[]): Promise<boolean> => {
    setFailure(null);
    setErrors(problemsByPointer(problems));
    if (problems.length) return false;
    try {
      await api(method, path, body);
      setEditingState(null);
      onSaved();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.details.length) setErrors(problemsByPointer(err.details));
      setFailure(err);
      return false;
    }
  };
  /** Saves into a collection: `PUT {collection}/{id}` of the item being edited, else `POST {collection}`. */
  const saveIn = (collection: string, body: unknown, problems: FieldProblem[]): Promise<boolean> => {
    const id = (editing as { id?: string } | null)?.id;
    return id === undefined ? save('POST', collection, body, problems) : save('PUT', `${collection}/${encodeURIComponent(id)}`, body, problems);
  };
  return { editing, setEditing, errors, failure, save, saveIn, form };
}

/** A list row's actions: Edit, the row's own buttons, Delete (which asks first). */
export function RowActions({ label, onEdit, deletePath, onDeleted, onError, children }: {
  label: string; onEdit: () => void; deletePath: string; onDeleted: () => void; onError: (e: unknown) => void; children?: ComponentChildren;
}) {
  return (
    <td class="nowrap">
      <button type="button" onClick={onEdit} aria-label={`Edit ${label}`}>Edit</button>{' '}
      {children}{children ? ' ' : null}
      <DeleteButton label={label} path={deletePath} onDone={onDeleted} onError={onError} />
    </td>
  );
}

/** The editor card of a list page: "New …" or "Edit …", its errors, Save and Cancel. */
export function EditorCard({ id, title, failure, onSubmit, formRef, submitLabel, onCancel, children }: {
  id: string; title: string; failure: unknown; onSubmit: () => void; formRef: { current: HTMLFormElement | null }; submitLabel: string; onCancel?: () => void; children: ComponentChildren;
}) {
  return (
    <form class="card" noValidate ref={formRef} aria-labelledby={id} onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
      <h2 id={id}>{title}</h2>
      <ErrorBox error={failure} />
      {children}
      <div class="actions">
        <button type="submit">{submitLabel}</button>
        {onCancel && <button type="button" class="link" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
