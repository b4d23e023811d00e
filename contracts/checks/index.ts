/**
 * The table of check types (DESIGN.md §6): from the Enori type name to its contract. The
 * monitor body, its defaults, the api's input rules, the scheduler's job builder, the agent's
 * validation and `pharos apply` are all composed from this table; adding a setting is an
 * edit of one contract module (docs/architecture.md).
 */
import type { AgentCheckContract, CheckSettings, FieldSpec, ServerCheckContract, SettingsCase } from './contract.js';
import { dnsContract } from './dns.js';
import { domainContract } from './domain.js';
import { jobContract } from './job.js';
import { pingContract } from './ping.js';
import { portContract } from './port.js';
import { websiteContract } from './website.js';

export const CHECK_CONTRACTS = {
  Port: portContract,
  Ping: pingContract,
  Dns: dnsContract,
  Domain: domainContract,
  Job: jobContract,
  Website: websiteContract,
} as const;

export type MonitorTypeName = keyof typeof CHECK_CONTRACTS;
export type CheckContractOf<T extends MonitorTypeName> = (typeof CHECK_CONTRACTS)[T];

/** Type name → Enori type number. */
export const MONITOR_TYPES = Object.fromEntries(
  Object.entries(CHECK_CONTRACTS).map(([name, contract]) => [name, contract.typeNumber]),
) as { readonly [T in MonitorTypeName]: CheckContractOf<T>['typeNumber'] };
export const MONITOR_TYPE_NAMES = Object.keys(CHECK_CONTRACTS) as MonitorTypeName[];

/** Every type's fields, flat (the monitor is one flat object in the Enori document). */
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type FieldsOf<C> = C extends { validate(fields: infer F, ...rest: never[]): unknown } ? F : never;
export type CheckFields = UnionToIntersection<FieldsOf<(typeof CHECK_CONTRACTS)[MonitorTypeName]>>;

/** One spec per field name across every type; a field shared by types (hostname) must be one spec. */
export const CHECK_FIELD_SPECS: { readonly [K in keyof CheckFields]: FieldSpec<CheckFields[K]> } = (() => {
  const specs: Record<string, FieldSpec<unknown>> = {};
  for (const contract of Object.values(CHECK_CONTRACTS)) {
    for (const [name, spec] of Object.entries(contract.fields as Record<string, FieldSpec<unknown>>)) {
      if (specs[name] && specs[name] !== spec) throw new Error(`check field ${name} is defined twice, differently`);
      specs[name] = spec;
    }
  }
  return specs as never;
})();

export const checkFieldDefaults = (): CheckFields =>
  Object.fromEntries(Object.entries(CHECK_FIELD_SPECS).map(([k, spec]) => [k, structuredClone((spec as FieldSpec<unknown>).default)])) as CheckFields;

/** The fields of one type, picked out of a flat monitor. */
export function fieldsOf<T extends MonitorTypeName>(type: T, monitor: CheckFields): FieldsOf<CheckContractOf<T>> {
  return Object.fromEntries(Object.keys(CHECK_CONTRACTS[type].fields).map((k) => [k, monitor[k as keyof CheckFields]])) as never;
}

export type AnyAgentContract = AgentCheckContract<object, SettingsCase>;

/** Agent-checked types by their settings case: how an agent finds the contract of a job. */
export const CONTRACT_OF_SETTINGS: { readonly [C in SettingsCase]: AgentCheckContract<object, C> } = Object.fromEntries(
  Object.values(CHECK_CONTRACTS).filter((c) => c.settingsCase !== null).map((c) => [c.settingsCase, c]),
) as never;

/** Types checked by probe agents; the others (Job) are judged by the server. */
export const AGENT_CHECKED_TYPES = MONITOR_TYPE_NAMES.filter((t) => CHECK_CONTRACTS[t].settingsCase !== null);

/** A flat monitor's settings as a job carries them; undefined for a type no agent checks. */
export function checkSettingsOf(type: MonitorTypeName, monitor: CheckFields): CheckSettings | undefined {
  const contract = CHECK_CONTRACTS[type] as AnyAgentContract | ServerCheckContract<object>;
  if (contract.settingsCase === null) return undefined;
  return { $case: contract.settingsCase, value: contract.toSettings(fieldsOf(type, monitor) as object) } as CheckSettings;
}
