// The drill's broker (target.broker): a NATS JetStream cluster owned by the run, each node behind
// its own Toxiproxy proxy. Every node advertises its proxy to clients (client_advertise), so a
// service that discovers the cluster reaches every node through Toxiproxy and a partition fault on
// the broker cuts it off for real. Declared streams are created replicated before the service starts.
import fs from 'node:fs';
import path from 'node:path';
import { connect } from 'nats';
import { BrokerDriver, type FailoverFigures } from '../../chaos/broker/driver.ts';
import { startNatsCluster, type NatsCluster, type SpawnFn } from '../../chaos/broker/nats-cluster.ts';
import type { FaultDriver } from '../../chaos/driver.ts';
import { ensureStream } from '../../chaos/broker/stream-state.ts';
import type { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { probeSubject, type BrokerSpec, type Fault } from '../schema/drill.ts';
import type { Ledger } from '../platform/ledger.ts';
import type { ProcessGroup } from '../platform/processes.ts';

/** The stream a broker-failover kills the leader of when the drill declares none. */
export const PROBE_STREAM = 'GAMEDAY_PROBE';

type NatsSpec = Extract<BrokerSpec, { kind: 'nats' }>;

export interface BrokerEnvOptions<S extends BrokerSpec = BrokerSpec> {
  spec: S;
  faults: readonly Fault[];
  runId: string;
  group: ProcessGroup;
  ledger: Ledger;
  toxiproxy: ToxiproxyDriver;
  logDir: string;
}

export interface BrokerEnv {
  name: string;
  kind: BrokerSpec['kind'];
  /** what replica `i` is given as {{broker.url}}: a node's proxy (NATS: node i mod n; it discovers the others), or the sentinels to ask */
  urlFor(replica: number): string;
  /** proxy names, one per node (network fault targets) */
  proxies: string[];
  /** the nodes' own addresses (bypassing Toxiproxy) */
  directUrls: string[];
  driver: FaultDriver & { figures(fault: string): FailoverFigures };
  /** NATS only: the cluster itself (its nodes' monitor URLs, for tests and evidence) */
  cluster?: NatsCluster;
  /** what a broker-failover fault kills: the leader of a stream (NATS), the primary (Redis) */
  targetOf(fault: Extract<Fault, { action: 'broker-failover' }>): string;
  evidence(): Record<string, unknown>;
  /** Stops the nodes, keeps their logs in logDir, removes the working directory. Idempotent. */
  stop(): Promise<void>;
}

/** The run's ProcessGroup as the cluster's spawn: owner marker, stopped with the run. */
function groupSpawn(group: ProcessGroup): SpawnFn {
  return (command, args, options) => {
    const config = args[args.indexOf('-c') + 1] ?? '';
    return group.spawn(`nats-server ${path.basename(path.dirname(config))}`, command, args, options).child;
  };
}

/** One client connection through a proxy: proves the path service → Toxiproxy → node works. */
async function checkThroughProxy(url: string): Promise<void> {
  const nc = await connect({ servers: url, ignoreClusterUpdates: true, reconnect: false, timeout: 3000 });
  await nc.flush();
  await nc.close();
}

export async function startNatsBroker(o: BrokerEnvOptions<NatsSpec>): Promise<BrokerEnv> {
  const { spec } = o;
  const workDir = o.ledger.makeFolder(spec.name); // a killed run's stores are removed by the sweep
  const proxies: string[] = [];
  const listens: string[] = [];
  let cluster: NatsCluster | null = null;
  const stop = async () => {
    await cluster?.stop();
    for (const name of cluster?.nodes ?? []) {
      const from = path.join(workDir, 'logs', `${name.name}.log`);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(o.logDir, `${name.name}.log`));
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    // proxies first: each node is told its proxy's address before it starts
    for (let i = 0; i < spec.nodes; i++) {
      const name = `gameday-${o.runId}-${spec.name}-n${i + 1}`;
      o.ledger.proxyCreated(o.toxiproxy.apiUrl, name);
      const info = await o.toxiproxy.createProxy(name, '127.0.0.1:9'); // pointed at its node below
      proxies.push(name);
      listens.push(info.listen);
    }
    cluster = await startNatsCluster({
      nodes: spec.nodes,
      dir: workDir,
      spawn: groupSpawn(o.group),
      clusterName: spec.name,
      namePrefix: `${spec.name}-n`,
      clientAdvertise: listens,
    });
    const nodes = cluster.nodes;
    for (let i = 0; i < nodes.length; i++) await o.toxiproxy.setUpstream(proxies[i], nodes[i].clientUrl.replace(/^nats:\/\//, ''));
    for (const listen of listens) await checkThroughProxy(`nats://${listen}`);

    const failovers = o.faults.filter((f): f is Extract<Fault, { action: 'broker-failover' }> => f.action === 'broker-failover');
    const streams = spec.streams.map((s) => ({ name: s.name, subjects: [...s.subjects, probeSubject(s.name)] }));
    if (failovers.length && !streams.length) streams.push({ name: PROBE_STREAM, subjects: [probeSubject(PROBE_STREAM)] });
    const admin = await connect({ servers: cluster.urls, ignoreClusterUpdates: true, maxReconnectAttempts: 20, reconnectTimeWait: 250, timeout: 3000 });
    try {
      const jsm = await admin.jetstreamManager({ timeout: 3000 });
      for (const s of streams) {
        await ensureStream(jsm, { stream: s.name, subjects: s.subjects, replicas: Math.min(3, spec.nodes), storage: 'file', timeoutMs: 30_000 }).catch((err) => {
          throw new Error(`target.broker: stream ${s.name} (${s.subjects.join(', ')}) could not be created: ${err instanceof Error ? err.message : String(err)}`);
        });
      }
    } finally {
      await admin.close();
    }

    const started = cluster;
    const driver = new BrokerDriver({ cluster: started, runId: o.runId, probeSubject });
    let stopping: Promise<void> | null = null;
    return {
      name: spec.name,
      kind: spec.kind,
      urlFor: (replica) => `nats://${listens[replica % listens.length]}`,
      proxies,
      directUrls: started.urls,
      driver,
      cluster: started,
      targetOf: (fault) => fault.stream ?? streams[0]?.name ?? PROBE_STREAM,
      evidence: () => ({
        name: spec.name,
        nodes: started.nodes.map((n, i) => ({ name: n.name, clientUrl: n.clientUrl, proxy: proxies[i], advertised: listens[i] })),
        streams,
        failovers: Object.fromEntries(driver.reports),
        problems: Object.fromEntries(driver.failures),
      }),
      stop: () => (stopping ??= stop()),
    };
  } catch (err) {
    // its proxies are in the ledger: removed with the run's others
    await stop().catch(() => undefined);
    throw err;
  }
}
