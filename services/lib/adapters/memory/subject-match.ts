/**
 * NATS subject matching for the in-process bus, so subjects and filters behave the same
 * on both adapters: `*` matches exactly one token, `>` (last token only) one or more.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const tok = p[i];
    if (tok === '>') return s.length > i;
    if (i >= s.length) return false;
    if (tok !== '*' && tok !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Rejects subjects NATS would reject, so a bad subject fails in dev as it would in production. */
export function assertSubject(subject: string, { wildcards }: { wildcards: boolean }): void {
  const tokens = subject.split('.');
  const bad =
    subject.length === 0 ||
    /\s/.test(subject) ||
    tokens.some((t) => t.length === 0) ||
    (!wildcards && tokens.some((t) => t === '*' || t === '>')) ||
    tokens.slice(0, -1).some((t) => t === '>');
  if (bad) throw new Error(`invalid subject "${subject}"`);
}
