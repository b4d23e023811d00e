/**
 * The production path between a probe agent and ingest: gRPC over TLS, the agent trusting
 * the operator's CA file, the agent's real checker and ingest's real store.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CheckJob, CheckType } from '../../proto/generated/pharos/v1/check.js';
import { startAgent } from '../../probe-agent/agent.js';
import { createCheckers } from '../../probe-agent/checks/registry.js';
import { startIngest } from '../../services/ingest/server.js';
import { loadConfig } from '../../services/lib/config.js';
import { createLogger } from '../../services/lib/logger.js';
import { subjectsFor } from '../../services/lib/subjects.js';
import { MemoryJobBus } from '../../services/lib/adapters/memory/job-bus.js';
import { MemoryHotState } from '../../services/lib/adapters/memory/hot-state.js';
import { openChdbResultStore } from '../../services/lib/results/open.js';
import { generateCertificate } from '../unit/checks/support/targets.js';
import { eventually } from '../support/services.js';

describe('agent to ingest over TLS', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pharos-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers, and delivers a result that ingest stores, only when the agent trusts the server certificate', async () => {
    const cert = await generateCertificate();
    writeFileSync(path.join(dir, 'ingest.crt'), cert.cert);
    writeFileSync(path.join(dir, 'ingest.key'), cert.key);
    const config = loadConfig('dev', {
      PHAROS_GRPC_TLS_CERT: path.join(dir, 'ingest.crt'),
      PHAROS_GRPC_TLS_KEY: path.join(dir, 'ingest.key'),
      PHAROS_REGIONS: 'EuWest',
      PHAROS_AGENT_BATCH_DELAY_MS: '20',
      PHAROS_DATA_DIR: dir,
    });
    const logger = createLogger('silent');
    const bus = new MemoryJobBus();
    const subjects = subjectsFor('tls');
    const store = openChdbResultStore(path.join(dir, 'ch'), 'pharos');
    await store.migrate();
    const ingest = await startIngest({
      config, resultStore: store, bus, subjects, hotState: new MemoryHotState(), logger,
      tokens: { verify: async (t) => (t === 'tok-eu-0123456789abcdef0123' ? { tokenId: 'agt_1', region: 'EuWest', name: 'vm' } : null) },
    });
    const target = net.createServer((s) => s.end());
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetPort = (target.address() as net.AddressInfo).port;
    try {
      // Without the CA the agent cannot verify ingest's certificate and never registers.
      const untrusting = await startAgent({
        config: { ...config.agent, ingestAddress: `localhost:${ingest.port}`, ingestTls: true, agentId: 'untrusting' },
        region: 'EuWest', token: 'tok-eu-0123456789abcdef0123', bus: new MemoryJobBus(), subjects, logger, checkers: createCheckers(),
      });
      expect(untrusting.stats()).toMatchObject({ connected: false });
      await untrusting.stop();


      const agent = await startAgent({
        config: { ...config.agent, ingestAddress: `localhost:${ingest.port}`, ingestTls: true, ingestCaFile: path.join(dir, 'ingest.crt'), agentId: 'tls-agent' },
        region: 'EuWest', token: 'tok-eu-0123456789abcdef0123', bus, subjects, logger, checkers: createCheckers(),
      });
      const now = Date.now();
      const job = CheckJob.fromPartial({
        jobId: `mon_tls.EuWest.${now}`, orgId: 'org_tls', monitorId: 'mon_tls', region: 'EuWest', type: CheckType.CHECK_TYPE_PORT,
        scheduledAtMs: now, deadlineMs: now + 60_000, timeoutMs: 5_000, attempt: 1,
        settings: { $case: 'port', value: { hostname: '127.0.0.1', port: targetPort } },
      });
      await bus.publishWork(subjects.jobs('EuWest'), CheckJob.encode(job).finish(), { msgId: job.jobId, deadlineMs: job.deadlineMs });
      const stored = await eventually(async () => (await store.recentResults({ orgId: 'org_tls', monitorId: 'mon_tls', limit: 10 }))[0], { timeoutMs: 15_000, what: 'the result stored by ingest' });
      expect(stored).toMatchObject({ resultId: job.jobId, region: 'EuWest', status: 'up', agentId: 'tls-agent' });
      await agent.stop();
    } finally {
      target.close();
      await ingest.stop();
      await store.close();
      await bus.close();
    }
  });
});
