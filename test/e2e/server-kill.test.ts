import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import path from 'node:path';
import { apiClient, runPharos, startPharos, startTarget, type PharosProcess } from '../support/processes.js';
import { eventually, realService } from '../support/services.js';
import { serverNetwork } from '../support/server-network.js';

/**
 * `kill -9` of `pharos server` (scheduler, ingest and api in one process) and an immediate
 * restart, with an agent over the machine's real NATS, Postgres and Redis: every slot of a
 * 1 s monitor from its first result on is in the result list exactly once — a real result, or
 * `Missed` with `scheduler_down` for the slots no scheduler published — none absent, none
 * twice (docs/decisions.md, "No silent gaps").
 */
const serviceDatabaseUrl = realService('database');
const serviceNatsUrl = realService('nats');
const serviceRedisUrl = realService('redis');
const available = Boolean(serviceDatabaseUrl && serviceNatsUrl && serviceRedisUrl);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Item { id: string; status: string; error: { kind: string } | null }

describe.skipIf(!available)('pharos server killed with kill -9 and restarted (needs the three services)', () => {
  const [databaseUrl, natsUrl, redisUrl] = [serviceDatabaseUrl!, serviceNatsUrl!, serviceRedisUrl!];
  const procs: PharosProcess[] = [];
  let dispose: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await dispose?.();
  });

  it('accounts for every slot across the restart: stored once or missed, none absent', async () => {
    // The agent dials ingest at one address: the restarted server must listen there again.
    const grpcPort = await freePort();
    const network = serverNetwork({ databaseUrl, natsUrl, redisUrl }, {
      PHAROS_REGIONS: 'EuWest', PHAROS_MIN_INTERVAL_SECONDS: '1', PHAROS_GRPC_PORT: String(grpcPort),
      PHAROS_PRESENCE_INTERVAL_MS: '1000', PHAROS_ALLOW_PRIVATE_TARGETS: 'true',
    });
    dispose = () => network.dispose();
    const { env, prefix, adminKey } = network;
    const target = await startTarget();
    const outputs: Array<[string, PharosProcess]> = [];
    // A wait that times out says what the processes logged (the scheduler's takeover, ingest).
    const ends = (text: string) => (text.length > 24_000 ? `${text.slice(0, 12_000)}\n…\n${text.slice(-12_000)}` : text);
    const logs = () => outputs.map(([name, p]) => `--- ${name} ---\n${ends(p.output())}`).join('\n');
    const startServer = async () => {
      const server = startPharos(['server'], { ...env, PHAROS_LOG_LEVEL: 'info' });
      outputs.push([outputs.length ? 'server after the restart' : 'server before the kill', server]);
      procs.push(server);
      const [, apiUrl] = await server.waitFor(/API: (http:\/\/\S+)/);
      return { server, enori: apiClient(apiUrl, adminKey) };
    };
    let { server, enori } = await startServer();
    const token = (await runPharos(['agent-token', 'create', '--region', 'EuWest', '--name', 'vm-kill'], env)).trim().split('\n').pop()!;
    const agent = startPharos(['agent', '--region', 'EuWest'], {
      PHAROS_AGENT_DATA_DIR: path.join(env.PHAROS_DATA_DIR, 'agent-EuWest'), PHAROS_NATS_URL: natsUrl, PHAROS_NATS_PREFIX: prefix,
      PHAROS_AGENT_TOKEN: token, PHAROS_INGEST_ADDRESS: `127.0.0.1:${grpcPort}`, PHAROS_AGENT_ID: 'agent-kill',
      PHAROS_PRESENCE_INTERVAL_MS: '1000', PHAROS_AGENT_BATCH_DELAY_MS: '50', PHAROS_ALLOW_PRIVATE_TARGETS: 'true',
    });
    procs.push(agent);
    outputs.push(['agent', agent]);
    await agent.waitFor(/serving region EuWest/);

    const created = await enori('/api/monitors', { method: 'POST', body: { name: 'Kill Me', type: 'Website', url: target.url, intervalSeconds: 1, regions: ['EuWest'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const items = async () => (await enori(`/api/monitors/${id}/results?limit=1000`)).body.items as Item[];
    const slotOf = (item: Item) => Number(item.id.split('.').pop());
    await eventually(async () => (await items()).length >= 3, { timeoutMs: 30_000, intervalMs: 500, what: 'results before the kill' });

    // The monitor's 1 s grid, from its newest result (the creation's check is off the grid).
    const grid = Math.max(...(await items()).map(slotOf)) % 1_000;

    expect(await server.stop('SIGKILL')).toBe(null);
    const killedAt = Date.now();
    // The outage must span a slot: the built server restarts in about a second, and a restart
    // inside one interval leaves no slot unpublished. So it stays down until the monitor's
    // first slot after the kill has fallen due.
    const firstSlotAfterKill = killedAt - ((killedAt - grid) % 1_000) + 1_000;
    await eventually(() => Date.now() > firstSlotAfterKill + 250, { timeoutMs: 5_000, intervalMs: 50, what: 'a slot of the monitor to fall due during the outage' });
    ({ server, enori } = await startServer());
    const restartedAt = Date.now();

    // The takeover's records wait the monitor's timeout plus 5 s; then slots after the
    // restart keep coming.
    await eventually(async () => (await items()).some((i) => i.status === 'Missed' && slotOf(i) > killedAt), { timeoutMs: 30_000, intervalMs: 1_000, what: () => `missed records for the outage (killed at ${killedAt}, restarted at ${restartedAt})\n${logs()}` });
    const cutoff = Date.now() - 3_000;
    await eventually(async () => (await items()).some((i) => slotOf(i) > cutoff + 3_000 && i.status === 'Up'), { timeoutMs: 30_000, intervalMs: 1_000, what: () => `results after the restart\n${logs()}` });

    const all = await items();
    const ids = all.map((i) => i.id);
    expect(new Set(ids).size, 'a slot listed twice').toBe(ids.length);
    // The first result is the check a creation runs at once, off the monitor's 1 s grid.
    const window = all.filter((i) => slotOf(i) <= cutoff).sort((a, b) => slotOf(a) - slotOf(b)).slice(1);
    const slots = window.map(slotOf);
    // None absent: one slot a second from the first result to the cutoff.
    for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1], `gap after ${slots[i - 1]}`).toBe(1_000);
    expect(slots[0]).toBeLessThan(killedAt);
    expect(slots.at(-1)!).toBeGreaterThan(restartedAt);
    for (const i of window) {
      // Down only if a 1 s check timed out on a loaded machine: a real result all the same.
      expect(['Up', 'Down', 'Missed', 'Skipped'], i.id).toContain(i.status);
      if (i.status === 'Missed') expect(i.error?.kind, i.id).toBe('scheduler_down');
    }
    // The outage is in the data as missed slots, not as silence.
    expect(window.filter((i) => i.status === 'Missed' && slotOf(i) > killedAt && slotOf(i) < restartedAt).length).toBeGreaterThanOrEqual(1);
    await target.close();
  }, 180_000);
});
