/**
 * The shape of a check type's contract (DESIGN.md §6): what a client may set, what each
 * setting defaults to and is limited to, how it travels to an agent in a `CheckJob`, and
 * which values are runnable. The api and the agent both compose themselves from these
 * modules, so a setting means the same thing from the REST body to the checker.
 */
import type { TSchema } from 'typebox';
import type { CheckJob } from '../../proto/generated/pharos/v1/check.js';

/** A problem with one REST field, named as a JSON pointer (`/maxRedirects`, `/assertions/2`). */
export interface FieldProblem {
  field: string;
  message: string;
}

export type CheckSettings = NonNullable<CheckJob['settings']>;
export type SettingsCase = CheckSettings['$case'];
export type SettingsOf<C extends SettingsCase> = Extract<CheckSettings, { $case: C }>['value'];

/** What every check type's rules may also look at besides its own fields. */
export interface CheckBounds {
  /** The check's whole time budget. */
  timeoutSeconds: number;
}

/** One REST field: its schema for the OpenAPI document (limits, description) and its default. */
export interface FieldSpec<V> {
  schema: TSchema;
  default: V;
}

export type FieldSpecs<F> = { readonly [K in keyof F]: FieldSpec<F[K]> };

interface ContractBase<F extends object> {
  /** The Enori type name and number. */
  readonly type: string;
  readonly typeNumber: number;
  /** The type's REST fields, each with its schema and default. */
  readonly fields: FieldSpecs<F>;
  /** Problems that make the fields unusable, in REST field names; empty when they are fine. */
  validate(fields: F, bounds: CheckBounds): FieldProblem[];
}

/** A type that probe agents check: its fields travel as the `CheckJob.settings` oneof. */
export interface AgentCheckContract<F extends object, C extends SettingsCase> extends ContractBase<F> {
  readonly settingsCase: C;
  /** REST fields → proto settings, every value explicit (an agent never turns a zero into a default). */
  toSettings(fields: F): SettingsOf<C>;
  /** proto settings → REST fields: what the agent validates, the inverse of `toSettings`. */
  fromSettings(settings: SettingsOf<C>): F;
}

/** A type judged by the server (Job heartbeats): no agent, no settings on the wire. */
export interface ServerCheckContract<F extends object> extends ContractBase<F> {
  readonly settingsCase: null;
}

export const fieldDefaults = <F>(fields: FieldSpecs<F>): F =>
  Object.fromEntries(Object.entries(fields).map(([k, spec]) => [k, (spec as FieldSpec<unknown>).default])) as F;

/** `field` must be a whole number from `min` to `max`. */
export function checkRange(problems: FieldProblem[], field: string, value: number, min: number, max: number, unit = ''): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push({ field: `/${field}`, message: `must be from ${min} to ${max}${unit}` });
  }
}
