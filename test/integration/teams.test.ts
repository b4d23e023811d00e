import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';

let h: ApiHarness;
beforeAll(async () => { h = await startApiHarness(); });
afterAll(async () => h?.close());

const call = (method: string, url: string, key: string, payload?: object) =>
  h.app.inject({ method: method as 'GET', url, headers: { 'x-api-key': key }, payload });

describe('teams', () => {
  it('creates, lists, reads, updates and deletes teams; adds, lists and removes members', async () => {
    const { key } = await h.tenant();
    const created = await call('POST', '/api/teams', key, { name: 'On-call', description: 'Primary rotation' });
    expect(created.statusCode).toBe(201);
    const team = created.json();
    expect(team).toMatchObject({ id: expect.stringMatching(/^team_/), name: 'On-call', description: 'Primary rotation', memberCount: 0 });
    expect((await call('POST', '/api/teams', key, { name: 'On-call' })).statusCode).toBe(409);

    const member = await call('POST', `/api/teams/${team.id}/members`, key, { name: 'Ada', email: 'ada@example.test', role: 'Admin' });
    expect(member.statusCode).toBe(201);
    expect(member.json()).toMatchObject({ id: expect.stringMatching(/^mem_/), name: 'Ada', email: 'ada@example.test', role: 'Admin' });
    expect((await call('POST', `/api/teams/${team.id}/members`, key, { name: 'Bob', email: 'bob@example.test' })).json().role).toBe('Member');
    expect((await call('POST', `/api/teams/${team.id}/members`, key, { name: 'Ada again', email: 'ADA@example.test' })).statusCode).toBe(409);
    expect((await call('POST', `/api/teams/${team.id}/members`, key, { name: 'X', email: 'not-an-email' })).json().details[0].field).toBe('/email');
    expect((await call('POST', `/api/teams/${team.id}/members`, key, { name: 'X', email: 'x@example.test', role: 'God' })).statusCode).toBe(400);

    const members = (await call('GET', `/api/teams/${team.id}/members`, key)).json();
    expect(members.totalCount).toBe(2);
    expect((await call('GET', `/api/teams/${team.id}`, key)).json().memberCount).toBe(2);
    expect((await call('DELETE', `/api/teams/${team.id}/members/${member.json().id}`, key)).statusCode).toBe(204);
    expect((await call('GET', `/api/teams/${team.id}/members`, key)).json().items.map((m: { name: string }) => m.name)).toEqual(['Bob']);

    const updated = await call('PUT', `/api/teams/${team.id}`, key, { name: 'SRE' });
    expect(updated.json()).toMatchObject({ name: 'SRE', description: null });
    expect((await call('GET', '/api/teams', key)).json()).toMatchObject({ totalCount: 1, items: [expect.objectContaining({ name: 'SRE' })] });
    expect((await call('DELETE', `/api/teams/${team.id}`, key)).statusCode).toBe(204);
    expect((await call('GET', `/api/teams/${team.id}`, key)).statusCode).toBe(404);
  });

  it('keeps teams inside their organization', async () => {
    const a = await h.tenant();
    const b = await h.tenant();
    const team = (await call('POST', '/api/teams', a.key, { name: 'Private' })).json();
    for (const [method, url, body] of [
      ['GET', `/api/teams/${team.id}`], ['PUT', `/api/teams/${team.id}`, { name: 'x' }], ['DELETE', `/api/teams/${team.id}`],
      ['GET', `/api/teams/${team.id}/members`], ['POST', `/api/teams/${team.id}/members`, { name: 'x', email: 'x@example.test' }],
    ] as const) {
      expect((await call(method, url, b.key, body)).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await call('GET', '/api/teams', b.key)).json().totalCount).toBe(0);
  });

  it('enforces the plan: Base allows 2 teams and 3 members per team', async () => {
    const { key } = await h.tenant(['*'], 'base');
    const t1 = (await call('POST', '/api/teams', key, { name: 'one' })).json();
    expect((await call('POST', '/api/teams', key, { name: 'two' })).statusCode).toBe(201);
    const third = await call('POST', '/api/teams', key, { name: 'three' });
    expect(third.statusCode).toBe(403);
    expect(third.json()).toMatchObject({ code: 'PLAN_LIMIT_EXCEEDED', message: 'Your Base plan allows 2 teams. Upgrade to Pro for up to 10.' });
    for (let i = 0; i < 3; i++) expect((await call('POST', `/api/teams/${t1.id}/members`, key, { name: `m${i}`, email: `m${i}@example.test` })).statusCode).toBe(201);
    const fourth = await call('POST', `/api/teams/${t1.id}/members`, key, { name: 'm3', email: 'm3@example.test' });
    expect(fourth.json()).toMatchObject({ code: 'PLAN_LIMIT_EXCEEDED', message: 'Your Base plan allows 3 members per team. Upgrade to Pro for up to 10.' });
  });
});
