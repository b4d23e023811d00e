import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssertionOperator, AssertionSource, type Assertion, type CheckJob, type WebsiteSettings } from '../../../proto/generated/pharos/v1/check.js';
import { toProtoAssertion } from '../../../services/lib/monitors/check-job.js';
import type { MonitorAssertion } from '../../../services/lib/monitors/model.js';
import { CheckPhase, CheckStatus, ErrorKind } from '../../../proto/generated/pharos/v1/result.js';
import { ABSENT, evaluateAssertions, MAX_ACTUAL_LENGTH, type ObservedResponse } from '../../../probe-agent/checks/assertions.js';
import { createCheckers, runCheck } from '../../../probe-agent/checks/registry.js';
import { createWebsiteChecker } from '../../../probe-agent/checks/website.js';
import { settingsProblems } from '../../../probe-agent/checks/registry.js';
import { startHttpTarget, websiteJob, type LocalTarget } from './support/targets.js';

/** An assertion in its REST spelling, e.g. a('JsonPath', '$.status', 'Equals', 'ok'), mapped as the scheduler maps it. */
function a(source: MonitorAssertion['source'], property: string, operator: MonitorAssertion['operator'], target = ''): Assertion {
  return toProtoAssertion({ source, property, operator, target });
}

const HEALTH = {
  status: 'ok',
  version: '1.4.2',
  count: 3,
  ok: true,
  nothing: null,
  latency: 12.5,
  tags: ['prod', 'eu'],
  items: [
    { id: 7, name: 'first' },
    { id: 8, name: 'second' },
  ],
  nested: { deep: { value: 'found' } },
};
const HEALTH_TEXT = JSON.stringify(HEALTH);

function response(body = HEALTH_TEXT, truncated = false): ObservedResponse {
  return {
    statusCode: 200,
    responseTimeMs: 120,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-count': '42', 'set-cookie': ['a=1', 'b=2'] },
    body: { text: body, bytes: Buffer.byteLength(body), truncated },
  };
}

describe('evaluating each source and operator', () => {
  // [source, property, operator, target, passes, actual recorded]
  const cases: [MonitorAssertion['source'], string, MonitorAssertion['operator'], string, boolean, string][] = [
    ['StatusCode', '', 'Equals', '200', true, '200'],
    ['StatusCode', '', 'Equals', '201', false, '200'],
    ['StatusCode', '', 'NotEquals', '500', true, '200'],
    ['StatusCode', '', 'NotEquals', '200', false, '200'],
    ['StatusCode', '', 'LessThan', '300', true, '200'],
    ['StatusCode', '', 'LessThan', '200', false, '200'],
    ['StatusCode', '', 'GreaterThan', '199', true, '200'],
    ['StatusCode', '', 'GreaterThan', '200', false, '200'],
    ['StatusCode', '', 'In', '200,201,204', true, '200'],
    ['StatusCode', '', 'In', '201, 204', false, '200'],
    ['StatusCode', '', 'Between', '200-299', true, '200'],
    ['StatusCode', '', 'Between', '100-200', true, '200'],
    ['StatusCode', '', 'Between', '300-399', false, '200'],
    ['ResponseTime', '', 'LessThan', '500', true, '120'],
    ['ResponseTime', '', 'LessThan', '100', false, '120'],
    ['ResponseTime', '', 'GreaterThan', '100', true, '120'],
    ['ResponseTime', '', 'GreaterThan', '120', false, '120'],
    ['ResponseTime', '', 'Between', '100-120', true, '120'],
    ['ResponseTime', '', 'Between', '0-119.5', false, '120'],
    ['Header', 'Content-Type', 'Equals', 'application/json; charset=utf-8', true, 'application/json; charset=utf-8'],
    ['Header', 'content-type', 'Equals', 'application/json', false, 'application/json; charset=utf-8'],
    ['Header', 'content-type', 'NotEquals', 'text/html', true, 'application/json; charset=utf-8'],
    ['Header', 'content-type', 'NotEquals', 'application/json; charset=utf-8', false, 'application/json; charset=utf-8'],
    ['Header', 'CONTENT-TYPE', 'Contains', 'application/json', true, 'application/json; charset=utf-8'],
    ['Header', 'content-type', 'Contains', 'text/html', false, 'application/json; charset=utf-8'],
    ['Header', 'content-type', 'NotContains', 'xml', true, 'application/json; charset=utf-8'],
    ['Header', 'content-type', 'NotContains', 'json', false, 'application/json; charset=utf-8'],
    ['Header', 'content-type', 'Matches', '^application/(json|xml)', true, 'application/json; charset=utf-8'],
    ['Header', 'content-type', 'Matches', '^text/', false, 'application/json; charset=utf-8'],
    ['Header', 'x-count', 'LessThan', '50', true, '42'],
    ['Header', 'x-count', 'GreaterThan', '50', false, '42'],
    ['Header', 'x-count', 'Between', '40-45', true, '42'],
    ['Header', 'content-type', 'LessThan', '5', false, 'application/json; charset=utf-8'],
    ['Header', 'x-count', 'In', '41,42', true, '42'],
    ['Header', 'x-count', 'In', '1,2', false, '42'],
    ['Header', 'X-Count', 'Exists', '', true, '42'],
    ['Header', 'x-missing', 'Exists', '', false, ABSENT],
    ['Header', 'x-missing', 'NotExists', '', true, ABSENT],
    ['Header', 'x-count', 'NotExists', '', false, '42'],
    ['Header', 'set-cookie', 'Contains', 'b=2', true, 'a=1, b=2'],
    ['Header', 'x-missing', 'NotContains', 'x', false, ABSENT],
    ['Body', '', 'Equals', HEALTH_TEXT, true, HEALTH_TEXT],
    ['Body', '', 'Equals', 'ok', false, HEALTH_TEXT],
    ['Body', '', 'NotEquals', 'ok', true, HEALTH_TEXT],
    ['Body', '', 'NotEquals', HEALTH_TEXT, false, HEALTH_TEXT],
    ['Body', '', 'Contains', '"status":"ok"', true, HEALTH_TEXT],
    ['Body', '', 'Contains', 'degraded', false, HEALTH_TEXT],
    ['Body', '', 'NotContains', 'error', true, HEALTH_TEXT],
    ['Body', '', 'NotContains', 'prod', false, HEALTH_TEXT],
    ['Body', '', 'Matches', '"version":"\\d+\\.\\d+\\.\\d+"', true, HEALTH_TEXT],
    ['Body', '', 'Matches', '^<html', false, HEALTH_TEXT],
    ['JsonPath', '$.status', 'Equals', 'ok', true, 'ok'],
    ['JsonPath', '$.status', 'Equals', 'degraded', false, 'ok'],
    ['JsonPath', '$.ok', 'Equals', 'true', true, 'true'],
    ['JsonPath', '$.count', 'Equals', '3', true, '3'],
    ['JsonPath', '$.nothing', 'Equals', 'null', true, 'null'],
    ['JsonPath', '$.nested.deep', 'Equals', '{"value":"found"}', true, '{"value":"found"}'],
    ['JsonPath', '$.nested.deep.value', 'Equals', 'found', true, 'found'],
    ['JsonPath', '$.items[0].id', 'Equals', '7', true, '7'],
    ['JsonPath', '$.items[1].name', 'Equals', 'first', false, 'second'],
    ['JsonPath', '$.items[*].id', 'Equals', '7', true, '7'],
    ['JsonPath', '$.items.length', 'Equals', '2', true, '2'],
    ['JsonPath', '$.status', 'NotEquals', 'degraded', true, 'ok'],
    ['JsonPath', '$.status', 'NotEquals', 'ok', false, 'ok'],
    ['JsonPath', '$.tags', 'Contains', 'prod', true, '["prod","eu"]'],
    ['JsonPath', '$.tags', 'Contains', 'pro', false, '["prod","eu"]'],
    ['JsonPath', '$.version', 'Contains', '1.4', true, '1.4.2'],
    ['JsonPath', '$.tags', 'NotContains', 'staging', true, '["prod","eu"]'],
    ['JsonPath', '$.tags', 'NotContains', 'eu', false, '["prod","eu"]'],
    ['JsonPath', '$.version', 'Matches', '^1\\.', true, '1.4.2'],
    ['JsonPath', '$.version', 'Matches', '^2\\.', false, '1.4.2'],
    ['JsonPath', '$.count', 'LessThan', '5', true, '3'],
    ['JsonPath', '$.count', 'GreaterThan', '5', false, '3'],
    ['JsonPath', '$.latency', 'Between', '10-15', true, '12.5'],
    ['JsonPath', '$.latency', 'Between', '13-15', false, '12.5'],
    ['JsonPath', '$.status', 'LessThan', '5', false, 'ok'],
    ['JsonPath', '$.status', 'In', 'ok,degraded', true, 'ok'],
    ['JsonPath', '$.status', 'In', 'down, degraded', false, 'ok'],
    ['JsonPath', '$.nested', 'Exists', '', true, '{"deep":{"value":"found"}}'],
    ['JsonPath', '$.nothing', 'Exists', '', true, 'null'],
    ['JsonPath', '$.missing', 'Exists', '', false, ABSENT],
    ['JsonPath', '$.missing', 'NotExists', '', true, ABSENT],
    ['JsonPath', '$.status', 'NotExists', '', false, 'ok'],
    ['JsonPath', '$.missing', 'Equals', 'x', false, ABSENT],
  ];

  it.each(cases)('%s %s %s "%s" → passed=%s, actual %s', (source, property, operator, target, passed, actual) => {
    const { outcomes } = evaluateAssertions([a(source, property, operator, target)], response());
    expect(outcomes).toEqual([
      { source: property ? `${source} ${property}` : source, operator, expected: target, actual: actual.slice(0, MAX_ACTUAL_LENGTH), passed },
    ]);
  });

  it('records every assertion and names the first that failed', () => {
    const verdict = evaluateAssertions(
      [a('StatusCode', '', 'Equals', '200'), a('JsonPath', '$.status', 'Equals', 'degraded'), a('Header', 'x-trace', 'Exists')],
      response(),
    );
    expect(verdict.outcomes.map((o) => o.passed)).toEqual([true, false, false]);
    expect(verdict.failure).toBe('JsonPath $.status Equals "degraded": got "ok"');
  });

  it('does not quote markers such as (absent) in the failure message', () => {
    expect(evaluateAssertions([a('Header', 'x-trace', 'Exists')], response()).failure).toBe('Header x-trace Exists: got (absent)');
  });

  it('has no failure when every assertion held', () => {
    expect(evaluateAssertions([a('StatusCode', '', 'Between', '200-299')], response()).failure).toBeUndefined();
  });

  it('cuts a long actual value', () => {
    const long = 'x'.repeat(1000);
    const [outcome] = evaluateAssertions([a('Body', '', 'Contains', 'y')], response(long)).outcomes;
    expect(outcome.actual).toBe(`${'x'.repeat(MAX_ACTUAL_LENGTH)}…`);
  });

  it('fails every JsonPath assertion on a body that is not JSON, NotExists included', () => {
    const { outcomes } = evaluateAssertions(
      [a('JsonPath', '$.status', 'Exists'), a('JsonPath', '$.status', 'NotExists'), a('JsonPath', '$.status', 'NotEquals', 'x')],
      response('<html>ok</html>'),
    );
    expect(outcomes.map((o) => [o.passed, o.actual])).toEqual([
      [false, '(body is not JSON)'],
      [false, '(body is not JSON)'],
      [false, '(body is not JSON)'],
    ]);
  });

  it('fails a JsonPath assertion on a truncated body, saying where it was cut', () => {
    const [outcome] = evaluateAssertions([a('JsonPath', '$.status', 'Exists')], response('{"status":"o', true)).outcomes;
    expect(outcome).toMatchObject({ passed: false, actual: '(body truncated at 12 bytes)' });
  });

  it('stops a catastrophically backtracking pattern and fails it', () => {
    const started = performance.now();
    const [outcome] = evaluateAssertions([a('Body', '', 'Matches', '^(a+)+$')], response(`${'a'.repeat(40)}!`)).outcomes;
    expect(outcome.passed).toBe(false);
    expect(outcome.actual).toMatch(/regular expression took longer than \d+ ms/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('validating assertions', () => {
  const problemsOf = (assertions: Assertion[], extra: Partial<WebsiteSettings> = {}) => {
    const job = websiteJob({ url: 'https://example.test/', assertions, ...extra });
    if (job.settings?.$case !== 'website') throw new Error('websiteJob built another check type');
    return settingsProblems({ ...job, settings: job.settings });
  };

  it('accepts sensible assertions', () => {
    expect(
      problemsOf([
        a('StatusCode', '', 'In', '200, 201,204'),
        a('ResponseTime', '', 'LessThan', '1500'),
        a('Header', 'Content-Type', 'Matches', '^application/json'),
        a('Header', 'x-cache', 'NotExists'),
        a('Body', '', 'Contains', 'pharos'),
        a('JsonPath', '$.items[0].id', 'Equals', '7'),
        a('JsonPath', '$.items.length', 'Between', '1-10'),
      ]),
    ).toEqual([]);
  });

  it.each([
    [a('ResponseTime', '', 'Matches', '^1'), 'assertions[0] operator Matches does not apply to ResponseTime'],
    [a('Body', '', 'LessThan', '3'), 'assertions[0] operator LessThan does not apply to Body'],
    [a('StatusCode', '', 'Contains', '20'), 'assertions[0] operator Contains does not apply to StatusCode'],
    [a('StatusCode', '', 'Exists'), 'assertions[0] operator Exists does not apply to StatusCode'],
    [a('Header', 'x-count', 'LessThan', 'abc'), 'assertions[0] target must be a number'],
    [a('StatusCode', '', 'Equals', 'ok'), 'assertions[0] target must be a number'],
    [a('Header', '', 'Exists'), 'assertions[0] property must be a header name'],
    [a('Header', 'bad name', 'Exists'), 'assertions[0] property must be a header name'],
    [a('JsonPath', '', 'Exists'), 'assertions[0] property must be a JSONPath starting with $'],
    [a('JsonPath', 'status', 'Exists'), 'assertions[0] property must be a JSONPath starting with $'],
    [a('JsonPath', '$.items[?(@.id==8)]', 'Exists'), 'assertions[0] property must not use script expressions such as [?(...)] or [(...)]'],
    [a('JsonPath', '$.items[(@.length-1)]', 'Exists'), 'assertions[0] property must not use script expressions such as [?(...)] or [(...)]'],
    [a('StatusCode', 'x', 'Equals', '200'), 'assertions[0] property applies only to Header and JsonPath, not StatusCode'],
    [a('Body', '', 'Matches', '([a-z'), 'assertions[0] target must be a valid regular expression'],
    [a('Body', '', 'Matches', 'a'.repeat(257)), 'assertions[0] target must be a regular expression of at most 256 characters'],
    [a('Body', '', 'Contains', 'a'.repeat(1025)), 'assertions[0] target must be at most 1024 characters'],
    [a('StatusCode', '', 'Between', '299-200'), 'assertions[0] target must be an inclusive range such as 200-299'],
    [a('StatusCode', '', 'Between', '200'), 'assertions[0] target must be an inclusive range such as 200-299'],
    [a('StatusCode', '', 'In', '200,,204'), 'assertions[0] target must be a comma-separated list such as 200,201,204'],
    [a('StatusCode', '', 'In', 'ok,fine'), 'assertions[0] target must be a comma-separated list of numbers'],
    [a('Header', 'x-a', 'Exists', 'yes'), 'assertions[0] target must be empty for Exists'],
    [a('Body', '', 'Contains', ''), 'assertions[0] target must not be empty'],
    [{ ...a('Body', '', 'Contains', 'x'), source: AssertionSource.ASSERTION_SOURCE_UNSPECIFIED }, 'assertions[0] source is not supported'],
    [{ ...a('Body', '', 'Contains', 'x'), operator: 99 as AssertionOperator }, 'assertions[0] operator is not supported'],
  ])('refuses %j: %s', (assertion, problem) => {
    expect(problemsOf([assertion])).toEqual([problem]);
  });

  it('names the index of the assertion at fault', () => {
    expect(problemsOf([a('StatusCode', '', 'Equals', '200'), a('JsonPath', '$.a', 'LessThan', 'x')])).toEqual([
      'assertions[1] target must be a number',
    ]);
  });

  it('refuses more than 20 assertions', () => {
    expect(problemsOf(Array.from({ length: 21 }, () => a('StatusCode', '', 'Equals', '200')))).toEqual([
      'assertions must have at most 20 entries',
    ]);
  });

  it.each([-1, 366, 1.5])('refuses sslExpiryWarningDays %s', (days) => {
    expect(problemsOf([], { sslExpiryWarningDays: days })).toEqual(['sslExpiryWarningDays must be from 0 to 365']);
  });
});

describe('assertions in a website check', () => {
  let target: LocalTarget;
  const checkers = createCheckers();
  const run = (job: CheckJob, table = checkers) => runCheck(table, job, new AbortController().signal);

  beforeAll(async () => {
    target = await startHttpTarget((req: http.IncomingMessage, res: http.ServerResponse) => {
      switch (req.url) {
        case '/health':
          res.writeHead(200, { 'content-type': 'application/json', 'x-region': 'eu' }).end(JSON.stringify({ ...HEALTH, status: 'degraded' }));
          return;
        case '/unavailable':
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"down"}');
          return;
        case '/html':
          res.end('<html>hello</html>');
          return;
        case '/endless':
          // Headers and a first chunk, then the body never ends: only a check that reads it waits.
          res.writeHead(200, { 'content-type': 'application/json', 'x-region': 'eu' });
          res.write('{"status":');
          return;
        default:
          res.writeHead(404).end();
      }
    });
  });

  afterAll(async () => {
    await target.close();
  });

  it('is DOWN with an assertion error naming the first failure, recording every assertion', async () => {
    const outcome = await run(
      websiteJob({
        url: `${target.url}/health`,
        assertions: [
          a('StatusCode', '', 'Equals', '200'),
          a('JsonPath', '$.status', 'Equals', 'ok'),
          a('Header', 'X-Region', 'Equals', 'eu'),
          a('Body', '', 'Contains', 'nowhere'),
        ],
      }),
    );
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_DOWN);
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_ASSERTION);
    expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_ASSERTION);
    expect(outcome.errorMessage).toBe('JsonPath $.status Equals "ok": got "degraded"');
    expect(outcome.statusCode).toBe(200);
    expect(outcome.assertions?.map(({ source, operator, expected, actual, passed }) => [source, operator, expected, actual.slice(0, 20), passed])).toEqual([
      ['StatusCode', 'Equals', '200', '200', true],
      ['JsonPath $.status', 'Equals', 'ok', 'degraded', false],
      ['Header X-Region', 'Equals', 'eu', 'eu', true],
      ['Body', 'Contains', 'nowhere', '{"status":"degraded"', false],
    ]);
  });

  it('is UP when every assertion holds, with the outcomes recorded', async () => {
    const outcome = await run(
      websiteJob({ url: `${target.url}/health`, assertions: [a('JsonPath', '$.status', 'In', 'ok,degraded'), a('ResponseTime', '', 'LessThan', '60000')] }),
    );
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.assertions?.map((o) => o.passed)).toEqual([true, true]);
    expect(outcome.assertions?.[1].actual).toBe(String(outcome.timings.totalMs));
  });

  it('records no assertions for a check without any', async () => {
    const outcome = await run(websiteJob({ url: `${target.url}/health` }));
    expect(outcome.assertions).toBeUndefined();
  });

  it('lets a StatusCode assertion own the status instead of expectedStatusCode', async () => {
    const owned = await run(websiteJob({ url: `${target.url}/unavailable`, assertions: [a('StatusCode', '', 'Equals', '503')] }));
    expect(owned.status).toBe(CheckStatus.CHECK_STATUS_UP);

    const refused = await run(websiteJob({ url: `${target.url}/unavailable`, assertions: [a('StatusCode', '', 'Between', '200-299')] }));
    expect(refused.errorKind).toBe(ErrorKind.ERROR_KIND_ASSERTION);
    expect(refused.errorMessage).toBe('StatusCode Between "200-299": got "503"');
  });

  it('keeps the legacy status rule without a StatusCode assertion, still recording the others', async () => {
    const outcome = await run(websiteJob({ url: `${target.url}/unavailable`, assertions: [a('JsonPath', '$.status', 'Equals', 'down')] }));
    expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_UNEXPECTED_STATUS);
    expect(outcome.assertions).toEqual([{ source: 'JsonPath $.status', operator: 'Equals', expected: 'down', actual: 'down', passed: true }]);
  });

  it('says a JSON assertion failed on a body that is not JSON', async () => {
    const outcome = await run(websiteJob({ url: `${target.url}/html`, assertions: [a('JsonPath', '$.status', 'Exists')] }));
    expect(outcome.errorMessage).toBe('JsonPath $.status Exists: got (body is not JSON)');
  });

  it('says a JSON assertion failed on a body cut at maxBodyBytes', async () => {
    const small = { ...checkers, website: createWebsiteChecker({ maxBodyBytes: 16 }) };
    const outcome = await run(websiteJob({ url: `${target.url}/health`, assertions: [a('JsonPath', '$.status', 'Exists')] }), small);
    expect(outcome.assertions?.[0]).toMatchObject({ passed: false, actual: '(body truncated at 16 bytes)' });
  });

  it('does not read the body when no assertion needs it', async () => {
    const outcome = await run(
      websiteJob({ url: `${target.url}/endless`, assertions: [a('StatusCode', '', 'Equals', '200'), a('Header', 'x-region', 'Equals', 'eu')] }, 2_000),
    );
    expect(outcome.status).toBe(CheckStatus.CHECK_STATUS_UP);
    expect(outcome.timings.transferMs).toBe(0);
  });

  it('reads the body when a Body or JsonPath assertion needs it', async () => {
    for (const assertion of [a('Body', '', 'Contains', 'status'), a('JsonPath', '$.status', 'Exists')]) {
      const outcome = await run(websiteJob({ url: `${target.url}/endless`, assertions: [assertion] }, 300));
      expect(outcome.errorKind).toBe(ErrorKind.ERROR_KIND_TIMEOUT);
      expect(outcome.errorPhase).toBe(CheckPhase.CHECK_PHASE_TRANSFER);
    }
  });
});
