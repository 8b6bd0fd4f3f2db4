// Broker driver: broker-failover as a drill fault. inject starts the sequence-numbered probe on
// the stream, SIGKILLs the stream's leader and checks it is gone; revert restarts the node, waits
// until the stream has every replica current again, drains the probe and keeps its report
// (failover time, message loss). Reverting twice, or after a failed inject, is safe.
import { portRefuses } from '../process.ts';
import type { FaultDriver, FaultRequest, InjectedFault } from '../driver.ts';
import { BrokerFailover, type BrokerFailoverReport, type FailoverCluster } from './failover.ts';

export interface BrokerDriverOptions {
  cluster: FailoverCluster & { node(name: string): { running: boolean; clientUrl: string } };
  /** names the probe's msgIDs and consumers (with the fault's name) */
  runId: string;
  /** the subject the probe publishes on for a stream: captured by it, consumed by nothing else */
  probeSubject: (stream: string) => string;
  /** probe pacing (default 50 ms: 20 messages/s) */
  intervalMs?: number;
  /** probe traffic before the kill (default 500 ms) */
  warmupMs?: number;
  /** the probe stops by itself after this many messages (default 6000: 5 minutes at 20/s) */
  maxMessages?: number;
  failoverTimeoutMs?: number;
  rejoinTimeoutMs?: number;
  drainTimeoutMs?: number;
}

/** The figures a drill judges, per fault; null when the failover did not happen or could not be measured. */
export interface FailoverFigures {
  failoverMs: number | null;
  messagesLost: number | null;
}

export class BrokerDriver implements FaultDriver {
  readonly name = 'broker' as const;
  private readonly running = new Map<string, BrokerFailover>();
  private readonly killed = new Map<string, string>();
  /** fault name → the probe's report, once reverted */
  readonly reports = new Map<string, BrokerFailoverReport>();
  /** fault name → why it has no report (the failover could not start, or its revert failed) */
  readonly failures = new Map<string, string>();

  constructor(private readonly opts: BrokerDriverOptions) {}

  async inject(request: FaultRequest): Promise<InjectedFault> {
    if (request.action !== 'broker-failover') throw new Error(`the broker driver does not support "${request.action}"`);
    const stream = request.targets[0];
    if (!stream || request.targets.length !== 1) throw new Error(`fault ${request.name}: a broker-failover targets one stream, not [${request.targets.join(', ')}]`);
    if (this.running.has(request.name) || this.reports.has(request.name)) throw new Error(`fault ${request.name} was already injected in this run`);
    let failover: BrokerFailover;
    try {
      failover = await BrokerFailover.start({
        cluster: this.opts.cluster,
        stream,
        subject: this.opts.probeSubject(stream),
        runId: `${this.opts.runId}-${request.name}`,
        intervalMs: this.opts.intervalMs ?? 50,
        warmupMs: this.opts.warmupMs ?? 500,
        maxMessages: this.opts.maxMessages ?? 6000,
        failoverTimeoutMs: this.opts.failoverTimeoutMs,
        rejoinTimeoutMs: this.opts.rejoinTimeoutMs,
        drainTimeoutMs: this.opts.drainTimeoutMs,
      });
    } catch (err) {
      this.failures.set(request.name, `the probe could not start: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    this.running.set(request.name, failover);
    const done = await failover.inject();
    this.killed.set(request.name, done.killedLeader);
    // observed in place: the leader's process is gone and its client port refuses connections
    const node = this.opts.cluster.node(done.killedLeader);
    const port = Number(new URL(node.clientUrl.replace(/^nats:/, 'http:')).port);
    if (node.running || !(await portRefuses(port))) throw new Error(`broker node ${done.killedLeader} still answers on port ${port} after SIGKILL`);
    return { request, applied: [{ target: stream, ref: `SIGKILL ${done.killedLeader} pid ${done.killedPid} at ${done.killedAt}` }] };
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    const failover = this.running.get(request.name);
    if (failover) {
      try {
        this.reports.set(request.name, await failover.revert());
      } catch (err) {
        const report = (err as { report?: BrokerFailoverReport }).report;
        if (report) this.reports.set(request.name, report);
        this.failures.set(request.name, err instanceof Error ? err.message : String(err));
        throw err;
      } finally {
        this.running.delete(request.name);
      }
    }
    // observed gone: the node that was killed runs again and accepts connections
    const name = this.killed.get(request.name);
    if (name) {
      const node = this.opts.cluster.node(name);
      const port = Number(new URL(node.clientUrl.replace(/^nats:/, 'http:')).port);
      if (!node.running || (await portRefuses(port))) throw new Error(`broker node ${name} is not back on port ${port}`);
    }
  }

  /** Failover time (kill → first PubAck after it, else → new leader) and acknowledged-but-never-delivered probe messages. */
  figures(fault: string): FailoverFigures {
    const r = this.reports.get(fault);
    if (!r) return { failoverMs: null, messagesLost: null };
    // a probe that did not drain cannot tell lost from late
    return { failoverMs: r.failoverMs, messagesLost: r.killedLeader !== null && r.drained ? r.lost : null };
  }
}
