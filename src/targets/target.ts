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
import type { BrokerEnv } from './broker.ts';
import type { DiskEnv } from './disk.ts';
import type { LoadBalancer } from './load-balancer.ts';

export interface TemplateVars {
  port: string;
  replica: string;
  zone: string;
  dataDir: string;
  partners: Record<string, { url: string; webhookSecret: string }>;
  /** with target.broker: the URL this replica connects to */
  broker?: { url: string };
}

/** Fills {{port}}, {{partners.acme.url}}, ... in a replica's environment; an unknown name is an error. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{\{\s*([a-zA-Z0-9_.-]+)\s*\}\}/g, (_, key: string) => {
    const parts = key.split('.');
    // own properties only: {{toString}} or {{partners.constructor.url}} are typos, not values
    if (parts[0] === 'partners' && parts.length === 3) {
      const p = Object.hasOwn(vars.partners, parts[1]) ? vars.partners[parts[1]] : undefined;
      const field = parts[2];
      if (p && (field === 'url' || field === 'webhookSecret')) return p[field];
    } else if (key === 'broker.url') {
      if (vars.broker) return vars.broker.url;
      throw new Error('{{broker.url}} needs a broker: add target.broker: { kind: nats, nodes: 3 } to the drill');
    } else if (key === 'webhookSecrets') {
      return JSON.stringify(Object.fromEntries(Object.entries(vars.partners).map(([n, p]) => [n, p.webhookSecret])));
    } else if (parts.length === 1 && ['port', 'replica', 'zone', 'dataDir'].includes(key)) {
      return String(vars[key as 'port' | 'replica' | 'zone' | 'dataDir']);
    }
    throw new Error(`unknown placeholder {{${key}}}: use {{port}}, {{replica}}, {{zone}}, {{dataDir}}, {{webhookSecrets}}, {{partners.NAME.url}}, {{partners.NAME.webhookSecret}} or {{broker.url}}`);
  });
}

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
  loadBalancer: LoadBalancer | null;
  broker: BrokerEnv | null;
  disk: DiskEnv | null;
  /** the drivers of what the target added (broker, disk) */
  drivers(): Partial<Record<DriverName, FaultDriver>>;
  /** the broker and disk drivers' targets for a fault: the stream whose leader is killed, the directory to fill */
  targetsOf(fault: Fault): string[];
  /** per broker-failover fault and over all of them: chaos/<fault>/broker-failover-time, chaos/broker-failover-time, chaos/<fault>/message-loss, chaos/message-loss (null: unknown) */
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
export function refuseRemote(url: string, drill: Pick<Drill, 'allowRemote'>): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error(`TOXIPROXY_URL=${url} is not a URL: write e.g. http://127.0.0.1:8474`);
  }
  const loopback = host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (!loopback && !drill.allowRemote) {
    throw new Error(`TOXIPROXY_URL=${url} is not on loopback: a drill only touches what it creates on this machine unless it sets allowRemote: { reason: "..." }`);
  }
}
