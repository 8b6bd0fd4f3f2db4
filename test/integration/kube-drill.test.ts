// A drill against a kubernetes target, on a REAL local control plane (test/support/kube-cluster.ts:
// etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok nodes node-a|b|c in zones
// a|b|c). gameday did not start the workload: a Deployment of 3 spread over the zones, named by its
// namespace and label selector; go-httpbin on 127.0.0.1 stands in for its service (kwok runs no
// container), so the load is real k6 traffic and the faults act on what the API server holds:
//   - one run (CLI) with a pod-kill (count 1, seeded), a partition of one pod (count 1), the loss of
//     zone a and a scale-to-zero: the pod deleted and replaced (a new name, Ready, timed), the
//     NetworkPolicy there during its window (polled while the run goes) and gone after, node-a
//     cordoned during and schedulable after, the Deployment at 0 during and 3 Ready after, nothing
//     labelled with the run's id left; the selection and seed in the evidence, which `gameday verify`
//     accepts;
//   - an empty selection, a context the kubeconfig does not have and an API server off loopback: exit
//     3 before anything is injected;
//   - the harness SIGKILLed during a partition: `gameday cleanup` deletes the NetworkPolicy;
//   - the driver alone on a StatefulSet: a zone whose node someone else cordoned is left cordoned,
//     and scale-to-zero gives the StatefulSet its replicas back.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, loadKubeConfig, type KubeConnection } from '../../chaos/kubernetes/client.ts';
import { KubernetesDriver } from '../../chaos/kubernetes/driver.ts';
import { faultRequest } from '../../chaos/registry.ts';
import type { LedgerKubeChange } from '../../src/platform/ledger.ts';
import { ownerMarker } from '../../src/platform/processes.ts';
import { parseLabelSelector } from '../../src/schema/label-selector.ts';
import { kubeBinaries, startKubeCluster, zonedDeployment, type KubeCluster } from '../support/kube-cluster.ts';
import { needs, readJson, runCli, startCli, startGoHttpbin, tmpDir, waitFor } from '../helpers.ts';

const missing = needs('the Kubernetes binaries (bash scripts/build-kube.sh)', kubeBinaries() ? null : 'not built');
const NS = 'shop';
const SELECTOR = 'app=web';

const deployment = zonedDeployment('web', NS);

describe.skipIf(missing)('drill your own system: a kubernetes target', () => {
  let cluster: KubeCluster;
  let api: KubeConnection;
  let httpbin: ChildProcess;
  let baseUrl: string;
  let stateDir: string;
  let dir: string;

  beforeAll(async () => {
    [cluster, { child: httpbin, baseUrl }] = await Promise.all([startKubeCluster(), startGoHttpbin()]);
    api = connect(loadKubeConfig([cluster.kubeconfig], undefined));
    await cluster.kubectl(['create', 'namespace', NS]);
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(deployment));
    await cluster.kubectl(['rollout', 'status', `deployment/web`, '-n', NS, '--timeout=60s']);
    stateDir = tmpDir('gameday-kube-state');
    dir = tmpDir('gameday-kube-drills');
  }, 120_000);

  afterAll(async () => {
    httpbin?.kill('SIGKILL');
    await cluster?.stop();
    for (const d of [stateDir, dir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  const pods = async () => (await api.core.listNamespacedPod({ namespace: NS, labelSelector: SELECTOR })).items;
  const readyPods = async () => (await pods()).filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const policies = async () => (await api.networking.listNamespacedNetworkPolicy({ namespace: NS })).items;
  const cordoned = async () => (await api.core.listNode()).items.filter((n) => n.spec?.unschedulable).map((n) => n.metadata!.name!);

  function writeDrill(name: string, o: { faults: unknown[]; load: string; kubernetes?: Record<string, unknown>; slos?: unknown[] }): string {
    const file = path.join(dir, `${name}.json`);
    const drill = {
      name,
      app: 'KUBE',
      target: {
        kind: 'kubernetes',
        name: 'shop',
        endpoints: [{ name: 'web', baseUrl, health: { path: '/status/200' } }],
        kubernetes: { namespace: NS, labelSelector: SELECTOR, kubeconfig: cluster.kubeconfig, ...o.kubernetes },
      },
      load: {
        requests: [{ name: 'status', path: '/status/200', expect: [200] }],
        profiles: [{ profile: 'baseline', rate: 10, duration: o.load, preAllocatedVUs: 10, maxVUs: 20 }],
        minDelivered: '90%',
      },
      faults: o.faults,
      slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }, ...(o.slos ?? [])],
    };
    fs.writeFileSync(file, JSON.stringify(drill, null, 2));
    return file;
  }
  const env = () => ({ GAMEDAY_STATE_DIR: stateDir });

  it('pod-kill, partition, az-failure and scale-to-zero through the API server: in place during their windows, undone after, recorded', async () => {
    const before = await readyPods();
    expect(before.map((p) => p.spec?.nodeName).sort()).toEqual(['node-a', 'node-b', 'node-c']);
    const drill = writeDrill('kube-faults', {
      load: '12s',
      faults: [
        { name: 'kill-one', driver: 'kubernetes', action: 'pod-kill', target: 'shop', at: '1s', duration: '1500ms', select: { mode: 'count', value: 1, seed: 5 }, gracePeriod: '0s' },
        { name: 'cut-one', driver: 'kubernetes', action: 'partition', target: 'shop', at: '3s', duration: '2500ms', select: { mode: 'count', value: 1, seed: 2 } },
        { name: 'zone-a-lost', driver: 'kubernetes', action: 'az-failure', target: 'shop', zone: 'a', at: '6500ms', duration: '2s' },
        { name: 'all-gone', driver: 'kubernetes', action: 'scale-to-zero', target: 'shop', at: '9s', duration: '1500ms' },
      ],
      // delete → replacement Ready, judged: per fault and over both faults that delete pods
      slos: [
        { name: 'pods-back', kind: 'chaos', figure: 'pod-replacement-time', within: '30s' },
        { name: 'killed-pod-back', kind: 'chaos', figure: 'pod-replacement-time', fault: 'kill-one', within: '30s' },
      ],
    });
    const out = path.join(tmpDir('gameday-kube'), 'run');
    const run = startCli(['run', drill, '--out', out, '--no-progress'], env());
    // what the API server holds while the run goes
    const seen = { policies: new Map<string, unknown>(), partitioned: new Set<string>(), cordoned: new Set<string>(), replicas: new Set<number>() };
    let running = true;
    void run.exit.then(() => (running = false));
    while (running) {
      for (const p of await policies()) seen.policies.set(p.metadata!.name!, { labels: p.metadata?.labels, spec: p.spec });
      for (const p of await pods()) if (p.metadata?.labels?.['gameday.dev/partitioned']) seen.partitioned.add(p.metadata.name!);
      for (const n of await cordoned()) seen.cordoned.add(n);
      seen.replicas.add((await api.apps.readNamespacedDeployment({ name: 'web', namespace: NS })).spec!.replicas!);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { code } = await run.exit;
    expect(code, run.stderr()).toBe(0);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    for (const f of chaos.faults) expect(f, f.name).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    const k = chaos.environment.kubernetes;
    expect(k).toMatchObject({ server: cluster.server, context: 'gameday-local', namespace: NS, labelSelector: SELECTOR });
    expect(k.matchedAtStart.map((p: { pod: string }) => p.pod).sort()).toEqual(before.map((p) => p.metadata!.name).sort());

    // pod-kill: exactly one, by the seed; it is gone and a new pod took its place, Ready, timed
    const kill = k.faults['kill-one'];
    expect(kill.selection).toMatchObject({ mode: 'count', seed: 5 });
    expect(kill.selection.chosen).toHaveLength(1);
    expect(kill.deleted).toMatchObject({ pods: [{ pod: kill.selection.chosen[0] }], gracePeriodSeconds: 0 });
    expect(kill.replacements.complete).toBe(true);
    const [replacement] = kill.replacements.pods;
    expect(replacement.pod).not.toBe(kill.selection.chosen[0]);
    expect(replacement.readyAfterMs).toBeGreaterThan(0);
    const after = await readyPods();
    expect(after).toHaveLength(3);
    expect(after.map((p) => p.metadata!.name)).not.toContain(kill.selection.chosen[0]);

    // the replacement times are judged: the slowest of both faults, and the killed pod's own
    const verdicts = readJson(path.join(out, 'slo_results.json')).verdicts as Array<{ slo: string; pass: boolean; observed: number }>;
    const slowest = Math.max(replacement.readyAfterMs, ...k.faults['zone-a-lost'].replacements.pods.map((p: { readyAfterMs: number }) => p.readyAfterMs));
    expect(verdicts.find((v) => v.slo === 'pods-back')).toMatchObject({ pass: true, observed: slowest });
    expect(verdicts.find((v) => v.slo === 'killed-pod-back')).toMatchObject({ pass: true, observed: replacement.readyAfterMs });

    // partition: its deny-all policy was there during the window (on the one labelled pod), gone after
    const cut = k.faults['cut-one'];
    expect(cut.selection.chosen).toHaveLength(1);
    expect([...seen.partitioned]).toEqual(cut.selection.chosen);
    expect(seen.policies.get(cut.policy.name)).toEqual({
      labels: { 'gameday.dev/run-id': chaos.runId, 'app.kubernetes.io/managed-by': 'gameday' },
      spec: { podSelector: { matchLabels: { 'gameday.dev/partitioned': chaos.runId } }, policyTypes: ['Ingress', 'Egress'] },
    });

    // az-failure: node-a cordoned during the window, its pod deleted and replaced off zone a; schedulable after
    const zone = k.faults['zone-a-lost'];
    expect(zone.zone).toEqual({ zone: 'a', nodes: ['node-a'], cordoned: ['node-a'], alreadyCordoned: [] });
    expect([...seen.cordoned]).toEqual(['node-a']);
    expect(zone.deleted.pods).toEqual([{ pod: zone.selection.chosen[0], node: 'node-a' }]);
    expect(zone.replacements.complete).toBe(true);
    expect(zone.replacements.pods[0].node).not.toBe('node-a');

    // scale-to-zero: the Deployment asked for 0 during the window, 3 (Ready) after
    expect(k.faults['all-gone']).toMatchObject({ selection: { mode: 'all', chosen: ['Deployment/web'] }, scaled: [{ workload: 'Deployment/web', replicas: 3 }] });
    expect([...seen.replicas].sort()).toEqual([0, 3]);
    const web = await api.apps.readNamespacedDeployment({ name: 'web', namespace: NS });
    expect([web.spec?.replicas, web.status?.readyReplicas]).toEqual([3, 3]);

    // nothing of the run is left on the cluster
    expect(await cordoned()).toEqual([]);
    expect(await policies()).toEqual([]);
    expect((await pods()).filter((p) => p.metadata?.labels?.['gameday.dev/partitioned'])).toEqual([]);
    expect((await api.networking.listNetworkPolicyForAllNamespaces({ labelSelector: `gameday.dev/run-id=${chaos.runId}` })).items).toEqual([]);
    expect(fs.existsSync(path.join(stateDir, 'ledger', `${chaos.runId}.json`))).toBe(false);

    const verify = await runCli(['verify', path.join(out, 'evidence_bundle_KUBE.zip')]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  }, 90_000);

  it('an empty selection, a context the kubeconfig lacks, an API server off loopback: exit 3, nothing injected', async () => {
    const faults = [{ name: 'cut', driver: 'kubernetes', action: 'partition', target: 'shop', at: '1s', duration: '1s' }];
    const remote = path.join(dir, 'remote-kubeconfig.json');
    const config = JSON.parse(fs.readFileSync(cluster.kubeconfig, 'utf8'));
    config.clusters[0].cluster.server = 'https://10.255.0.1:6443';
    fs.writeFileSync(remote, JSON.stringify(config));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ labelSelector: 'app=nobody' }, /no running pod in namespace shop matches app=nobody on https:\/\/127\.0\.0\.1:\d+ \(context gameday-local\).* nothing was injected/],
      [{ context: 'prod' }, /has no context "prod" \(it has gameday-local\): fix target\.kubernetes\.context — nothing was injected/],
      [{ kubeconfig: remote }, /the kubeconfig's API server https:\/\/10\.255\.0\.1:6443 is not on loopback.*nothing was contacted/],
    ];
    for (const [kubernetes, message] of cases) {
      const r = await runCli(['run', writeDrill('kube-refused', { load: '3s', faults, kubernetes }), '--out', path.join(tmpDir('gameday-kube-refused'), 'run'), '--no-progress'], env());
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(await policies()).toEqual([]);
  }, 60_000);

  it('kill -9 of the harness during a partition: gameday cleanup deletes the NetworkPolicy and the label', async () => {
    const drill = writeDrill('kube-killed', { load: '20s', faults: [{ name: 'cut-two', driver: 'kubernetes', action: 'partition', target: 'shop', at: '500ms', duration: '15s', select: { mode: 'count', value: 2, seed: 1 } }] });
    const run = startCli(['run', drill, '--out', path.join(tmpDir('gameday-kube-killed'), 'run'), '--no-progress'], env());
    const [policy] = await waitFor('the partition NetworkPolicy', async () => ((await policies()).length ? await policies() : null), 30_000);
    const runId = policy.metadata!.labels!['gameday.dev/run-id'];
    expect(policy.spec?.podSelector).toEqual({ matchLabels: { 'gameday.dev/partitioned': runId } });
    run.child.kill('SIGKILL');
    await run.exit;
    const labelled = async () => (await pods()).filter((p) => p.metadata?.labels?.['gameday.dev/partitioned'] === runId).map((p) => p.metadata!.name!);
    expect((await policies()).map((p) => p.metadata!.name)).toEqual([policy.metadata!.name]);
    expect(await labelled()).toHaveLength(2);
    const cleanup = await runCli(['cleanup'], env());
    expect(cleanup.code, cleanup.stdout + cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toContain(`undid NetworkPolicy ${policy.metadata!.name}`);
    expect(cleanup.stdout).toMatch(/undid label gameday\.dev\/partitioned on pod web-/);
    expect(await policies()).toEqual([]);
    expect(await labelled()).toEqual([]);
  }, 60_000);

  it('the driver on a StatefulSet: a node cordoned by someone else stays cordoned; scale-to-zero gives the replicas back', async () => {
    const statefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'store' },
      spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:local' }] } } },
    };
    await cluster.kubectl(['create', 'namespace', 'store']);
    await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(statefulSet));
    await cluster.kubectl(['rollout', 'status', 'statefulset/db', '-n', 'store', '--timeout=60s']);
    const parsed = parseLabelSelector('app=db');
    if (!parsed.ok) throw new Error(parsed.error);
    const ledger: LedgerKubeChange[] = [];
    const driver = new KubernetesDriver({ api, namespace: 'store', labelSelector: 'app=db', requirements: parsed.requirements, zoneLabel: 'topology.kubernetes.io/zone', runId: 'driver-test', owner: ownerMarker(), record: (c) => ledger.push(c) });
    const db0 = (await api.core.readNamespacedPod({ name: 'db-0', namespace: 'store' })).spec!.nodeName!;
    const zone = Object.entries(cluster.nodes).find(([, n]) => n === db0)![0];
    await cluster.kubectl(['cordon', db0]);
    try {
      const lost = faultRequest('zone-lost', 'az-failure', [], { zone });
      await driver.inject(lost);
      await driver.revert(lost);
      const record = driver.faults.get('zone-lost')!;
      expect(record.zone).toEqual({ zone, nodes: [db0], cordoned: [], alreadyCordoned: [db0] });
      expect(ledger).toEqual([]);
      expect((await api.core.readNode({ name: db0 })).spec?.unschedulable).toBe(true);
      // a StatefulSet's replacement keeps the name: it is told apart by its uid
      expect(record.replacements).toMatchObject({ complete: true, pods: [{ pod: 'db-0' }] });
      expect(record.replacements!.pods[0].node).not.toBe(db0);
    } finally {
      await cluster.kubectl(['uncordon', db0]);
    }
    const gone = faultRequest('db-gone', 'scale-to-zero', []);
    await driver.inject(gone);
    expect((await api.apps.readNamespacedStatefulSet({ name: 'db', namespace: 'store' })).spec?.replicas).toBe(0);
    expect((await api.core.listNamespacedPod({ namespace: 'store' })).items).toEqual([]);
    await driver.revert(gone);
    expect(ledger).toEqual([{ kind: 'scaled', workload: 'StatefulSet', name: 'db', replicas: 2 }]);
    const db = await api.apps.readNamespacedStatefulSet({ name: 'db', namespace: 'store' });
    expect([db.spec?.replicas, db.status?.readyReplicas]).toEqual([2, 2]);
  }, 60_000);
});
