// What every target gives the run: its replicas, the entry URLs load goes to, the drivers of
// what it added, and how it stops; and the placeholders a service's environment may use.
import type { FaultDriver } from '../../chaos/driver.ts';
import type { ReplicaHandle } from '../../chaos/process.ts';
import type { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import type { PlannedPartner } from '../../simulators/behaviour.ts';
import type { Journal } from '../../simulators/journal.ts';
import type { Ledger } from '../platform/ledger.ts';
import type { ManagedProcess, ProcessGroup } from '../platform/processes.ts';
import type { Drill, DriverName, Fault } from '../schema/drill.ts';
import type { TemplateVars } from '../schema/template.ts';
import { remoteRefusal } from '../schema/external.ts';
import type { BrokerEnv } from './broker.ts';
import type { DiskEnv } from './disk.ts';
import type { LoadBalancer } from './load-balancer.ts';

// The placeholders of a service's environment are part of the drill's model (validate checks them too).
export { renderTemplate, type TemplateVars } from '../schema/template.ts';

export interface Replica {
  index: number;
  zone: string;
  /** the replica's port on 127.0.0.1 (containers: its published port) */
  port: number;
  /** null for a containers target: the replica is a container */
  process: ManagedProcess | null;
  proxy: string;
  /** http://127.0.0.1:PORT of its proxy: where load goes */
  proxyUrl: string;
}

export interface Environment {
  toxiproxy: ToxiproxyDriver;
  toxiproxyVersion: string;
  toxiproxySource: string;
  replicas: Replica[];
  /** proxy names per service, for fault targets */
  proxiesOf(service: string): string[];
  /** the replicas as the process driver sees them */
  handles(): ReplicaHandle[];
  /** where load (k6, webhook senders) goes: the load balancer, or every replica's proxy */
  entryUrls: string[];
  /** headers k6 sends to each entry URL (same order): an external endpoint's, a token by the name of its environment variable */
  entryHeaders?: Array<Record<string, { value: string } | { env: string }>>;
  loadBalancer: LoadBalancer | null;
  broker: BrokerEnv | null;
  disk: DiskEnv | null;
  /** the drivers of what the target added (broker, disk) */
  drivers(): Partial<Record<DriverName, FaultDriver>>;
  /** the broker and disk drivers' targets for a fault: the stream whose leader is killed, the directory to fill */
  targetsOf(fault: Fault): string[];
  /** per broker-failover fault and over all of them: chaos/<fault>/broker-failover-time, chaos/broker-failover-time, chaos/<fault>/message-loss, chaos/message-loss; per kubernetes fault that deleted pods and over them: chaos/<fault>/pod-replacement-time, chaos/pod-replacement-time (null: unknown) */
  chaosFigures(): Record<string, number | null>;
  /** what the load balancer, broker and disk were and did, for chaos_report.json */
  chaosEvidence(): Record<string, unknown>;
  /** starts the timeline of what the environment runs itself (a containers target's partner simulators) */
  startTimeline?(t0: number): void;
  /** Stops the replicas, the load balancer and the broker, unmounts DATA_DIR. Idempotent; call after the run's processes are stopped. */
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  drill: Drill;
  /** the drill file, for errors that say the drill cannot run here (exit 3) */
  drillFile?: string;
  /** the run's time-scale: durations the target runs on the drill's clock scale with it */
  timeScale: number;
  drillDir: string;
  runId: string;
  group: ProcessGroup;
  ledger: Ledger;
  logDir: string;
  dataDir: string;
  partners: TemplateVars['partners'];
  /** a containers target runs the partner simulators itself, on its network: what they play */
  plannedPartners?: PlannedPartner[];
  /** where those simulators' exchanges go once they stop */
  journal?: Journal;
}

/** Blast radius: anything off loopback needs the drill's allowRemote (with its reason). */
export function refuseRemote(url: string, drill: { allowRemote?: { reason: string; hosts?: readonly string[] } }): void {
  // a reason alone still allows a shared Toxiproxy when the drill lists no hosts (as before hosts existed)
  const refusal = remoteRefusal(url, drill.allowRemote, 'TOXIPROXY_URL=', true);
  if (refusal) throw new Error(refusal.replace('TOXIPROXY_URL= ', 'TOXIPROXY_URL='));
}
