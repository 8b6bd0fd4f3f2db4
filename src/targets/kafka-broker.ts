// The drill's Kafka (target.broker kind kafka), owned by the run: combined broker/controller nodes in
// KRaft mode on 127.0.0.1, its data in a working folder of the run (removed by the sweep after a
// kill -9), its logs kept in logs/. Declared topics are created replicated before the service
// starts. Replicas get kafka://127.0.0.1:P1,... as {{broker.url}}. Not yet behind Toxiproxy: Kafka
// clients connect to the addresses the brokers advertise, so network faults on it are still to come.
import fs from 'node:fs';
import path from 'node:path';
import { kafkaDriver } from '../../chaos/store/kafka-driver.ts';
import { startKafkaKraft, type KafkaCluster } from '../../chaos/store/kafka-kraft.ts';
import type { BrokerSpec } from '../schema/drill.ts';
import type { BrokerEnv, BrokerEnvOptions } from './broker.ts';

export async function startKafkaBroker(o: BrokerEnvOptions<Extract<BrokerSpec, { kind: 'kafka' }>>): Promise<BrokerEnv> {
  const { spec } = o;
  const workDir = o.ledger.makeFolder(spec.name);
  let cluster: KafkaCluster | null = null;
  const stop = async () => {
    await cluster?.stop();
    for (const n of cluster?.nodes ?? []) {
      for (const f of [n.logFile, n.outFile]) if (fs.existsSync(f)) fs.copyFileSync(f, path.join(o.logDir, `${spec.name}-${n.name}-${path.basename(f)}`));
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    // the declared topics are created with the cluster's ready topic: ready means they are replicated too
    cluster = await startKafkaKraft({ dir: workDir, group: o.group, nodes: spec.nodes, sessionTimeoutMs: spec.sessionTimeout, topics: spec.topics });
    const started = cluster;
    const driver = kafkaDriver({ cluster: started, runId: o.runId });
    const url = `kafka://${started.bootstrap}`;
    let stopping: Promise<void> | null = null;
    return {
      name: spec.name,
      kind: spec.kind,
      urlFor: () => url,
      proxies: [],
      directUrls: started.bootstrap.split(',').map((a) => `kafka://${a}`),
      driver,
      targetOf: () => spec.name,
      evidence: () => ({
        name: spec.name,
        kind: spec.kind,
        version: started.version,
        url,
        startupMs: started.startupMs,
        sessionTimeoutMs: spec.sessionTimeout,
        topics: spec.topics,
        nodes: started.nodes.map((n) => ({ name: n.name, nodeId: n.nodeId, port: n.port })),
        failovers: Object.fromEntries(driver.reports),
        problems: Object.fromEntries(driver.failures),
      }),
      stop: () => (stopping ??= stop()),
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
