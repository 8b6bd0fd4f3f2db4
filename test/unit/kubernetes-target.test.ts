// The kubernetes target and driver, the pure parts: the drill schema's rules, the objects the driver
// writes (the deny-all NetworkPolicy, the selector as a LabelSelector), which nodes a zone failure
// cordons, which workloads scale-to-zero scales, which pods count as replacements, what a revert or
// the sweep undoes and in which order, the kubeconfig found and its context checked, the ledger.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { apiErrorMessage, connect, kubeconfigFiles, loadKubeConfig } from '../../chaos/kubernetes/client.ts';
import { denyAllPolicy, describeKubeChange, labelSelectorObject, newReadyPods, nodesToCordon, owningWorkloads, partitionSelector, policyName, undoOrder } from '../../chaos/kubernetes/manifests.ts';
import { describeSelection, selectVictims } from '../../chaos/select.ts';
import { Ledger, type LedgerKubeChange } from '../../src/platform/ledger.ts';
import { Drill } from '../../src/schema/drill.ts';
import { parseLabelSelector } from '../../src/schema/label-selector.ts';
import { Select } from '../../src/schema/select.ts';

function drill(kubernetes: Record<string, unknown>, faults: unknown[], target: Record<string, unknown> = {}): unknown {
  return {
    name: 'kube-drill',
    app: 'TEST',
    target: { kind: 'kubernetes', name: 'shop', endpoints: [{ name: 'api', baseUrl: 'http://127.0.0.1:8081' }], kubernetes: { namespace: 'shop', labelSelector: 'app=checkout', ...kubernetes }, ...target },
    load: { requests: [{ name: 'status', path: '/status/200' }], profiles: [{ profile: 'baseline', rate: 10, duration: '60s' }] },
    faults,
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
  };
}
const problems = (input: unknown) => {
  const r = Drill.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const fault = (f: Record<string, unknown>) => ({ name: 'f', driver: 'kubernetes', target: 'shop', at: '5s', duration: '5s', ...f });

describe('target.kind kubernetes: the drill schema', () => {
  it('takes namespace and label selector (zone label defaulted) and every kubernetes action with a selection', () => {
    const d = Drill.parse(
      drill({ kubeconfig: './kubeconfig', context: 'gameday-local' }, [
        fault({ name: 'kill', action: 'pod-kill', select: { mode: 'count', value: 1, seed: 3 }, gracePeriod: '2s' }),
        fault({ name: 'zone', action: 'az-failure', zone: 'a', at: '11s' }),
        fault({ name: 'cut', action: 'partition', select: { mode: 'percent', value: 50 }, at: '17s' }),
        fault({ name: 'gone', action: 'scale-to-zero', at: '23s' }),
      ]),
    );
    expect(d.target).toMatchObject({ kind: 'kubernetes', kubernetes: { namespace: 'shop', labelSelector: 'app=checkout', kubeconfig: './kubeconfig', context: 'gameday-local', zoneLabel: 'topology.kubernetes.io/zone' } });
    expect(d.faults.map((f) => [f.driver, f.action])).toEqual([
      ['kubernetes', 'pod-kill'],
      ['kubernetes', 'az-failure'],
      ['kubernetes', 'partition'],
      ['kubernetes', 'scale-to-zero'],
    ]);
    expect(d.faults[0]).toMatchObject({ gracePeriod: 2000, select: { mode: 'count', value: 1, seed: 3 } });
  });

  it('refuses a selector that does not parse, an empty one, a bad namespace and unknown keys, naming the path', () => {
    expect(problems(drill({ labelSelector: 'app=checkout,tier ~ web' }, []))).toEqual([expect.stringMatching(/^target\.kubernetes\.labelSelector: label selector "app=checkout,tier ~ web": cannot read "tier ~ web"/)]);
    expect(problems(drill({ labelSelector: ' ' }, []))).toEqual([expect.stringMatching(/^target\.kubernetes\.labelSelector: select the pods by at least one label/)]);
    expect(problems(drill({ namespace: 'Shop_1' }, []))[0]).toMatch(/^target\.kubernetes\.namespace: a namespace is at most 63 lower-case letters/);
    expect(problems(drill({ labelselector: 'x' }, []))[0]).toMatch(/^target\.kubernetes: Unrecognized key: "labelselector"/);
  });

  it('keeps kubernetes faults on kubernetes targets, and the target to the drivers that act on it', () => {
    const external = drill({}, [fault({ action: 'pod-kill' })], { kind: 'external', kubernetes: undefined }) as { target: Record<string, unknown> };
    delete external.target.kubernetes;
    expect(problems(external)).toEqual([expect.stringMatching(/^faults\.0\.driver: the kubernetes driver acts on the pods of a kubernetes target/)]);
    expect(problems(drill({}, [fault({ driver: 'docker', action: 'pause' })]))[0]).toMatch(/^faults\.0\.driver: the docker driver acts on the containers of a docker target/);
    expect(problems(drill({}, [fault({ driver: 'process', action: 'pod-kill' })]))[0]).toMatch(/gameday starts nothing of a kubernetes target, so the process driver has nothing to act on: use driver toxiproxy .*, kubernetes \(its pods\) or command/);
    expect(problems(drill({}, [fault({ action: 'pause' })]))[0]).toMatch(/^faults\.0\.driver: the kubernetes driver does not support "pause" \(it supports partition, pod-kill, az-failure, scale-to-zero\)/);
  });

  it('gracePeriod is the kubernetes driver\'s, restartAfter is not; two kubernetes faults at once may pick the same pods', () => {
    const docker = { kind: 'docker', containers: { labels: { 'com.docker.compose.project': 'shop' } } };
    const d = drill({}, [{ ...fault({ driver: 'docker', action: 'pod-kill' }), gracePeriod: '1s' }], docker) as { target: Record<string, unknown> };
    delete d.target.kubernetes;
    expect(problems(d)).toEqual([expect.stringMatching(/^faults\.0\.gracePeriod: gracePeriod is a pod's termination grace period \(driver kubernetes\)/)]);
    expect(problems(drill({}, [fault({ action: 'pod-kill', restartAfter: '1s' })]))).toEqual([expect.stringMatching(/^faults\.0\.restartAfter: a deleted pod is replaced by its Deployment or StatefulSet/)]);
    expect(problems(drill({}, [fault({ name: 'a', action: 'pod-kill' }), fault({ name: 'b', action: 'partition', at: '7s' })]))).toEqual([expect.stringMatching(/^faults\.1\.at: fault "b" acts on the pods while faults\[0\] \("a"/)]);
  });
});

describe('what the driver writes', () => {
  const requirements = (s: string) => {
    const r = parseLabelSelector(s);
    if (!r.ok) throw new Error(r.error);
    return r.requirements;
  };

  it('a selector string becomes the LabelSelector the API server would match the same pods with', () => {
    expect(labelSelectorObject(requirements('app=checkout,tier in (web,api),track!=canary,!legacy,zone,env notin (dev)'))).toEqual({
      matchLabels: { app: 'checkout' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['web', 'api'] },
        { key: 'track', operator: 'NotIn', values: ['canary'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
      ],
    });
    expect(labelSelectorObject(requirements('app==checkout'))).toEqual({ matchLabels: { app: 'checkout' } });
  });

  it('a partition is a deny-all NetworkPolicy, both ways, labelled with the run and annotated with its owner', () => {
    const runId = '20261205T221500Z-a1b2c3';
    const name = policyName(runId, 'cut-one');
    expect(name).toBe('gameday-20261205t221500z-a1b2c3-cut-one');
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    const all = partitionSelector({ requirements: requirements('app=checkout'), allChosen: true, runId });
    const some = partitionSelector({ requirements: requirements('app=checkout'), allChosen: false, runId });
    expect(all).toEqual({ matchLabels: { app: 'checkout' } });
    expect(some).toEqual({ matchLabels: { 'gameday.dev/partitioned': runId } });
    expect(denyAllPolicy({ name, namespace: 'shop', runId, owner: '4242:99', fault: 'cut-one', podSelector: some })).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name,
        namespace: 'shop',
        labels: { 'gameday.dev/run-id': runId, 'app.kubernetes.io/managed-by': 'gameday' },
        annotations: { 'gameday.dev/owner': '4242:99', 'gameday.dev/fault': 'cut-one' },
      },
      spec: { podSelector: some, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] },
    });
    expect(policyName(runId, 'x'.repeat(300)).length).toBeLessThanOrEqual(253);
  });
});

const node = (name: string, unschedulable?: boolean): V1Node => ({ metadata: { name }, spec: unschedulable === undefined ? {} : { unschedulable } });
const pod = (name: string, o: { uid?: string; owner?: { kind: string; name: string }; ready?: boolean; deleting?: boolean; node?: string } = {}): V1Pod => ({
  metadata: { name, uid: o.uid ?? `uid-${name}`, ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: 'x', controller: true }] } : {}), ...(o.deleting ? { deletionTimestamp: new Date() } : {}) },
  spec: { containers: [], nodeName: o.node },
  status: { phase: o.ready === false ? 'Pending' : 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

describe('what a fault acts on', () => {
  it('az-failure cordons the zone\'s schedulable nodes only: one cordoned already is left as it was', () => {
    expect(nodesToCordon([node('node-a2', true), node('node-a1'), node('node-a3', false)])).toEqual({ cordon: ['node-a1', 'node-a3'], alreadyCordoned: ['node-a2'] });
  });

  it('scale-to-zero scales the Deployments (through their ReplicaSets) and StatefulSets that own the pods, each once', () => {
    const pods = [pod('web-1', { owner: { kind: 'ReplicaSet', name: 'web-7d9' } }), pod('web-2', { owner: { kind: 'ReplicaSet', name: 'web-7d9' } }), pod('db-0', { owner: { kind: 'StatefulSet', name: 'db' } }), pod('job-x', { owner: { kind: 'Job', name: 'nightly' } }), pod('bare')];
    expect(owningWorkloads(pods, new Map([['web-7d9', 'web']]))).toEqual({
      workloads: [
        { kind: 'Deployment', name: 'web' },
        { kind: 'StatefulSet', name: 'db' },
      ],
      unscalable: ['job-x (Job nightly)', 'bare (no owner)'],
    });
    // a ReplicaSet no Deployment owns has no replica count gameday may give back
    expect(owningWorkloads([pod('rs-1', { owner: { kind: 'ReplicaSet', name: 'orphan' } })], new Map([['orphan', null]])).workloads).toEqual([]);
  });

  it('a replacement is a pod that was not there before (by uid), Running and Ready, not terminating', () => {
    const before = new Set(['uid-web-1', 'uid-web-2']);
    const now = [pod('web-1'), pod('web-3'), pod('web-4', { ready: false }), pod('web-5', { deleting: true }), pod('web-2', { uid: 'uid-new' })];
    expect(newReadyPods(before, now).map((p) => p.metadata!.name)).toEqual(['web-3', 'web-2']);
  });

  it('count 1 of 3 pods picks one, the same again with the same seed; an empty match is refused before anything is done', () => {
    const names = ['web-a', 'web-b', 'web-c'];
    const s = selectVictims(names, Select.parse({ mode: 'count', value: 1, seed: 11 }), 'fault kill (shop: app=checkout)');
    expect(s.chosen).toHaveLength(1);
    expect(selectVictims(names, Select.parse({ mode: 'count', value: 1, seed: 11 }), 'x')).toEqual(s);
    expect(describeSelection(s)).toBe(`count seed 11: ${s.chosen[0]} of web-a, web-b, web-c`);
    expect(() => selectVictims([], Select.parse({ mode: 'all' }), 'fault zone (shop: app=checkout on the nodes of zone d)')).toThrow(/zone d\): the selection matches nothing, so nothing would be injected/);
  });
});

describe('what is undone', () => {
  const changes: LedgerKubeChange[] = [
    { kind: 'cordoned', node: 'node-a' },
    { kind: 'pod-labelled', pod: 'web-1', label: 'gameday.dev/partitioned' },
    { kind: 'network-policy', name: 'gameday-r-cut' },
    { kind: 'scaled', workload: 'Deployment', name: 'web', replicas: 3 },
    { kind: 'cordoned', node: 'node-a' },
  ];

  it('the last change first (the policy before the labels it selects by), each once', () => {
    expect(undoOrder(changes)).toEqual([changes[4], changes[3], changes[2], changes[1]]);
    expect(undoOrder(changes).map(describeKubeChange)).toEqual(['cordon of node node-a', 'scale of Deployment web (to give back 3 replicas)', 'NetworkPolicy gameday-r-cut', 'label gameday.dev/partitioned on pod web-1']);
  });

  describe('the ledger', () => {
    const prev = process.env.GAMEDAY_STATE_DIR;
    afterEach(() => {
      if (prev === undefined) delete process.env.GAMEDAY_STATE_DIR;
      else process.env.GAMEDAY_STATE_DIR = prev;
    });

    it('names the cluster before the first change, keeps every change until it is undone', () => {
      const state = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-kube-ledger-'));
      process.env.GAMEDAY_STATE_DIR = state;
      const ledger = new Ledger('20261205T221500Z-a1b2c3');
      expect(() => ledger.kubeChanging(changes[0])).toThrow(/kubeUsed must name the cluster/);
      const cluster = { kubeconfig: ['/k/config'], context: 'gameday-local', server: 'https://127.0.0.1:6443', namespace: 'shop' };
      ledger.kubeUsed(cluster);
      for (const c of changes.slice(0, 4)) ledger.kubeChanging(c);
      ledger.kubeRestored(changes[2]);
      const onDisk = JSON.parse(fs.readFileSync(ledger.file, 'utf8'));
      expect(onDisk.kube).toEqual({ cluster, changes: [changes[0], changes[1], changes[3]] });
      ledger.close();
      fs.rmSync(state, { recursive: true, force: true });
    });
  });
});

describe('the kubeconfig', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-kubeconfig-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, contexts: string[], current: string | null, server = 'https://127.0.0.1:6443') => {
    const file = path.join(dir, name);
    const yaml = [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: c-${name}, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]`,
      `users: [{ name: u-${name}, user: { token: t } }]`,
      `contexts: [${contexts.map((c) => `{ name: ${c}, context: { cluster: c-${name}, user: u-${name} } }`).join(', ')}]`,
      ...(current ? [`current-context: ${current}`] : []),
    ].join('\n');
    fs.writeFileSync(file, yaml);
    return file;
  };

  it('is the drill\'s file, else KUBECONFIG\'s files in order, else ~/.kube/config', () => {
    expect(kubeconfigFiles('/d/kubeconfig', { KUBECONFIG: '/a:/b' }, '/home/sre')).toEqual(['/d/kubeconfig']);
    expect(kubeconfigFiles(undefined, { KUBECONFIG: '/a::/b' }, '/home/sre')).toEqual(['/a', '/b']);
    expect(kubeconfigFiles(undefined, {}, '/home/sre')).toEqual(['/home/sre/.kube/config']);
  });

  it('takes the current context, or the one named; a context it does not have is an error naming the ones it has', () => {
    const one = write('one', ['gameday-local', 'other'], 'gameday-local');
    expect(loadKubeConfig([one], undefined)).toMatchObject({ context: 'gameday-local', server: 'https://127.0.0.1:6443', files: [one] });
    expect(loadKubeConfig([one], 'other').context).toBe('other');
    expect(() => loadKubeConfig([one], 'prod')).toThrow(new RegExp(`kubeconfig ${one} has no context "prod" \\(it has gameday-local, other\\): fix target.kubernetes.context`));
    expect(() => loadKubeConfig([write('none', ['a'], null)], undefined)).toThrow(/has no current-context: name one in target\.kubernetes\.context \(it has a\)/);
    expect(() => loadKubeConfig([path.join(dir, 'missing')], undefined)).toThrow(/kubeconfig .*missing not found: set target\.kubernetes\.kubeconfig or KUBECONFIG/);
  });

  it('merges KUBECONFIG\'s files as kubectl does: the first file\'s current context, contexts from all', () => {
    const first = write('first', ['a'], 'a', 'https://127.0.0.1:6443');
    const second = write('second', ['b'], 'b', 'https://k8s.example.com');
    const merged = loadKubeConfig([first, second], undefined);
    expect(merged.context).toBe('a');
    expect(loadKubeConfig([first, second], 'b').server).toBe('https://k8s.example.com');
  });

  it('bounds every API call in time: a server that accepts and never answers fails the call', async () => {
    const held: net.Socket[] = [];
    const server = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const api = connect(loadKubeConfig([write('silent', ['s'], 's', `https://127.0.0.1:${port}`)], undefined), 300);
      const err = await api.core.listNamespacedPod({ namespace: 'shop' }).catch((e: unknown) => e);
      expect(apiErrorMessage(err)).toBe('the API server did not answer in time (the request was given up)');
    } finally {
      for (const socket of held) socket.destroy();
      server.close();
    }
  }, 10_000);
});
