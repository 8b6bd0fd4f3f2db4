// The broker driver of a stateful store (Redis with Sentinel, Kafka): broker-failover as a drill
// fault, one failover per fault. inject starts the store's probe and kills its primary / leader,
// observed gone; revert brings the node back, waits until it rejoined and keeps the probe's report
// (failover time, acknowledged writes lost). Reverting twice, or after a failed inject, is safe.
import type { FailoverFigures } from '../broker/driver.ts';
import type { FaultDriver, FaultRequest, InjectedFault } from '../driver.ts';

/** What a store's failover does for the driver; `inject` returns what it killed, observed gone. */
export interface StoreFailover<R> {
  inject(): Promise<{ target: string; ref: string }>;
  revert(): Promise<R>;
  /** why the revert is not done (the node did not rejoin), or null */
  notBack(report: R): string | null;
}

export interface FailoverReport {
  killed: string | null;
  failoverMs: number | null;
  lost: number;
}

export class StoreFailoverDriver<R extends FailoverReport> implements FaultDriver {
  readonly name = 'broker' as const;
  private readonly running = new Map<string, StoreFailover<R>>();
  readonly reports = new Map<string, R>();
  readonly failures = new Map<string, string>();

  /** `start`: a new failover for the fault of that name */
  constructor(private readonly start: (fault: string) => StoreFailover<R>) {}

  async inject(request: FaultRequest): Promise<InjectedFault> {
    if (request.action !== 'broker-failover') throw new Error(`the broker driver does not support "${request.action}"`);
    if (this.running.has(request.name) || this.reports.has(request.name)) throw new Error(`fault ${request.name} was already injected in this run`);
    const failover = this.start(request.name);
    this.running.set(request.name, failover);
    return { request, applied: [await failover.inject()] };
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    const failover = this.running.get(request.name);
    if (!failover) return;
    try {
      const report = await failover.revert();
      this.reports.set(request.name, report);
      const problem = failover.notBack(report);
      if (problem) throw new Error(problem);
    } catch (err) {
      this.failures.set(request.name, err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      this.running.delete(request.name);
    }
  }

  /** Failover time (kill → first acknowledged write on the new primary / leader) and acknowledged writes lost. */
  figures(fault: string): FailoverFigures {
    const r = this.reports.get(fault);
    if (!r) return { failoverMs: null, messagesLost: null };
    return { failoverMs: r.failoverMs, messagesLost: r.killed !== null ? r.lost : null };
  }
}
