/**
 * deploy/k8s against the Kubernetes API schemas (kubernetes-models: validators generated
 * from Kubernetes' OpenAPI document) and against what Pharos needs of them: every role and
 * one agent set per declared region, probes on the operations endpoints, PDBs, the HPA, and
 * network policies that keep agents to NATS and ingest inside the cluster.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as policy from 'kubernetes-models/policy/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';

const BASE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/k8s/base');

type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: any };
interface Model { validate(): void }

const kustomization = parse(readFileSync(path.join(BASE, 'kustomization.yaml'), 'utf8'));
const files: string[] = kustomization.resources;
const objects: Array<Obj & { file: string }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(BASE, file), 'utf8')).map((d) => ({ ...(d.toJS() as Obj), file })));

/** The API groups the manifests may use; anything else is refused. */
const MODELS: Record<string, Record<string, unknown>> = { v1: core, 'apps/v1': apps, 'autoscaling/v2': autoscaling, 'policy/v1': policy, 'networking.k8s.io/v1': networking };

/** The generated model class for an object's apiVersion and kind, e.g. `kubernetes-models/apps/v1` → Deployment. */
async function modelOf(o: Obj): Promise<new (data: object) => Model> {
  const cls = MODELS[o.apiVersion]?.[o.kind];
  if (typeof cls !== 'function') throw new Error(`${o.apiVersion} ${o.kind} is not a Kubernetes API type`);
  return cls as new (data: object) => Model;
}

const workloads = () => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const config = byKind('ConfigMap').find((c) => c.metadata.name === 'pharos-config')!;

describe('deploy/k8s manifests', () => {
  it('lists every manifest of the folder in its kustomization, and each parses', () => {
    const onDisk = readdirSync(BASE).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    expect([...files].sort()).toEqual(onDisk);
    expect(objects.length).toBeGreaterThanOrEqual(25);
    expect(kustomization.namespace).toBe('pharos');
    expect(kustomization.images).toEqual([expect.objectContaining({ name: 'pharos' })]);
  });

  it('validates every object against the Kubernetes API schema', async () => {
    for (const o of objects) {
      const Model = await modelOf(o);
      expect(() => new Model(o).validate(), `${o.file}: ${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('the schema check is not vacuous: a wrong type or a missing required field is refused', async () => {
    const api = workloads().find((w) => w.metadata.name === 'pharos-api')!;
    const Model = await modelOf(api);
    const broken = structuredClone(api);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => new Model(broken).validate()).toThrow(/containerPort/);
    const noSelector = structuredClone(api);
    delete noSelector.spec.selector;
    expect(() => new Model(noSelector).validate()).toThrow(/selector/);
  });

  it('runs every role, and agents in every declared region with their token from a Secret', () => {
    const components = new Set(workloads().map((w) => w.spec.template.metadata.labels['app.kubernetes.io/component']));
    expect([...components].sort()).toEqual(['agent', 'alerting', 'api', 'ingest', 'scheduler']);
    const regions: string[] = config.data.PHAROS_REGIONS.split(',');
    const agents = workloads().filter((w) => w.spec.template.metadata.labels['app.kubernetes.io/component'] === 'agent');
    expect(agents.map((a) => a.spec.template.metadata.labels['pharos.dev/region']).sort()).toEqual([...regions].sort());
    for (const a of agents) {
      const region = a.spec.template.metadata.labels['pharos.dev/region'];
      const c = a.spec.template.spec.containers[0];
      expect(c.args).toEqual(['--region', region]);
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
      expect(env.PHAROS_REGION.value).toBe(region);
      const tokenRef = env.PHAROS_AGENT_TOKEN.valueFrom.secretKeyRef;
      const secret = byKind('Secret').find((s) => s.metadata.name === tokenRef.name);
      expect(secret?.stringData?.[tokenRef.key], `${region} token secret`).toBeDefined();
      // An agent holds no database credentials: nothing from the server's Secret.
      expect(c.envFrom).toBeUndefined();
      expect(JSON.stringify(c.env)).not.toContain('pharos-server');
      // Its outbox log survives a pod restart: a volume per pod.
      expect(a.kind).toBe('StatefulSet');
      expect(a.spec.volumeClaimTemplates.map((v: any) => v.metadata.name)).toContain('data');
    }
  });

  it('probes liveness on /healthz and readiness on /readyz on the operations port every role serves, and annotates it for Prometheus', () => {
    for (const w of workloads()) {
      const tpl = w.spec.template;
      expect(matches(w.spec.selector.matchLabels, tpl.metadata.labels), `${w.metadata.name} selector`).toBe(true);
      expect(tpl.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' });
      expect(tpl.spec.securityContext.runAsNonRoot).toBe(true);
      for (const c of tpl.spec.containers) {
        const ops = c.ports.find((p: any) => p.name === 'ops');
        expect(ops?.containerPort, `${w.metadata.name} ops port`).toBe(9464);
        const metricsPort = c.env?.find((e: any) => e.name === 'PHAROS_METRICS_PORT')?.value
          ?? (c.envFrom?.some((f: any) => f.configMapRef?.name === 'pharos-config') ? config.data.PHAROS_METRICS_PORT : undefined);
        expect(metricsPort, `${w.metadata.name} sets PHAROS_METRICS_PORT`).toBe('9464');
        expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
        expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
        expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
        expect(c.image).toBe('pharos');
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources.requests.cpu).toBeDefined();
      }
    }
  });

  it('has a Service for the api and ingest whose selectors and ports reach their pods, an HPA on the api, and a PDB per workload', () => {
    for (const s of byKind('Service')) {
      const target = workloads().find((w) => matches(s.spec.selector, w.spec.template.metadata.labels));
      expect(target, `Service ${s.metadata.name} selects a workload`).toBeDefined();
      const portNames = target!.spec.template.spec.containers.flatMap((c: any) => c.ports.map((p: any) => p.name));
      for (const p of s.spec.ports) expect(portNames, `Service ${s.metadata.name} port ${p.name}`).toContain(p.targetPort);
    }
    const ingest = byKind('Service').find((s) => s.metadata.name === 'pharos-ingest');
    expect(ingest?.spec.ports[0]).toMatchObject({ port: 50051, targetPort: 'grpc' });
    // Headless, so the agents' round_robin sees every ingest pod behind the one name.
    expect(ingest?.spec.clusterIP).toBe('None');
    expect(byKind('Service').find((s) => s.metadata.name === 'pharos-api')?.spec.ports[0]).toMatchObject({ targetPort: 'http' });

    const [hpa] = byKind('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'pharos-api' });
    expect(workloads().some((w) => w.kind === 'Deployment' && w.metadata.name === 'pharos-api')).toBe(true);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);

    for (const w of workloads()) {
      const pdbs = byKind('PodDisruptionBudget').filter((p) => matches(p.spec.selector.matchLabels, w.spec.template.metadata.labels)
        && matches(w.spec.template.metadata.labels, { ...p.spec.selector.matchLabels }));
      expect(pdbs.length, `${w.metadata.name} has a PDB`).toBeGreaterThanOrEqual(1);
    }
  });

  it('refers only to Secrets and ConfigMaps it defines', () => {
    const defined = new Set([...byKind('Secret'), ...byKind('ConfigMap')].map((o) => o.metadata.name));
    const refs = JSON.stringify(workloads()).match(/"(?:secretKeyRef|secretRef|configMapRef)":\{[^}]*"name":"([^"]+)"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(defined).toContain(/"name":"([^"]+)"/.exec(r)![1]);
  });

  it('keeps agents to NATS and ingest inside the cluster; their checks go to public addresses only', () => {
    const policies = byKind('NetworkPolicy');
    expect(policies.find((p) => p.metadata.name === 'default-deny')?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const agentLabels = workloads().find((w) => w.spec.template.metadata.labels['app.kubernetes.io/component'] === 'agent')!.spec.template.metadata.labels;
    const forAgents = policies.filter((p) => (p.spec.policyTypes as string[]).includes('Egress') && p.spec.podSelector.matchLabels && matches(p.spec.podSelector.matchLabels, agentLabels));
    const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];
    const inCluster: string[] = [];
    for (const p of forAgents) {
      for (const rule of p.spec.egress) {
        for (const to of rule.to ?? [undefined]) {
          expect(to, `${p.metadata.name}: an egress rule without a destination would open every address`).toBeDefined();
          if (to.ipBlock) {
            if (to.ipBlock.cidr === '0.0.0.0/0') for (const range of PRIVATE) expect(to.ipBlock.except).toContain(range);
            else expect(to.ipBlock.cidr).toBe('::/0');
            continue;
          }
          const ports = rule.ports.map((x: any) => x.port).join(',');
          const target = to.podSelector?.matchLabels ?? {};
          inCluster.push(target['k8s-app'] === 'kube-dns' ? `dns:${ports}` : target['app.kubernetes.io/name'] === 'nats' ? `nats:${ports}` : `${target['app.kubernetes.io/component']}:${ports}`);
        }
      }
    }
    expect(inCluster.sort()).toEqual(['dns:53,53', 'ingest:50051', 'nats:4222']);
    // Nothing reaches an agent except Prometheus on the operations port.
    const ingressToAgents = policies.filter((p) => (p.spec.policyTypes as string[]).includes('Ingress') && p.spec.podSelector.matchLabels && matches(p.spec.podSelector.matchLabels, agentLabels));
    const open = ingressToAgents.flatMap((p) => p.spec.ingress ?? []).flatMap((r: any) => r.ports.map((x: any) => x.port));
    expect([...new Set(open)]).toEqual([9464]);
    // Ingest takes gRPC from agents.
    const ingest = policies.find((p) => p.metadata.name === 'ingest')!;
    expect(ingest.spec.ingress[0]).toMatchObject({ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'agent' } } }], ports: [{ port: 50051 }] });
  });

  it('does not ship a usable secret: every secret value is a CHANGE_ME placeholder', () => {
    for (const s of byKind('Secret')) for (const [k, v] of Object.entries(s.stringData as Record<string, string>)) expect(v, `${s.metadata.name}.${k}`).toContain('CHANGE_ME');
    expect(existsSync(path.join(BASE, 'secrets.yaml'))).toBe(true);
  });
});
