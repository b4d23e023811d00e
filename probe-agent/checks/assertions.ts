/**
 * Typed assertions of a Website check (DESIGN.md §6): each one observes one value of the
 * final response (status, response time, a header, the body, a JSON path into the body),
 * compares it once with its target, and is recorded with what was actually seen. Which
 * operators make sense for which source is the contract's table (contracts/checks/website-assertions.ts),
 * shared with validation.
 */
import { JSONPath } from 'jsonpath-plus';
import { AssertionSource as Source, type Assertion } from '../../proto/generated/pharos/v1/check.js';
import type { AssertionOutcome } from '../../proto/generated/pharos/v1/result.js';
import {
  listOf, numberOf, operatorName, rangeOf, ruleOfSource, type AssertionOperatorName, type SourceRule,
} from '../../contracts/checks/website-assertions.js';
import { boundedTest, REGEX_BUDGET_MS } from './bounded-regex.js';
import type { ReadBody } from './http-exchange.js';

/** Recorded actual values are cut to this many characters. */
export const MAX_ACTUAL_LENGTH = 256;

/** Recorded as the actual value of a header or JSON path that is not there. */
export const ABSENT = '(absent)';

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

/** Evaluates every assertion once; settings are expected to have passed the Website contract's validation. */
export function evaluateAssertions(assertions: Assertion[], response: ObservedResponse): AssertionVerdict {
  let parsed: ParsedBody | undefined;
  const json = () => (parsed ??= parseJson(response.body));
  const outcomes: AssertionOutcome[] = [];
  let failure: string | undefined;
  for (const assertion of assertions) {
    const rule = ruleOfSource(assertion.source)!;
    const operator = operatorName(assertion.operator)!;
    const seen = observe(assertion, response, json);
    const target = assertion.target ?? '';
    const passed = holds(operator, target, rule, seen);
    const outcome: AssertionOutcome = {
      source: assertion.property ? `${rule.name} ${assertion.property}` : rule.name,
      operator,
      expected: target,
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
      const value = response.headers[(assertion.property ?? '').toLowerCase()];
      if (value === undefined) return { missing: ABSENT };
      return { text: Array.isArray(value) ? value.join(', ') : value };
    }
    case Source.ASSERTION_SOURCE_BODY:
      return response.body ? { text: response.body.text } : { missing: '(body not read)' };
    default:
      return observeJsonPath(assertion.property ?? '$', json());
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
function holds(operator: AssertionOperatorName, target: string, rule: SourceRule, seen: Observation): boolean | undefined {
  if (operator === 'Exists') return seen.text !== undefined;
  // Only a value that is not there passes: a body that is not JSON fails every JsonPath assertion.
  if (operator === 'NotExists') return seen.missing === ABSENT;
  const text = seen.text;
  if (text === undefined) return false;
  switch (operator) {
    case 'Equals':
      return equal(text, target, rule.numeric);
    case 'NotEquals':
      return !equal(text, target, rule.numeric);
    case 'Contains':
      return contains(seen, target);
    case 'NotContains':
      return !contains(seen, target);
    case 'Matches':
      return boundedTest(new RegExp(target), text);
    case 'LessThan':
      return compare(text, (actual) => actual < numberOf(target)!);
    case 'GreaterThan':
      return compare(text, (actual) => actual > numberOf(target)!);
    case 'Between': {
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
