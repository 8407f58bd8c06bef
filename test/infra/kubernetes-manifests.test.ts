/**
 * The Kubernetes manifests as `kubectl kustomize` renders them (the dev and prod overlays):
 * every object validates against its Kubernetes or KEDA schema (kubernetes-models), and the
 * operational promises hold: probes and resources on every container, a disruption budget per
 * Deployment, grace longer than the job's lock, KEDA scaling each worker (the four stages and
 * batch scoring) on its backlog endpoint, the gateway's HPA, train on the GPU pool in prod, the migrate Job.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  Namespace,
  ConfigMap,
  Secret,
  Service,
  ServiceAccount,
  PersistentVolumeClaim,
} from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { JOB_CATALOG, SCORING_QUEUE, STAGE_QUEUES } from '@lathe/queues';
import { REPO_ROOT } from '../harness/index.ts';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- read per kind below
}

/** The schema model of each kind the manifests use; a kind missing here fails the test. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each model takes its own typed shape
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

function render(overlay: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(REPO_ROOT, 'infra/k8s/overlays', overlay)], {
    encoding: 'utf8',
  });
  return parseAllDocuments(out).map((doc) => {
    const object = doc.toJS() as K8sObject & { data?: Record<string, string> };
    // kustomize wraps a generated Secret's base64 at 70 columns; the API server's decoder (Go's
    // encoding/base64) skips the newlines, the schema's "byte" format does not.
    if (object.kind === 'Secret' && object.data)
      for (const key of Object.keys(object.data)) object.data[key] = object.data[key]!.replace(/\s+/g, '');
    return object;
  });
}

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered manifests`);
  return found;
};
/** Each worker Deployment's queue: one per stage, and batch scoring's. */
const WORKER_QUEUES = { ...STAGE_QUEUES, scoring: SCORING_QUEUE } as const;
const WORKERS = Object.keys(WORKER_QUEUES) as Array<keyof typeof WORKER_QUEUES>;

describe.each(['prod', 'dev'])('kubectl kustomize infra/k8s/overlays/%s', (overlay) => {
  const objects = render(overlay);

  it('renders objects that each validate against the Kubernetes or KEDA schema', () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects) {
      const model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(model, `a schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new model!(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
      expect(object.metadata.namespace ?? object.metadata.name).toBe('lathe');
    }
  });

  it('gives every container probes and resource requests and limits, and every Deployment a budget', () => {
    const deployments = byKind(objects, 'Deployment').filter((d) =>
      d.metadata.name.match(/^lathe-(api|serve|ingest|train|evaluate|deploy|scoring)$/),
    );
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'lathe-api',
      'lathe-deploy',
      'lathe-evaluate',
      'lathe-ingest',
      'lathe-scoring',
      'lathe-serve',
      'lathe-train',
    ]);
    const budgets = byKind(objects, 'PodDisruptionBudget');
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      for (const container of pod.containers) {
        expect(container.readinessProbe?.httpGet?.path, deployment.metadata.name).toMatch(
          /^\/(readyz|healthz)$/,
        );
        expect(container.livenessProbe?.httpGet?.path, deployment.metadata.name).toBe('/healthz');
        expect(container.resources.requests.cpu).toBeDefined();
        expect(container.resources.limits.memory).toBeDefined();
      }
      const selector = deployment.spec.selector.matchLabels;
      expect(
        budgets.some((b) => JSON.stringify(b.spec.selector.matchLabels) === JSON.stringify(selector)),
        `a PodDisruptionBudget for ${deployment.metadata.name}`,
      ).toBe(true);
    }
  });

  it('lets a worker finish its job on SIGTERM: grace longer than the job lock; metrics scraped on its health port', () => {
    for (const worker of WORKERS) {
      const pod = named(objects, 'Deployment', `lathe-${worker}`).spec.template;
      expect(pod.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
        JOB_CATALOG[worker].lockDurationMs,
      );
      expect(pod.spec.containers[0].args).toEqual([worker]);
      const port = pod.spec.containers[0].env.find(
        (e: { name: string }) => e.name === 'LATHE_HEALTH_PORT',
      ).value;
      expect(pod.metadata.annotations['prometheus.io/port']).toBe(port);
      expect(pod.spec.containers[0].readinessProbe.httpGet.port).toBe('health');
      expect(pod.spec.containers[0].ports[0].containerPort).toBe(Number(port));
    }
  });

  it('scales each worker with KEDA on its queue backlog endpoint, and the gateway with an HPA', () => {
    const scaled = byKind(objects, 'ScaledObject');
    expect(scaled.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(
      WORKERS.map((s) => `lathe-${s}`).sort(),
    );
    for (const worker of WORKERS) {
      const object = scaled.find((s) => s.spec.scaleTargetRef.name === `lathe-${worker}`)!;
      const [trigger] = object.spec.triggers;
      expect(trigger.type).toBe('metrics-api');
      expect(trigger.metadata.url).toBe(
        `http://lathe-api.lathe.svc.cluster.local:8080/queues/${WORKER_QUEUES[worker]}/backlog`,
      );
      expect(trigger.metadata.valueLocation).toBe('backlog');
      expect(Number(trigger.metadata.targetValue)).toBeGreaterThan(0);
    }
    // ingest runs the reconciler and schedules, deploy the rollout monitor: never scaled to zero.
    expect(
      scaled.find((s) => s.metadata.name === 'lathe-ingest')!.spec.minReplicaCount,
    ).toBeGreaterThanOrEqual(1);
    expect(
      scaled.find((s) => s.metadata.name === 'lathe-deploy')!.spec.minReplicaCount,
    ).toBeGreaterThanOrEqual(1);
    // One consumer of the scoring queue: the evaluate pods leave it to lathe-scoring.
    const evaluateEnv = named(objects, 'Deployment', 'lathe-evaluate').spec.template.spec.containers[0].env;
    expect(evaluateEnv).toContainEqual({ name: 'LATHE_EVALUATE_SCORING', value: 'off' });
    const hpa = named(objects, 'HorizontalPodAutoscaler', 'lathe-serve');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'lathe-serve' });
    expect(hpa.spec.metrics.some((m: { resource?: { name: string } }) => m.resource?.name === 'cpu')).toBe(
      true,
    );
  });

  it('runs the migrate Job with the image and the secret every process reads', () => {
    const job = byKind(objects, 'Job').find((j) => j.metadata.name.startsWith('lathe-migrate'))!;
    const container = job.spec.template.spec.containers[0];
    expect(container.args).toEqual(['migrate']);
    const api = named(objects, 'Deployment', 'lathe-api').spec.template.spec.containers[0];
    expect(container.image).toBe(api.image);
    expect(container.envFrom).toEqual(api.envFrom);
  });
});

describe('the prod overlay', () => {
  const objects = render('prod');
  it('puts train workers on the GPU node pool with one GPU each, and pins the images', () => {
    const pod = named(objects, 'Deployment', 'lathe-train').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'lathe.dev/node-pool': 'gpu' });
    expect(pod.tolerations).toContainEqual({
      key: 'nvidia.com/gpu',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(pod.containers[0].image).toMatch(/lathe-train-gpu:\d+\.\d+\.\d+$/);
    for (const d of byKind(objects, 'Deployment'))
      for (const c of d.spec.template.spec.containers) expect(c.image).toMatch(/:\d+\.\d+\.\d+$/);
  });
  it('stores no credentials: they come from a Secret the cluster provides', () => {
    expect(byKind(objects, 'Secret')).toEqual([]);
    const config = named(objects, 'ConfigMap', 'lathe-config');
    expect(JSON.stringify(config)).not.toMatch(/password|secret_access|postgresql:\/\//i);
    expect((config as unknown as { data: Record<string, string> }).data.LATHE_QUEUE_PREFIX).toBe('{lathe}');
  });
});
