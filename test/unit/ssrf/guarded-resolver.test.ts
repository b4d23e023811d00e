import { describe, expect, it } from 'vitest';
import { BlockedTargetError } from '../../../probe-agent/checks/target-resolver.js';
import { BlockedTargetError as SharedBlockedTargetError } from '../../../services/lib/ssrf/blocked-target-error.js';
import { createGuardedResolver, type AddressLookup, type LookupAnswer } from '../../../services/lib/ssrf/guarded-resolver.js';

const signal = new AbortController().signal;

/** A lookup answering from a table, recording each name asked. */
function tableLookup(table: Record<string, Array<string | LookupAnswer>>): AddressLookup & { asked: string[] } {
  const asked: string[] = [];
  const lookup = async (hostname: string) => {
    asked.push(hostname);
    return (table[hostname] ?? []).map((a) => (typeof a === 'string' ? { address: a, family: a.includes(':') ? 6 : 4 } : a));
  };
  return Object.assign(lookup, { asked });
}

async function refusal(work: Promise<unknown>): Promise<BlockedTargetError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BlockedTargetError);
  return err as BlockedTargetError;
}

describe('guarded resolver', () => {
  it('is the one error type the agent maps to BLOCKED_TARGET', () => {
    expect(BlockedTargetError).toBe(SharedBlockedTargetError);
  });

  it('returns the address of a name whose answers are all public', async () => {
    const resolve = createGuardedResolver({ allowPrivateTargets: false, lookup: tableLookup({ 'public.test': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] }) });
    await expect(resolve('public.test', signal)).resolves.toEqual({ address: '93.184.215.14', family: 4 });
  });

  it('refuses the second hop of a DNS rebinding (public first, private next)', async () => {
    let calls = 0;
    const rebinding: AddressLookup = async () => [{ address: calls++ === 0 ? '93.184.215.14' : '10.0.0.5', family: 4 }];
    const resolve = createGuardedResolver({ allowPrivateTargets: false, lookup: rebinding });
    await expect(resolve('rebind.test', signal)).resolves.toEqual({ address: '93.184.215.14', family: 4 });
    const err = await refusal(resolve('rebind.test', signal));
    expect(err.message).toBe('target 10.0.0.5 (rebind.test) is in a private range (10.0.0.0/8); private targets are disabled on this network');
    expect(calls).toBe(2);
  });

  it('checks literal addresses without a lookup, bracketed IPv6 included', async () => {
    const lookup = tableLookup({});
    const resolve = createGuardedResolver({ allowPrivateTargets: false, lookup });
    expect((await refusal(resolve('10.1.2.3', signal))).message).toBe(
      'target 10.1.2.3 is in a private range (10.0.0.0/8); private targets are disabled on this network',
    );
    expect((await refusal(resolve('[::1]', signal))).message).toMatch(/^target ::1 is in the loopback range \(::1\/128\)/);
    expect((await refusal(resolve('[::ffff:7f00:1]', signal))).message).toMatch(/IPv4-mapped form of 127\.0\.0\.1, which is in the loopback range/);
    await expect(resolve('8.8.8.8', signal)).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(resolve('[2001:4860:4860::8888]', signal)).resolves.toEqual({ address: '2001:4860:4860::8888', family: 6 });
    expect(lookup.asked).toEqual([]);
  });

  it('refuses a name if any of its addresses is blocked, whatever the order', async () => {
    const lookup = tableLookup({
      'mixed.test': ['93.184.215.14', '192.168.0.10'],
      'mixed6.test': ['fd00::7', '93.184.215.14'],
    });
    const resolve = createGuardedResolver({ allowPrivateTargets: false, lookup });
    const err = await refusal(resolve('mixed.test', signal));
    expect(err.message).toBe(
      'target 192.168.0.10 (mixed.test) is in a private range (192.168.0.0/16); private targets are disabled on this network (mixed.test has 2 addresses; every one must be allowed)',
    );
    await refusal(resolve('mixed6.test', signal));
  });

  it('refuses names that resolve to loopback (localhost)', async () => {
    const resolve = createGuardedResolver({ allowPrivateTargets: false, lookup: tableLookup({ localhost: ['127.0.0.1', '::1'] }) });
    expect((await refusal(resolve('localhost', signal))).message).toMatch(/^target 127\.0\.0\.1 \(localhost\) is in the loopback range/);
  });

  it('lets loopback and private addresses through when private targets are allowed, but never cloud metadata', async () => {
    const lookup = tableLookup({ 'metadata.test': ['169.254.169.254'], 'imds6.test': ['fd00:ec2::254'], 'lan.test': ['10.0.0.5'] });
    const resolve = createGuardedResolver({ allowPrivateTargets: true, lookup });
    await expect(resolve('127.0.0.1', signal)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(resolve('lan.test', signal)).resolves.toEqual({ address: '10.0.0.5', family: 4 });
    expect((await refusal(resolve('169.254.169.254', signal))).message).toBe(
      'target 169.254.169.254 is a cloud metadata endpoint (169.254.169.254/32); metadata endpoints are refused even where private targets are allowed',
    );
    expect((await refusal(resolve('metadata.test', signal))).message).toMatch(/^target 169\.254\.169\.254 \(metadata\.test\) is a cloud metadata endpoint/);
    await refusal(resolve('imds6.test', signal));
    await refusal(resolve('[::ffff:169.254.169.254]', signal));
  });

  it('fails like DNS for .invalid names and names without addresses, without refusing them', async () => {
    const lookup = tableLookup({});
    const resolve = createGuardedResolver({ allowPrivateTargets: false, lookup });
    await expect(resolve('nothing.invalid', signal)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolve('empty.test', signal)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(lookup.asked).toEqual(['empty.test']);
  });

  it('ends when the signal aborts, even if the lookup never answers', async () => {
    const controller = new AbortController();
    const resolve = createGuardedResolver({ allowPrivateTargets: false, lookup: () => new Promise(() => undefined) });
    const pending = resolve('slow.test', controller.signal);
    controller.abort(new DOMException('timed out', 'TimeoutError'));
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('uses the system resolver by default (localhost, no traffic beyond loopback)', async () => {
    const resolve = createGuardedResolver({ allowPrivateTargets: false });
    await refusal(resolve('localhost', signal));
    const lenient = createGuardedResolver({ allowPrivateTargets: true });
    await expect(lenient('localhost', signal)).resolves.toMatchObject({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) });
  });
});
