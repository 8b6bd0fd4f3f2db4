// The fault timeline of a run (Chaos Toolkit's method and rollback): each planned fault injected
// at its start through its driver, reverted at its end, every step recorded; `stop` reverts
// whatever is still in, in order, and is what the run's teardown calls — on success, failure,
// abort and signal alike.
import type { FaultDriver, InjectedFault } from '../../chaos/driver.ts';
import { faultParams, type DriverName, type FaultRequest } from '../../chaos/registry.ts';
import type { FaultRecord } from '../evidence/run-evidence.ts';
import type { PlannedFault } from '../plan/plan.ts';
import type { Fault } from '../schema/drill.ts';
import type { Environment } from '../targets/target.ts';

export type { FaultRecord };

export interface FaultScheduleOptions {
  faults: readonly PlannedFault[];
  timeScale: number;
  /** the run's drivers, once the target is up */
  driver(name: DriverName): FaultDriver;
  /** where each fault acts: proxy names, replica names, a stream, a directory */
  targets(fault: Fault): string[];
  /** no new injection once the run is stopping */
  stopping(): boolean;
  log(line: string): void;
  problem(code: string, message: string): void;
}

/** The driver's targets for a fault, from the environment the target started. */
export function faultTargets(fault: Fault, env: Environment): string[] {
  // a command runs what the drill says; a docker or kubernetes fault picks its containers / pods itself, at inject
  if (fault.driver === 'command' || fault.driver === 'docker' || fault.driver === 'kubernetes') return [];
  // a proxy of the team's Toxiproxy (external targets), or the run's own proxies in front of the target
  if (fault.driver === 'toxiproxy') return fault.proxy !== undefined ? env.targetsOf(fault) : env.proxiesOf(fault.target);
  if (fault.driver === 'fis') return [fault.target];
  if (fault.driver === 'broker' || fault.driver === 'disk' || fault.driver === 'containers') return env.targetsOf(fault);
  const replicas = env.handles();
  if (fault.action === 'pod-kill') return [replicas[fault.replica].name];
  if (fault.action === 'az-failure') return replicas.filter((r) => r.zone === fault.zone).map((r) => r.name);
  return [];
}

export class FaultSchedule {
  readonly records: FaultRecord[];
  private readonly injected = new Map<string, { driver: DriverName; handle: InjectedFault | FaultRequest }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: FaultScheduleOptions) {
    this.records = o.faults.map((f) => ({
      name: f.fault.name,
      driver: f.fault.driver,
      action: f.fault.action,
      target: { service: f.fault.target, proxies: [] },
      params: faultParams(f.fault, o.timeScale),
      scheduled: { startMs: f.startMs, endMs: f.endMs },
      injectedAt: null,
      injectVerified: false,
      revertedAt: null,
      revertVerified: false,
      outcome: 'not-started',
      error: null,
    }));
  }

  /** Sets a timer for every injection and revert, relative to t0 (epoch ms). */
  start(t0: number): void {
    this.o.faults.forEach((pf, i) => {
      const record = this.records[i];
      this.timers.push(setTimeout(() => this.track(this.inject(pf, record)), Math.max(0, t0 + pf.startMs - Date.now())));
      this.timers.push(setTimeout(() => this.track(this.revert(record)), Math.max(0, t0 + pf.endMs - Date.now())));
    });
  }

  /** No more timers; what is being injected finishes; everything still in is reverted, in order. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled([...this.inFlight]);
    for (const record of this.records) await this.revert(record);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async inject(pf: PlannedFault, record: FaultRecord): Promise<void> {
    if (this.o.stopping()) return;
    const request = { name: pf.fault.name, action: pf.fault.action, targets: this.o.targets(pf.fault), params: record.params } as FaultRequest;
    record.target.proxies = request.targets;
    this.injected.set(record.name, { driver: pf.fault.driver, handle: request });
    try {
      const handle = await this.o.driver(pf.fault.driver).inject(request);
      this.injected.set(record.name, { driver: pf.fault.driver, handle });
      record.injectedAt = new Date().toISOString();
      record.injectVerified = true;
      record.outcome = 'injected';
      this.o.log(`fault ${record.name}: ${record.action} injected on ${request.targets.join(', ')}`);
    } catch (err) {
      record.injectedAt = new Date().toISOString();
      record.outcome = 'inject-failed';
      record.error = String(err);
      this.o.problem('fault-not-injected', `fault ${record.name} could not be injected: ${err}`);
    }
  }

  private async revert(record: FaultRecord): Promise<void> {
    const entry = this.injected.get(record.name);
    if (!entry) return;
    this.injected.delete(record.name);
    try {
      await this.o.driver(entry.driver).revert(entry.handle);
      record.revertedAt = new Date().toISOString();
      record.revertVerified = true;
      if (record.outcome === 'injected') record.outcome = 'reverted';
      this.o.log(`fault ${record.name}: reverted`);
    } catch (err) {
      record.revertedAt = new Date().toISOString();
      record.outcome = 'revert-failed';
      record.error = String(err);
      this.o.problem('fault-not-reverted', `fault ${record.name} could not be reverted: ${err}`);
    }
  }
}
