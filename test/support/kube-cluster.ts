// A real Kubernetes control plane on 127.0.0.1 for the tests: etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler (built from the Go module proxy by
// scripts/build-kube.sh), with kwok managing fake nodes — one per zone, labelled
// topology.kubernetes.io/zone — that mark the pods scheduled on them Running and Ready. What is
// real: the API server and its validation (CRDs, OpenAPI schemas, admission), etcd, the
// controllers (a deleted pod of a Deployment is replaced by the ReplicaSet controller), the
// scheduler, watches, labels and selectors. What is not: no container runs (kwok only writes pod
// status) and no CNI enforces NetworkPolicies (they are stored and served, not applied).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, ProcessGroup, type ManagedProcess } from '../../src/platform/processes.ts';
import { waitFor } from '../../src/platform/poll.ts';
import { ROOT } from '../helpers.ts';

const run = promisify(execFile);

export const KUBE_VERSION = '1.34.4-etcd3.6.5-kwok0.8.0';
export const KUBE_DIR = path.join(ROOT, '.tools/kube', KUBE_VERSION);
/** The built binaries, or null when scripts/build-kube.sh has not run (the bootstrap runs it for the tests). */
export function kubeBinaries(): string | null {
  return fs.existsSync(path.join(KUBE_DIR, 'done')) ? path.join(KUBE_DIR, 'bin') : null;
}

export interface KubeCluster {
  /** https://127.0.0.1:PORT */
  server: string;
  /** a kubeconfig file: a token user in system:masters, context "gameday-local" */
  kubeconfig: string;
  /** the cluster's scratch folder (certificates, etcd data, logs/) */
  dir: string;
  /** zone → fake node name */
  nodes: Record<string, string>;
  /** runs the built kubectl against the cluster; throws with its stderr on failure */
  kubectl(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

const ZONE_LABEL = 'topology.kubernetes.io/zone';

/**
 * A Deployment of `replicas` pods labelled app=NAME, one per zone: a cordoned (tainted) node is no
 * domain, so a lost zone's pods land elsewhere. Its containers never run (kwok nodes).
 */
export function zonedDeployment(name: string, namespace: string, replicas = 3) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE_LABEL, whenUnsatisfiable: 'DoNotSchedule', nodeTaintsPolicy: 'Honor', labelSelector: { matchLabels: { app: name } } }],
          containers: [{ name, image: `${name}:local` }],
        },
      },
    },
  };
}

/** The stage files kwok needs to bring nodes up, keep their leases and make pods Ready (its "fast" set). */
function kwokStages(): string {
  const stage = path.join(KUBE_DIR, 'kwok-stage');
  const files = ['node/fast/node-initialize.yaml', 'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml', 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'];
  return files.map((f) => fs.readFileSync(path.join(stage, f), 'utf8').trim()).join('\n---\n');
}

function fakeNode(name: string, zone: string) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok', [ZONE_LABEL]: zone },
    },
    status: { allocatable: { cpu: '32', memory: '256Gi', pods: '110' }, capacity: { cpu: '32', memory: '256Gi', pods: '110' } },
  };
}

/** GET an API path with the cluster's CA and token; the status code and body. */
function get(server: string, ca: string, token: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${server}${p}`, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

export async function startKubeCluster(o: { zones?: string[] } = {}): Promise<KubeCluster> {
  const bin = kubeBinaries();
  if (!bin) throw new Error(`the Kubernetes binaries are not built (${KUBE_DIR}): run bash scripts/build-kube.sh (npm test's bootstrap does)`);
  const zones = o.zones ?? ['a', 'b', 'c'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-kube-'));
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  const file = (name: string) => path.join(dir, name);
  const group = new ProcessGroup(`kube-${path.basename(dir)}`);
  const started: ManagedProcess[] = [];
  const start = (name: string, args: string[]) => {
    const out = fs.openSync(path.join(logs, `${name}.log`), 'a');
    const p = group.spawn(name, path.join(bin, name), args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    started.push(p);
    return p;
  };
  const stop = async () => {
    group.close();
    await group.stopAll(3000);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    // a serving certificate for 127.0.0.1 that is its own CA, and the service-account key
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('apiserver.key'), '-out', file('apiserver.crt'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    await run('openssl', ['genrsa', '-out', file('sa.key'), '2048']);
    const token = `gameday-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    fs.writeFileSync(file('tokens.csv'), `${token},gameday-admin,gameday-admin,"system:masters"\n`);
    const ca = fs.readFileSync(file('apiserver.crt'), 'utf8');

    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = file('kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'gameday-local', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
        users: [{ name: 'gameday-admin', user: { token } }],
        contexts: [{ name: 'gameday-local', context: { cluster: 'gameday-local', user: 'gameday-admin', namespace: 'default' } }],
        'current-context': 'gameday-local',
      }),
    );

    const etcd = start('etcd', [
      '--name=gameday',
      `--data-dir=${file('etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=gameday=http://127.0.0.1:${etcdPeer}`,
      '--listen-metrics-urls=',
      '--unsafe-no-fsync',
      '--quota-backend-bytes=536870912',
    ]);
    const apiserver = start('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${file('apiserver.crt')}`,
      `--tls-private-key-file=${file('apiserver.key')}`,
      `--token-auth-file=${file('tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${file('sa.key')}`,
      `--service-account-signing-key-file=${file('sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      // a configuration value only: nothing is ever sent to these addresses
      '--service-cluster-ip-range=10.0.0.0/24',
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      '--enable-priority-and-fairness=false',
    ]);
    await waitFor(
      async (note) => {
        for (const p of [etcd, apiserver]) if (p.exit) throw new Error(`${p.label} exited (code ${p.exit.code}) — see ${logs}/${p.label}.log:\n${tail(path.join(logs, `${p.label}.log`))}`);
        try {
          const r = await get(server, ca, token, '/readyz');
          note(`readyz ${r.status}`);
          return r.status === 200;
        } catch (err) {
          note((err as Error).message);
          return false;
        }
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `the API server at ${server} to be ready` },
    );

    start('kube-controller-manager', [
      `--kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--use-service-account-credentials=false',
      '--secure-port=0',
      `--service-account-private-key-file=${file('sa.key')}`,
      `--root-ca-file=${file('apiserver.crt')}`,
      // the controllers that need a cloud or storage are off; node-lifecycle stays on (or nodes keep their not-ready taint)
      '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller,-persistentvolume-attach-detach-controller,-persistentvolume-binder-controller,-persistentvolume-expander-controller,-ephemeral-volume-controller',
      '--node-monitor-period=1s',
      '--node-monitor-grace-period=40s',
      '--kube-api-qps=500',
      '--kube-api-burst=1000',
    ]);
    start('kube-scheduler', [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0']);
    fs.writeFileSync(file('kwok-stages.yaml'), kwokStages());
    start('kwok', [
      `--kubeconfig=${kubeconfig}`,
      `--config=${file('kwok-stages.yaml')}`,
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--node-ip=127.0.0.1',
      // the pod addresses kwok writes into pod status (never connected to)
      '--cidr=127.20.0.0/16',
      '--node-lease-duration-seconds=40',
    ]);

    const kubectl = async (args: string[], input?: string): Promise<string> => {
      const child = run(path.join(bin, 'kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], { maxBuffer: 16 << 20 });
      if (input !== undefined) {
        child.child.stdin?.end(input);
      }
      try {
        return (await child).stdout;
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error(`kubectl ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
      }
    };

    const nodes = Object.fromEntries(zones.map((z) => [z, `node-${z}`]));
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: zones.map((z) => fakeNode(nodes[z], z)) }));
    // usable: every node Ready without its not-ready taint, and the default service account there (pods need it)
    await waitFor(
      async (note) => {
        for (const p of started) if (p.exit) throw new Error(`${p.label} exited (code ${p.exit.code}) — ${logs}/${p.label}.log:\n${tail(path.join(logs, `${p.label}.log`))}`);
        const list = JSON.parse((await get(server, ca, token, '/api/v1/nodes')).body) as { items: Array<{ metadata: { name: string }; spec?: { taints?: unknown[] }; status?: { conditions?: Array<{ type: string; status: string }> } }> };
        const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !(n.spec?.taints ?? []).length);
        const sa = (await get(server, ca, token, '/api/v1/namespaces/default/serviceaccounts/default')).status === 200;
        note(`${ready.length}/${zones.length} nodes ready, default service account ${sa ? 'there' : 'not yet'}`);
        return ready.length === zones.length && sa;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'the fake nodes to be Ready and untainted' },
    );
    return { server, kubeconfig, dir, nodes, kubectl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
