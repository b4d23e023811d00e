/** A problem with one field, named by the API's JSON pointer (`/url`, `/intervalSeconds`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Problems keyed by top-level field name (`/requestHeaders/Accept` → `requestHeaders`), first one wins. */
export function problemsByField(problems: readonly FieldProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) {
    const name = p.field.replace(/^\//, '').split('/')[0] || '_form';
    if (!(name in out)) out[name] = p.message;
  }
  return out;
}
