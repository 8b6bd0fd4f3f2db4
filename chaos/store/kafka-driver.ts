// The broker driver of Kafka: the leader of a probe topic's partition SIGKILLed under the
// idempotent acks=all probe (observed: its port refuses connections), started again and back in
// the ISR at the revert. inject does not wait for the failover: the fault's window goes on from the kill.
import { portRefuses } from '../process.ts';
import { StoreFailoverDriver } from './failover-driver.ts';
import { KafkaFailover, type KafkaFailoverReport } from './kafka-failover.ts';
import type { KafkaCluster } from './kafka-kraft.ts';

export function kafkaDriver(o: { cluster: KafkaCluster; runId: string; warmupMs?: number }): StoreFailoverDriver<KafkaFailoverReport> {
  return new StoreFailoverDriver((fault) => {
    const failover = new KafkaFailover({ cluster: o.cluster, runId: `${o.runId}-${fault}`, warmupMs: o.warmupMs ?? 500, waitForFailover: false });
    return {
      async inject() {
        await failover.inject();
        const killed = failover.killedNode!;
        const node = o.cluster.node(killed.name);
        if (node.running || !(await portRefuses(node.port))) throw new Error(`Kafka node ${killed.name} still answers on port ${node.port} after SIGKILL`);
        return { target: failover.topic, ref: `SIGKILL ${killed.name} (leader of ${failover.topic}-0) pid ${killed.pid} at ${killed.killedAt.toISOString()}` };
      },
      revert: () => failover.revert(),
      notBack: (r) => (r.killed && !r.rejoined ? `Kafka node ${r.killed} is not back in the ISR of ${r.topic} (ISR ${r.isrAfter.join(', ')})` : null),
    };
  });
}
