/**
 * HTML by tagged template: every interpolated value is escaped (escape-html: & < > " ')
 * unless it is already Html made by this tag, so untrusted text (titles, names, messages)
 * cannot become markup. Attribute values must be quoted in the template.
 */
import escapeHtml from 'escape-html';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function text(v: Part): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return (v as readonly Part[]).map(text).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += text(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

export { escapeHtml };
