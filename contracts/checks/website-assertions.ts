/**
 * Typed assertions of a Website monitor (DESIGN.md §6): which operators make sense for which
 * source, what a property and a target must look like, and how the REST names map to the
 * proto enums. One table, shared by validation (api and agent) and evaluation (agent).
 */
import { JSONPath } from 'jsonpath-plus';
import { AssertionOperator as Operator, AssertionSource as Source, type Assertion } from '../../proto/generated/pharos/v1/check.js';
import type { FieldProblem } from './contract.js';

export const ASSERTION_SOURCES = ['StatusCode', 'ResponseTime', 'Header', 'Body', 'JsonPath'] as const;
export const ASSERTION_OPERATORS = [
  'Equals', 'NotEquals', 'Contains', 'NotContains', 'Matches', 'LessThan', 'GreaterThan', 'In', 'Between', 'Exists', 'NotExists',
] as const;
export type AssertionSourceName = (typeof ASSERTION_SOURCES)[number];
export type AssertionOperatorName = (typeof ASSERTION_OPERATORS)[number];

/** A typed check on a Website response, as the API spells it (docs/checks/website.md). */
export interface MonitorAssertion {
  source: AssertionSourceName;
  /** Header name or JSONPath; null for the other sources. */
  property: string | null;
  operator: AssertionOperatorName;
  /** null for Exists / NotExists. */
  target: string | null;
}

export const MAX_ASSERTIONS = 20;
export const MAX_TARGET_LENGTH = 1024;
/** Short patterns leave less room for pathological backtracking; the run is time-bounded too. */
export const MAX_PATTERN_LENGTH = 256;
export const MAX_PROPERTY_LENGTH = 256;

const SOURCE_ENUM: { readonly [N in AssertionSourceName]: Source } = {
  StatusCode: Source.ASSERTION_SOURCE_STATUS_CODE,
  ResponseTime: Source.ASSERTION_SOURCE_RESPONSE_TIME,
  Header: Source.ASSERTION_SOURCE_HEADER,
  Body: Source.ASSERTION_SOURCE_BODY,
  JsonPath: Source.ASSERTION_SOURCE_JSON_PATH,
};

const OPERATOR_ENUM: { readonly [N in AssertionOperatorName]: Operator } = {
  Equals: Operator.ASSERTION_OPERATOR_EQUALS,
  NotEquals: Operator.ASSERTION_OPERATOR_NOT_EQUALS,
  Contains: Operator.ASSERTION_OPERATOR_CONTAINS,
  NotContains: Operator.ASSERTION_OPERATOR_NOT_CONTAINS,
  Matches: Operator.ASSERTION_OPERATOR_MATCHES,
  LessThan: Operator.ASSERTION_OPERATOR_LESS_THAN,
  GreaterThan: Operator.ASSERTION_OPERATOR_GREATER_THAN,
  In: Operator.ASSERTION_OPERATOR_IN,
  Between: Operator.ASSERTION_OPERATOR_BETWEEN,
  Exists: Operator.ASSERTION_OPERATOR_EXISTS,
  NotExists: Operator.ASSERTION_OPERATOR_NOT_EXISTS,
};

const invert = <N extends string, E extends number>(m: { readonly [K in N]: E }) =>
  new Map(Object.entries(m).map(([name, value]) => [value as E, name as N]));
const SOURCE_NAME = invert<AssertionSourceName, Source>(SOURCE_ENUM);
const OPERATOR_NAME = invert<AssertionOperatorName, Operator>(OPERATOR_ENUM);

export const operatorName = (operator: Operator): AssertionOperatorName | undefined => OPERATOR_NAME.get(operator);

const TEXT_OPERATORS: AssertionOperatorName[] = ['Equals', 'NotEquals', 'Contains', 'NotContains', 'Matches', 'In'];
const NUMBER_OPERATORS: AssertionOperatorName[] = ['LessThan', 'GreaterThan', 'Between'];

export interface SourceRule {
  /** The REST name, also the recorded source. */
  name: AssertionSourceName;
  operators: ReadonlySet<AssertionOperatorName>;
  property: 'none' | 'headerName' | 'jsonPath';
  /** Equals, NotEquals and In compare numbers rather than text. */
  numeric: boolean;
}

const SOURCE_RULES: { readonly [N in AssertionSourceName]: SourceRule } = {
  StatusCode: { name: 'StatusCode', property: 'none', numeric: true, operators: new Set(['Equals', 'NotEquals', 'In', ...NUMBER_OPERATORS]) },
  ResponseTime: { name: 'ResponseTime', property: 'none', numeric: true, operators: new Set(NUMBER_OPERATORS) },
  Header: { name: 'Header', property: 'headerName', numeric: false, operators: new Set([...TEXT_OPERATORS, ...NUMBER_OPERATORS, 'Exists', 'NotExists']) },
  Body: { name: 'Body', property: 'none', numeric: false, operators: new Set(['Equals', 'NotEquals', 'Contains', 'NotContains', 'Matches']) },
  JsonPath: { name: 'JsonPath', property: 'jsonPath', numeric: false, operators: new Set([...TEXT_OPERATORS, ...NUMBER_OPERATORS, 'Exists', 'NotExists']) },
};

/** The rule of a source as a job carries it; undefined for a value this build does not know. */
export function ruleOfSource(source: Source): SourceRule | undefined {
  const name = SOURCE_NAME.get(source);
  return name && SOURCE_RULES[name];
}

/** An assertion as the API spells it (names) → as a job carries it (proto enums). */
export function toProtoAssertion(a: MonitorAssertion): Assertion {
  return { source: SOURCE_ENUM[a.source], property: a.property ?? undefined, operator: OPERATOR_ENUM[a.operator], target: a.target ?? undefined };
}

/** The inverse of `toProtoAssertion`; an unknown enum value keeps its number as text so validation names it. */
export function fromProtoAssertion(a: Assertion): MonitorAssertion {
  return {
    source: SOURCE_NAME.get(a.source) ?? (String(a.source) as AssertionSourceName),
    property: a.property ?? null,
    operator: OPERATOR_NAME.get(a.operator) ?? (String(a.operator) as AssertionOperatorName),
    target: a.target ?? null,
  };
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const RANGE = /^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Problems of the assertions, each against its item (`/assertions/2`). */
export function validateAssertions(assertions: MonitorAssertion[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (assertions.length > MAX_ASSERTIONS) problems.push({ field: '/assertions', message: `must have at most ${MAX_ASSERTIONS} entries` });
  assertions.forEach((assertion, i) => {
    for (const problem of assertionProblems(assertion)) problems.push({ field: `/assertions/${i}`, message: problem });
  });
  return problems;
}

function assertionProblems({ source, operator, property, target }: MonitorAssertion): string[] {
  const rule = SOURCE_RULES[source];
  if (!rule) return ['source is not supported'];
  if (!OPERATOR_ENUM[operator]) return ['operator is not supported'];
  if (!rule.operators.has(operator)) return [`operator ${operator} does not apply to ${rule.name}`];
  return [...propertyProblems(rule, property ?? ''), ...targetProblems(rule, operator, target ?? '')];
}

function propertyProblems(rule: SourceRule, property: string): string[] {
  if (rule.property === 'none') return property ? [`property applies only to Header and JsonPath, not ${rule.name}`] : [];
  if (property.length > MAX_PROPERTY_LENGTH) return [`property must be at most ${MAX_PROPERTY_LENGTH} characters`];
  if (rule.property === 'headerName') return HEADER_NAME.test(property) ? [] : ['property must be a header name'];
  if (!property.startsWith('$')) return ['property must be a JSONPath starting with $'];
  // With eval off, jsonpath-plus throws on script segments only when a document reaches them.
  const scripted = JSONPath.toPathArray(property).some((segment) => segment.startsWith('?(') || segment.startsWith('('));
  return scripted ? ['property must not use script expressions such as [?(...)] or [(...)]'] : [];
}

function targetProblems(rule: SourceRule, operator: AssertionOperatorName, target: string): string[] {
  if (target.length > MAX_TARGET_LENGTH) return [`target must be at most ${MAX_TARGET_LENGTH} characters`];
  switch (operator) {
    case 'Exists':
    case 'NotExists':
      return target ? [`target must be empty for ${operator}`] : [];
    case 'Contains':
    case 'NotContains':
      return target ? [] : ['target must not be empty'];
    case 'Matches':
      if (target.length > MAX_PATTERN_LENGTH) return [`target must be a regular expression of at most ${MAX_PATTERN_LENGTH} characters`];
      return compiles(target) ? [] : ['target must be a valid regular expression'];
    case 'LessThan':
    case 'GreaterThan':
      return numberOf(target) === undefined ? ['target must be a number'] : [];
    case 'Between':
      return rangeOf(target) ? [] : ['target must be an inclusive range such as 200-299'];
    case 'In': {
      const items = listOf(target);
      if (items.some((item) => item === '')) return ['target must be a comma-separated list such as 200,201,204'];
      return rule.numeric && items.some((item) => numberOf(item) === undefined) ? ['target must be a comma-separated list of numbers'] : [];
    }
    default:
      return rule.numeric && numberOf(target) === undefined ? ['target must be a number'] : [];
  }
}

export function numberOf(text: string): number | undefined {
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : undefined;
}

export function rangeOf(text: string): { low: number; high: number } | undefined {
  const match = RANGE.exec(text);
  if (!match) return undefined;
  const [low, high] = [Number(match[1]), Number(match[2])];
  return low <= high ? { low, high } : undefined;
}

export function listOf(text: string): string[] {
  return text.split(',').map((item) => item.trim());
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
