// A real Kubernetes API server (test/support/kube-cluster.ts) validates what gameday writes for
// clusters: the ConfigMap + k6-operator TestRun of `gameday k8s` (the k6-operator CRD applied
// server-side), and the Argo Rollouts AnalysisTemplates of deploy/argo/ with the Job they run (the
// AnalysisTemplate CRD applied, the Job checked by the server's own batch/v1 validation). Malformed
// objects must be refused by the server itself. First, the stand-in is checked to be what the
// kubernetes target's tests rely on: a Deployment's pods scheduled over the zoned nodes, Ready, and
// a deleted pod replaced by the controllers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { waitFor } from '../../src/platform/poll.ts';
import { kubeBinaries, startKubeCluster, zonedDeployment, type KubeCluster } from '../support/kube-cluster.ts';
import { needs, ROOT, runCli } from '../helpers.ts';

const missing = needs('the Kubernetes binaries (scripts/build-kube.sh)', !kubeBinaries() && 'not built: bash scripts/build-kube.sh');

interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { conditions?: Array<{ type: string; status: string }> };
}

describe.skipIf(missing)('a real Kubernetes API server', () => {
  let cluster: KubeCluster;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-kube-api-'));
  beforeAll(async () => {
    cluster = await startKubeCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const apply = (objects: unknown[], ...flags: string[]) => cluster.kubectl(['apply', '-f', '-', ...flags], objects.map((o) => (typeof o === 'string' ? o : YAML.stringify(o))).join('\n---\n'));
  /** the server's refusal of `objects` (dry run: nothing stored) */
  const refusal = async (objects: unknown[]): Promise<string> => {
    try {
      await apply(objects, '--dry-run=server');
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('the API server accepted it');
  };
  /** applies a vendored CRD server-side and waits until the server serves it */
  const applyCrd = async (file: string, name: string) => {
    await cluster.kubectl(['apply', '--server-side', '-f', '-'], fs.readFileSync(path.join(ROOT, 'test/fixtures/crds', file), 'utf8'));
    const established = async () => {
      const crd = JSON.parse(await cluster.kubectl(['get', 'crd', name, '-o', 'json'])) as { status?: { conditions?: Array<{ type: string; status: string }> } };
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    };
    await waitFor(established, { timeoutMs: 30_000, intervalMs: 100, what: `CRD ${name} Established` });
  };
  const readyPods = async (selector: string): Promise<Pod[]> => {
    const list = JSON.parse(await cluster.kubectl(['get', 'pods', '-n', 'default', '-l', selector, '-o', 'json'])) as { items: Pod[] };
    return list.items.filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  };

  it('runs a Deployment over the zoned nodes and replaces a deleted pod', async () => {
    await apply([zonedDeployment('web', 'default')]);
    const pods = await waitFor(async () => ((await readyPods('app=web')).length === 3 ? readyPods('app=web') : false), { timeoutMs: 30_000, intervalMs: 100, what: '3 Ready pods of web' });
    expect(new Set(pods.map((p) => p.spec.nodeName))).toEqual(new Set(Object.values(cluster.nodes)));
    const victim = pods[0].metadata.name;
    await cluster.kubectl(['delete', 'pod', '-n', 'default', victim, '--wait=false']);
    const after = await waitFor(
      async () => {
        const now = await readyPods('app=web');
        return now.length === 3 && !now.some((p) => p.metadata.name === victim) ? now : false;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the deleted pod replaced and Ready' },
    );
    expect(after.map((p) => p.metadata.name)).not.toContain(victim);
  });

  it('stores the ConfigMap and k6-operator TestRun `gameday k8s` writes, and refuses malformed TestRuns', async () => {
    await applyCrd('k6.io_testruns.yaml', 'testruns.k6.io');
    const out = path.join(scratch, 'k8s');
    const r = await runCli(['k8s', path.join(ROOT, 'examples/partner-hub/drills/baseline.ts'), '--out', out, '--target', 'http://hub.shop.svc:8080', '--parallelism', '3', '--namespace', 'default']);
    expect(r.code, r.stderr).toBe(0);
    const configMap = fs.readFileSync(path.join(out, 'configmap.yaml'), 'utf8');
    const testRun = fs.readFileSync(path.join(out, 'testrun.yaml'), 'utf8');
    await apply([configMap, testRun]);
    const stored = JSON.parse(await cluster.kubectl(['get', 'testruns.k6.io', '-n', 'default', '-o', 'json'])) as { items: Array<{ spec: { parallelism: number; script: { configMap: { name: string; file: string } } } }> };
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0].spec.parallelism).toBe(3);
    const cmName = (YAML.parse(configMap) as { metadata: { name: string } }).metadata.name;
    expect(stored.items[0].spec.script.configMap.name).toBe(cmName);
    // the script the runners get is the bundle, whole
    const cm = JSON.parse(await cluster.kubectl(['get', 'configmap', '-n', 'default', cmName, '-o', 'json'])) as { data: Record<string, string> };
    const file = stored.items[0].spec.script.configMap.file;
    expect(cm.data[file]).toBe((YAML.parse(configMap) as { data: Record<string, string> }).data[file]);
    expect(cm.data[file]).toMatch(/export \{[^}]*as default/);

    const good = YAML.parse(testRun);
    const bad = (edit: (t: any) => void) => {
      const t = structuredClone(good);
      edit(t);
      t.metadata.name = `${t.metadata.name}-bad`;
      return t;
    };
    expect(await refusal([bad((t) => (t.spec.parallelism = 'three'))])).toMatch(/spec\.parallelism.*must be of type integer|parallelism: Invalid value: "string"/);
    expect(await refusal([bad((t) => delete t.spec.script)])).toMatch(/spec\.script: Required value/);
    expect(await refusal([bad((t) => (t.spec.paralellism = 3))])).toMatch(/strict decoding error: unknown field "spec\.paralellism"/);
  });

  it('stores deploy/argo AnalysisTemplates and the Job the job provider runs, and refuses malformed ones', async () => {
    await applyCrd('argoproj.io_analysistemplates.yaml', 'analysistemplates.argoproj.io');
    const load = (name: string) => YAML.parse(fs.readFileSync(path.join(ROOT, 'deploy/argo', name), 'utf8'));
    const job = load('analysis-template.yaml');
    const web = load('analysis-template-web.yaml');
    await apply([{ ...job, metadata: { ...job.metadata, namespace: 'default' } }, { ...web, metadata: { ...web.metadata, namespace: 'default' } }]);
    const names = JSON.parse(await cluster.kubectl(['get', 'analysistemplates.argoproj.io', '-n', 'default', '-o', 'json'])).items.map((t: { metadata: { name: string } }) => t.metadata.name);
    expect(names.sort()).toEqual([job.metadata.name, web.metadata.name].sort());

    // the Job Argo creates from the template, with the template's own argument values: the server's batch/v1 validation
    const args = Object.fromEntries(job.spec.args.map((a: { name: string; value: string }) => [a.name, a.value]));
    const jobText = JSON.stringify(job.spec.metrics[0].provider.job).replace(/\{\{args\.([\w-]+)\}\}/g, (_, n: string) => args[n]);
    const provider = JSON.parse(jobText) as { metadata: { labels: Record<string, string> }; spec: Record<string, any> };
    const batchJob = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'gameday-analysis', namespace: 'default', labels: provider.metadata.labels }, spec: provider.spec };
    await apply([batchJob], '--dry-run=server');
    // a Job that could retry a failed drill into a pass, or restart it, is refused
    expect(await refusal([{ ...batchJob, spec: { ...batchJob.spec, template: { ...batchJob.spec.template, spec: { ...batchJob.spec.template.spec, restartPolicy: 'Always' } } } }])).toMatch(/spec\.template\.spec\.restartPolicy: .*valid values: "OnFailure", "Never"/);

    const broken = structuredClone(job);
    broken.metadata.name = 'broken';
    broken.spec.metrics[0].count = { times: 1 };
    broken.spec.metrics[0].providr = broken.spec.metrics[0].provider;
    const message = await refusal([broken]);
    expect(message).toMatch(/unknown field "spec\.metrics\[0\]\.providr"/);
    expect(message).toMatch(/spec\.metrics\[0\]\.count/);
  });
});
