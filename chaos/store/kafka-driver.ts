// The broker driver for Kafka: broker-failover as a drill fault. inject starts the idempotent
// acks=all probe on a topic of its own and SIGKILLs that partition's leader (observed: its port
// refuses connections); revert starts the node again, waits for a whole ISR, reads the probe back
// and keeps the report (failover time, acknowledged writes lost). Reverting twice is safe.
import { portRefuses } from '../process.ts';
import type { FailoverFigures } from '../broker/driver.ts';
import type { FaultDriver, FaultRequest, InjectedFault } from '../driver.ts';
import { KafkaFailover, type KafkaFailoverReport } from './kafka-failover.ts';
import type { KafkaCluster } from './kafka-kraft.ts';

export class KafkaDriver implements FaultDriver {
  readonly name = 'broker' as const;
  private readonly running = new Map<string, KafkaFailover>();
  readonly reports = new Map<string, KafkaFailoverReport>();
  readonly failures = new Map<string, string>();

  constructor(private readonly o: { cluster: KafkaCluster; runId: string; warmupMs?: number }) {}

  async inject(request: FaultRequest): Promise<InjectedFault> {
    if (request.action !== 'broker-failover') throw new Error(`the broker driver does not support "${request.action}"`);
    if (this.running.has(request.name) || this.reports.has(request.name)) throw new Error(`fault ${request.name} was already injected in this run`);
    const failover = new KafkaFailover({ cluster: this.o.cluster, runId: `${this.o.runId}-${request.name}`, warmupMs: this.o.warmupMs ?? 500, waitForFailover: false });
    this.running.set(request.name, failover);
    await failover.inject();
    const killed = failover.killedNode!;
    const node = this.o.cluster.node(killed.name);
    if (node.running || !(await portRefuses(node.port))) throw new Error(`Kafka node ${killed.name} still answers on port ${node.port} after SIGKILL`);
    return { request, applied: [{ target: failover.topic, ref: `SIGKILL ${killed.name} (leader of ${failover.topic}-0) pid ${killed.pid} at ${killed.killedAt.toISOString()}` }] };
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    const failover = this.running.get(request.name);
    if (!failover) return;
    try {
      const report = await failover.revert();
      this.reports.set(request.name, report);
      if (report.killed && !report.rejoined) throw new Error(`Kafka node ${report.killed} is not back in the ISR of ${report.topic} (ISR ${report.isrAfter.join(', ')})`);
    } catch (err) {
      this.failures.set(request.name, err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      this.running.delete(request.name);
    }
  }

  /** Failover time (kill → first acknowledged acks=all write on the new leader) and acknowledged writes lost. */
  figures(fault: string): FailoverFigures {
    const r = this.reports.get(fault);
    if (!r) return { failoverMs: null, messagesLost: null };
    return { failoverMs: r.failoverMs, messagesLost: r.killed !== null ? r.lost : null };
  }
}
