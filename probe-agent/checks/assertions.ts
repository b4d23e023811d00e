/**
 * Typed assertions of a Website check (DESIGN.md §6): each one observes one value of the
 * final response (status, response time, a header, the body, a JSON path into the body),
 * compares it once with its target, and is recorded with what was actually seen. Which
 * operators make sense for which source is one table, shared by validation and evaluation.
 */
import { JSONPath } from 'jsonpath-plus';
import { AssertionOperator as Operator, AssertionSource as Source, type Assertion } from '../../proto/generated/pharos/v1/check.js';
import type { AssertionOutcome } from '../../proto/generated/pharos/v1/result.js';
import { boundedTest, REGEX_BUDGET_MS } from './bounded-regex.js';
import type { ReadBody } from './http-exchange.js';

export const MAX_ASSERTIONS = 20;
export const MAX_TARGET_LENGTH = 1024;
/** Short patterns leave less room for pathological backtracking; the run is time-bounded too. */
export const MAX_PATTERN_LENGTH = 256;
export const MAX_PROPERTY_LENGTH = 256;
/** Recorded actual values are cut to this many characters. */
export const MAX_ACTUAL_LENGTH = 256;

/** Recorded as the actual value of a header or JSON path that is not there. */
export const ABSENT = '(absent)';

const {
  ASSERTION_OPERATOR_EQUALS: EQUALS,
  ASSERTION_OPERATOR_NOT_EQUALS: NOT_EQUALS,
  ASSERTION_OPERATOR_CONTAINS: CONTAINS,
  ASSERTION_OPERATOR_NOT_CONTAINS: NOT_CONTAINS,
  ASSERTION_OPERATOR_MATCHES: MATCHES,
  ASSERTION_OPERATOR_LESS_THAN: LESS_THAN,
  ASSERTION_OPERATOR_GREATER_THAN: GREATER_THAN,
  ASSERTION_OPERATOR_IN: IN,
  ASSERTION_OPERATOR_BETWEEN: BETWEEN,
  ASSERTION_OPERATOR_EXISTS: EXISTS,
  ASSERTION_OPERATOR_NOT_EXISTS: NOT_EXISTS,
} = Operator;
const TEXT_OPERATORS = [EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS, MATCHES, IN];
const NUMBER_OPERATORS = [LESS_THAN, GREATER_THAN, BETWEEN];

interface SourceRule {
  /** The REST name, also the recorded source. */
  name: string;
  operators: ReadonlySet<Operator>;
  property: 'none' | 'headerName' | 'jsonPath';
  /** Equals, NotEquals and In compare numbers rather than text. */
  numeric: boolean;
}

const SOURCES: ReadonlyMap<Source, SourceRule> = new Map([
  [
    Source.ASSERTION_SOURCE_STATUS_CODE,
    { name: 'StatusCode', property: 'none', numeric: true, operators: new Set([EQUALS, NOT_EQUALS, IN, ...NUMBER_OPERATORS]) },
  ],
  [Source.ASSERTION_SOURCE_RESPONSE_TIME, { name: 'ResponseTime', property: 'none', numeric: true, operators: new Set(NUMBER_OPERATORS) }],
  [
    Source.ASSERTION_SOURCE_HEADER,
    { name: 'Header', property: 'headerName', numeric: false, operators: new Set([...TEXT_OPERATORS, ...NUMBER_OPERATORS, EXISTS, NOT_EXISTS]) },
  ],
  [
    Source.ASSERTION_SOURCE_BODY,
    { name: 'Body', property: 'none', numeric: false, operators: new Set([EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS, MATCHES]) },
  ],
  [
    Source.ASSERTION_SOURCE_JSON_PATH,
    { name: 'JsonPath', property: 'jsonPath', numeric: false, operators: new Set([...TEXT_OPERATORS, ...NUMBER_OPERATORS, EXISTS, NOT_EXISTS]) },
  ],
]);

/** REST names, also the recorded operator. */
const OPERATOR_NAMES: ReadonlyMap<Operator, string> = new Map([
  [EQUALS, 'Equals'],
  [NOT_EQUALS, 'NotEquals'],
  [CONTAINS, 'Contains'],
  [NOT_CONTAINS, 'NotContains'],
  [MATCHES, 'Matches'],
  [LESS_THAN, 'LessThan'],
  [GREATER_THAN, 'GreaterThan'],
  [IN, 'In'],
  [BETWEEN, 'Between'],
  [EXISTS, 'Exists'],
  [NOT_EXISTS, 'NotExists'],
]);

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const RANGE = /^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Problems of the assertions, each starting with its REST field (`assertions[2] ...`). */
export function validateAssertions(assertions: Assertion[]): string[] {
  const problems: string[] = [];
  if (assertions.length > MAX_ASSERTIONS) problems.push(`assertions must have at most ${MAX_ASSERTIONS} entries`);
  assertions.forEach((assertion, i) => {
    for (const problem of assertionProblems(assertion)) problems.push(`assertions[${i}] ${problem}`);
  });
  return problems;
}

function assertionProblems({ source, operator, property, target }: Assertion): string[] {
  const rule = SOURCES.get(source);
  if (!rule) return ['source is not supported'];
  const operatorName = OPERATOR_NAMES.get(operator);
  if (!operatorName) return ['operator is not supported'];
  if (!rule.operators.has(operator)) return [`operator ${operatorName} does not apply to ${rule.name}`];
  return [...propertyProblems(rule, property), ...targetProblems(rule, operator, operatorName, target)];
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

function targetProblems(rule: SourceRule, operator: Operator, operatorName: string, target: string): string[] {
  if (target.length > MAX_TARGET_LENGTH) return [`target must be at most ${MAX_TARGET_LENGTH} characters`];
  switch (operator) {
    case EXISTS:
    case NOT_EXISTS:
      return target ? [`target must be empty for ${operatorName}`] : [];
    case CONTAINS:
    case NOT_CONTAINS:
      return target ? [] : ['target must not be empty'];
    case MATCHES:
      if (target.length > MAX_PATTERN_LENGTH) return [`target must be a regular expression of at most ${MAX_PATTERN_LENGTH} characters`];
      return compiles(target) ? [] : ['target must be a valid regular expression'];
    case LESS_THAN:
    case GREATER_THAN:
      return numberOf(target) === undefined ? ['target must be a number'] : [];
    case BETWEEN:
      return rangeOf(target) ? [] : ['target must be an inclusive range such as 200-299'];
    case IN: {
      const items = listOf(target);
      if (items.some((item) => item === '')) return ['target must be a comma-separated list such as 200,201,204'];
      return rule.numeric && items.some((item) => numberOf(item) === undefined) ? ['target must be a comma-separated list of numbers'] : [];
    }
    default:
      return rule.numeric && numberOf(target) === undefined ? ['target must be a number'] : [];
  }
}

/** Whether any assertion reads the body (only then is it read). */
export function needsBody(assertions: Assertion[]): boolean {
  return assertions.some((a) => a.source === Source.ASSERTION_SOURCE_BODY || a.source === Source.ASSERTION_SOURCE_JSON_PATH);
}

/** The final response, as far as assertions can see it. */
export interface ObservedResponse {
  statusCode: number;
  /** Total time of the check so far, body included when it was read. */
  responseTimeMs: number;
  headers: Record<string, string | string[] | undefined>;
  /** Absent when nothing needed the body. */
  body?: ReadBody;
}

export interface AssertionVerdict {
  /** One per assertion, in order. */
  outcomes: AssertionOutcome[];
  /** Names the first assertion that did not hold; absent when all held. */
  failure?: string;
}

/** What a source yielded: its text (and a JSON array's elements), or why there is none. */
interface Observation {
  text?: string;
  elements?: string[];
  missing?: string;
}

/** Evaluates every assertion once; settings are expected to have passed `validateAssertions`. */
export function evaluateAssertions(assertions: Assertion[], response: ObservedResponse): AssertionVerdict {
  let parsed: ParsedBody | undefined;
  const json = () => (parsed ??= parseJson(response.body));
  const outcomes: AssertionOutcome[] = [];
  let failure: string | undefined;
  for (const assertion of assertions) {
    const rule = SOURCES.get(assertion.source)!;
    const seen = observe(assertion, response, json);
    const passed = holds(assertion, rule, seen);
    const outcome: AssertionOutcome = {
      source: assertion.property ? `${rule.name} ${assertion.property}` : rule.name,
      operator: OPERATOR_NAMES.get(assertion.operator)!,
      expected: assertion.target,
      actual: passed === undefined ? `(regular expression took longer than ${REGEX_BUDGET_MS} ms)` : clip(seen.text ?? seen.missing ?? ''),
      passed: passed === true,
    };
    outcomes.push(outcome);
    failure ??= outcome.passed ? undefined : failureMessage(outcome, seen.text !== undefined && passed !== undefined);
  }
  return { outcomes, failure };
}

type ParsedBody = { value: unknown } | { missing: string };

function parseJson(body: ReadBody | undefined): ParsedBody {
  if (!body) return { missing: '(body not read)' };
  if (body.truncated) return { missing: `(body truncated at ${body.bytes} bytes)` };
  try {
    return { value: JSON.parse(body.text.replace(/^\uFEFF/, '')) as unknown };
  } catch {
    return { missing: '(body is not JSON)' };
  }
}

function observe(assertion: Assertion, response: ObservedResponse, json: () => ParsedBody): Observation {
  switch (assertion.source) {
    case Source.ASSERTION_SOURCE_STATUS_CODE:
      return { text: String(response.statusCode) };
    case Source.ASSERTION_SOURCE_RESPONSE_TIME:
      return { text: String(response.responseTimeMs) };
    case Source.ASSERTION_SOURCE_HEADER: {
      const value = response.headers[assertion.property.toLowerCase()];
      if (value === undefined) return { missing: ABSENT };
      return { text: Array.isArray(value) ? value.join(', ') : value };
    }
    case Source.ASSERTION_SOURCE_BODY:
      return response.body ? { text: response.body.text } : { missing: '(body not read)' };
    default:
      return observeJsonPath(assertion.property, json());
  }
}

/** The first match of `path`: strings as they are, anything else as its JSON text. */
function observeJsonPath(path: string, parsed: ParsedBody): Observation {
  if ('missing' in parsed) return parsed;
  const matches = (JSONPath({ path, json: parsed.value as object, eval: false, wrap: true }) as unknown[] | undefined) ?? [];
  if (matches.length === 0) return { missing: ABSENT };
  const value = matches[0];
  return { text: jsonText(value), elements: Array.isArray(value) ? value.map(jsonText) : undefined };
}

function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `undefined` when a regular expression ran out of time. */
function holds({ operator, target }: Assertion, rule: SourceRule, seen: Observation): boolean | undefined {
  if (operator === EXISTS) return seen.text !== undefined;
  // Only a value that is not there passes: a body that is not JSON fails every JsonPath assertion.
  if (operator === NOT_EXISTS) return seen.missing === ABSENT;
  const text = seen.text;
  if (text === undefined) return false;
  switch (operator) {
    case EQUALS:
      return equal(text, target, rule.numeric);
    case NOT_EQUALS:
      return !equal(text, target, rule.numeric);
    case CONTAINS:
      return contains(seen, target);
    case NOT_CONTAINS:
      return !contains(seen, target);
    case MATCHES:
      return boundedTest(new RegExp(target), text);
    case LESS_THAN:
      return compare(text, (actual) => actual < numberOf(target)!);
    case GREATER_THAN:
      return compare(text, (actual) => actual > numberOf(target)!);
    case BETWEEN: {
      const range = rangeOf(target)!;
      return compare(text, (actual) => actual >= range.low && actual <= range.high);
    }
    default:
      return listOf(target).some((item) => equal(text, item, rule.numeric));
  }
}

function equal(actual: string, expected: string, numeric: boolean): boolean {
  return numeric ? numberOf(actual) === numberOf(expected) : actual === expected;
}

/** A JSON array contains an element; any other value contains a substring. */
function contains(seen: Observation, target: string): boolean {
  return seen.elements ? seen.elements.includes(target) : seen.text!.includes(target);
}

function compare(text: string, test: (actual: number) => boolean): boolean {
  const actual = numberOf(text);
  return actual !== undefined && test(actual);
}

function numberOf(text: string): number | undefined {
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : undefined;
}

function rangeOf(text: string): { low: number; high: number } | undefined {
  const match = RANGE.exec(text);
  if (!match) return undefined;
  const [low, high] = [Number(match[1]), Number(match[2])];
  return low <= high ? { low, high } : undefined;
}

function listOf(text: string): string[] {
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

function clip(text: string): string {
  return text.length > MAX_ACTUAL_LENGTH ? `${text.slice(0, MAX_ACTUAL_LENGTH)}…` : text;
}

/** e.g. `JsonPath $.status Equals "ok": got "degraded"`; markers such as (absent) are not quoted. */
function failureMessage(outcome: AssertionOutcome, actualIsValue: boolean): string {
  const presence = outcome.operator === 'Exists' || outcome.operator === 'NotExists';
  const expected = presence ? '' : ` ${JSON.stringify(outcome.expected)}`;
  const actual = actualIsValue ? JSON.stringify(outcome.actual) : outcome.actual;
  return `${outcome.source} ${outcome.operator}${expected}: got ${actual}`;
}
