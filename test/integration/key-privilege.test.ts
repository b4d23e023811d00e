import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../support/api-harness.js';

/** Least privilege for key management: `keys:write` reaches only keys no stronger than the caller. */
let h: ApiHarness;
beforeAll(async () => { h = await startApiHarness(); });
afterAll(async () => h?.close());

const req = (method: 'GET' | 'POST' | 'DELETE', url: string, key: string, payload?: object) =>
  h.app.inject({ method, url, headers: { 'x-api-key': key }, payload });

async function keyIds(key: string): Promise<string[]> {
  return (await req('GET', '/api/keys', key)).json().items.map((k: { id: string }) => k.id);
}

describe('key management scopes', () => {
  it('refuses to revoke a full-access key with a key that holds only keys:write, and keeps it working', async () => {
    const { key: owner } = await h.tenant(['*']);
    const ownerId = (await keyIds(owner))[0];
    const manager = (await req('POST', '/api/keys', owner, { name: 'rotator', scopes: ['keys:read', 'keys:write'] })).json();

    const res = await req('DELETE', `/api/keys/${ownerId}`, manager.key);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'INSUFFICIENT_SCOPE', message: expect.stringContaining('"*"') });
    expect(await keyIds(owner)).toContain(ownerId);
    expect((await req('GET', '/api/monitors', owner)).statusCode).toBe(200);
  });

  it('refuses to revoke a key holding a scope the caller lacks, naming the scope', async () => {
    const { key: owner } = await h.tenant(['*']);
    const manager = (await req('POST', '/api/keys', owner, { name: 'm', scopes: ['keys:write', 'keys:read', 'monitors:read'] })).json();
    const writer = (await req('POST', '/api/keys', owner, { name: 'w', scopes: ['monitors:read', 'monitors:write'] })).json();
    const res = await req('DELETE', `/api/keys/${writer.id}`, manager.key);
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain('"monitors:write"');
    expect(res.json().message).not.toContain('"monitors:read"');
    expect(await keyIds(owner)).toContain(writer.id);
  });

  it('lets a keys:write key revoke keys within its own scopes, itself included', async () => {
    const { key: owner } = await h.tenant(['*']);
    const manager = (await req('POST', '/api/keys', owner, { name: 'm', scopes: ['keys:write', 'monitors:read'] })).json();
    const reader = (await req('POST', '/api/keys', owner, { name: 'r', scopes: ['monitors:read'] })).json();
    expect((await req('DELETE', `/api/keys/${reader.id}`, manager.key)).statusCode).toBe(204);
    expect((await req('GET', '/api/monitors', reader.key)).statusCode).toBe(401);
    expect((await req('DELETE', `/api/keys/${manager.id}`, manager.key)).statusCode).toBe(204);
    expect(await keyIds(owner)).not.toContain(manager.id);
  });

  it('refuses to create a key with * or a scope the caller lacks, and creates nothing', async () => {
    const { key: owner } = await h.tenant(['*']);
    const manager = (await req('POST', '/api/keys', owner, { name: 'm', scopes: ['keys:write', 'keys:read', 'monitors:read'] })).json();
    const before = await keyIds(owner);
    for (const scopes of [['*'], ['monitors:read', 'monitors:write']]) {
      const res = await req('POST', '/api/keys', manager.key, { name: 'x', scopes });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'INSUFFICIENT_SCOPE', message: expect.stringContaining(`"${scopes.at(-1)}"`) });
    }
    expect(await keyIds(owner)).toEqual(before);
    expect((await req('POST', '/api/keys', manager.key, { name: 'ok', scopes: ['monitors:read'] })).statusCode).toBe(201);
  });

  it('still answers 404 for a key of another organization, revealing nothing about its scopes', async () => {
    const { key: a } = await h.tenant(['keys:write']);
    const { key: b } = await h.tenant(['*']);
    const bId = (await keyIds(b))[0];
    expect((await req('DELETE', `/api/keys/${bId}`, a)).statusCode).toBe(404);
  });
});
