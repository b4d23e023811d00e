/**
 * Request validation in the Diligent document's shape: a zod issue list,
 * `{"error":[{"code":"custom","message":"Invalid check name(s)","path":["checks"]}]}`.
 * The rules are the document's (unique known check names, case-insensitive frequency,
 * expiry in the future and at least one period ahead); the website's security validation
 * runs after these (verbs.ts), as it needs the network. The verbs load this module (and zod)
 * with their first request, not at start.
 */
import { z } from 'zod';
import { CHECK_NAMES, DEFAULT_FREQUENCY, FREQUENCIES, isCheckName, type CheckName, type Frequency } from '../../../diligent/contract.js';
import { DiligentValidationError, expiryIssue, type Issue } from './issues.js';

const MAX_ISSUES = 20;
const MAX_MESSAGE = 200;

/** Keys of exactly code, message, path (in that order, as the document prints them), bounded. */
export function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.slice(0, MAX_ISSUES).map((i) => ({
    code: i.code,
    message: i.message.length > MAX_MESSAGE ? `${i.message.slice(0, MAX_MESSAGE - 1)}…` : i.message,
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p).slice(0, MAX_MESSAGE))),
  }));
}

const checks = z.array(z.string().max(100)).max(100).superRefine((names, ctx) => {
  if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'At least one check is required' });
  else if (!names.every(isCheckName)) ctx.addIssue({ code: 'custom', message: 'Invalid check name(s)' });
  else if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: 'Duplicate check name(s)' });
});

const frequency = z.string().max(100).transform((v, ctx) => {
  const f = v.toLowerCase();
  if (!(FREQUENCIES as string[]).includes(f)) {
    ctx.addIssue({ code: 'custom', message: `Invalid frequency: expected one of ${FREQUENCIES.join(', ')}` });
    return z.NEVER;
  }
  return f as Frequency;
});

const instant = z.iso.datetime({ offset: true });

const createSchema = z.strictObject({
  website: z.string(),
  checks,
  frequency: frequency.optional(),
  expires_at: instant.optional(),
  run_now: z.boolean().optional(),
});

const updateSchema = z.strictObject({
  checks: checks.optional(),
  frequency: frequency.optional(),
  expires_at: instant.optional(),
  is_active: z.boolean().optional(),
});

export interface CreateInput {
  website: string;
  checks: CheckName[];
  frequency: Frequency;
  expiresAtMs?: number;
  runNow: boolean;
}

export interface UpdateInput {
  checks?: CheckName[];
  frequency?: Frequency;
  expiresAtMs?: number;
  isActive?: boolean;
}

function parseInstant(v: string): number {
  return Date.parse(v);
}

export function parseCreate(body: unknown, nowMs: number): CreateInput {
  const parsed = createSchema.safeParse(body);
  if (!parsed.success) throw new DiligentValidationError(issuesOf(parsed.error));
  const b = parsed.data;
  const input: CreateInput = { website: b.website, checks: b.checks as CheckName[], frequency: b.frequency ?? DEFAULT_FREQUENCY, runNow: b.run_now ?? true };
  if (b.expires_at !== undefined) {
    input.expiresAtMs = parseInstant(b.expires_at);
    const issue = Number.isFinite(input.expiresAtMs) ? expiryIssue(input.expiresAtMs, input.frequency, nowMs) : { code: 'custom', message: 'Invalid ISO datetime', path: ['expires_at'] };
    if (issue) throw new DiligentValidationError([issue]);
  }
  return input;
}

export function parseUpdate(body: unknown): UpdateInput {
  const parsed = updateSchema.safeParse(body ?? {});
  if (!parsed.success) throw new DiligentValidationError(issuesOf(parsed.error));
  const b = parsed.data;
  const expiresAtMs = b.expires_at === undefined ? undefined : parseInstant(b.expires_at);
  if (expiresAtMs !== undefined && !Number.isFinite(expiresAtMs)) throw new DiligentValidationError([{ code: 'custom', message: 'Invalid ISO datetime', path: ['expires_at'] }]);
  return { checks: b.checks as CheckName[] | undefined, frequency: b.frequency, expiresAtMs, isActive: b.is_active };
}

const page = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export function parsePage(query: unknown): { limit: number; offset: number } {
  const parsed = page.safeParse(query ?? {});
  if (!parsed.success) throw new DiligentValidationError(issuesOf(parsed.error));
  return parsed.data;
}

export const CHECKS = CHECK_NAMES;

const overrides = z.strictObject({
  overrides: z.array(z.strictObject({ mcc: z.string().regex(/^\d{4}$/, 'must be a four-digit MCC'), high_risk: z.boolean() })).max(500),
});

export function parseMccOverrides(body: unknown): Array<{ mcc: string; highRisk: boolean }> {
  const parsed = overrides.safeParse(body);
  if (!parsed.success) throw new DiligentValidationError(issuesOf(parsed.error));
  const seen = new Set<string>();
  for (const [i, o] of parsed.data.overrides.entries()) {
    if (seen.has(o.mcc)) throw new DiligentValidationError([{ code: 'custom', message: 'Duplicate MCC', path: ['overrides', i, 'mcc'] }]);
    seen.add(o.mcc);
  }
  return parsed.data.overrides.map((o) => ({ mcc: o.mcc, highRisk: o.high_risk }));
}
