// The broker driver for a Redis with Sentinel: broker-failover as a drill fault. inject starts the
// write probe and SIGKILLs the primary (observed: its port refuses connections); revert starts it
// again, waits until it rejoined as a replica, and keeps the probe's report (failover time,
// acknowledged writes lost). Reverting twice, or after a failed inject, is safe.
import { portRefuses } from '../process.ts';
import type { FailoverFigures } from '../broker/driver.ts';
import type { FaultDriver, FaultRequest, InjectedFault } from '../driver.ts';
import { RedisFailover, type RedisFailoverReport } from './redis-failover.ts';
import type { RedisSentinelSet } from './redis-sentinel.ts';

export class RedisSentinelDriver implements FaultDriver {
  readonly name = 'broker' as const;
  private readonly running = new Map<string, RedisFailover>();
  readonly reports = new Map<string, RedisFailoverReport>();
  readonly failures = new Map<string, string>();

  constructor(private readonly o: { set: RedisSentinelSet; runId: string; warmupMs?: number }) {}

  async inject(request: FaultRequest): Promise<InjectedFault> {
    if (request.action !== 'broker-failover') throw new Error(`the broker driver does not support "${request.action}"`);
    if (this.running.has(request.name) || this.reports.has(request.name)) throw new Error(`fault ${request.name} was already injected in this run`);
    const failover = new RedisFailover({ set: this.o.set, runId: `${this.o.runId}-${request.name}`, warmupMs: this.o.warmupMs ?? 500 });
    this.running.set(request.name, failover);
    const killed = await failover.inject();
    if (!(await portRefuses(killed.port))) throw new Error(`redis primary ${killed.name} still answers on port ${killed.port} after SIGKILL`);
    return { request, applied: [{ target: this.o.set.masterName, ref: `SIGKILL ${killed.name} pid ${killed.pid} at ${killed.killedAt.toISOString()}` }] };
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    const failover = this.running.get(request.name);
    if (!failover) return;
    try {
      const report = await failover.revert();
      this.reports.set(request.name, report);
      if (report.killed && !report.rejoined) throw new Error(`redis ${report.killed} did not rejoin as a replica`);
    } catch (err) {
      this.failures.set(request.name, err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      this.running.delete(request.name);
    }
  }

  /** Failover time (kill → first acknowledged write on the new primary) and acknowledged writes lost. */
  figures(fault: string): FailoverFigures {
    const r = this.reports.get(fault);
    if (!r) return { failoverMs: null, messagesLost: null };
    return { failoverMs: r.failoverMs, messagesLost: r.killed !== null ? r.lost : null };
  }
}
