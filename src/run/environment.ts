// The process environment of a drill: SUT replicas as local processes, each behind its own
// Toxiproxy proxy, plus the Toxiproxy server itself (started here, or an existing one); and what
// the drill's target asks for: an nginx load balancer in front of the replicas' proxies, a NATS
// JetStream cluster (each node behind a proxy of its own), DATA_DIR on a size-limited filesystem.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaultDriver } from '../../chaos/driver.ts';
import type { ReplicaHandle } from '../../chaos/process.ts';
import type { PlannedPartner } from '../../simulators/behaviour.ts';
import type { Journal } from '../../simulators/journal.ts';
import { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { requireTool } from '../../scripts/toolchain.mjs';
import type { Drill, DriverName, Fault } from '../schema/drill.ts';
import { startBroker, type BrokerEnv } from './broker-env.ts';
import { brokerChaosFigures } from './chaos-figures.ts';
import { prepareDisk, type DiskEnv } from './disk-env.ts';
import type { Ledger } from './ledger.ts';
import { startLoadBalancer, type LoadBalancer } from './load-balancer.ts';
import { freePort, waitHealthy, type ManagedProcess, type ProcessGroup } from './processes.ts';

export interface TemplateVars {
  port: string;
  replica: string;
  zone: string;
  dataDir: string;
  partners: Record<string, PartnerVars>;
  /** with target.broker: the URL this replica connects to */
  broker?: { url: string };
  /** process targets: the file that holds {"t0": epoch ms} once the timeline starts (absent before) */
  t0File?: string;
}

export interface PartnerVars {
  url: string;
  webhookSecret: string;
  /** a partner whose key is rotated during the run: the previous secret and the moments (time-scaled ms from t0) */
  previousWebhookSecret?: string;
  rotationAt?: number;
  rotationEnd?: number;
}

const ROTATION_FIELDS = ['previousWebhookSecret', 'rotationAt', 'rotationEnd'] as const;

/** Fills {{port}}, {{partners.acme.url}}, ... in a replica's environment; an unknown name is an error. */
export function renderTemplate(template: string, vars: TemplateVars): string {
  return template.replace(/\{\{\s*([a-zA-Z0-9_.-]+)\s*\}\}/g, (_, key: string) => {
    const parts = key.split('.');
    // own properties only: {{toString}} or {{partners.constructor.url}} are typos, not values
    if (parts[0] === 'partners' && parts.length === 3) {
      const p = Object.hasOwn(vars.partners, parts[1]) ? vars.partners[parts[1]] : undefined;
      const field = parts[2];
      if (p && (field === 'url' || field === 'webhookSecret')) return p[field];
      if (p && (ROTATION_FIELDS as readonly string[]).includes(field)) {
        const v = p[field as (typeof ROTATION_FIELDS)[number]];
        if (v === undefined) throw new Error(`{{${key}}}: partner "${parts[1]}" rotates no key: give it previousWebhookSecret and rotation: { at, overlap }`);
        return String(v);
      }
    } else if (key === 'broker.url') {
      if (vars.broker) return vars.broker.url;
      throw new Error('{{broker.url}} needs a broker: add target.broker: { kind: nats, nodes: 3 } to the drill');
    } else if (key === 'webhookSecrets') {
      return JSON.stringify(Object.fromEntries(Object.entries(vars.partners).map(([n, p]) => [n, p.webhookSecret])));
    } else if (key === 't0File') {
      if (vars.t0File) return vars.t0File;
      throw new Error('{{t0File}} is written for process targets only (a containers target has no path for it yet)');
    } else if (parts.length === 1 && ['port', 'replica', 'zone', 'dataDir'].includes(key)) {
      return String(vars[key as 'port' | 'replica' | 'zone' | 'dataDir']);
    }
    throw new Error(
      `unknown placeholder {{${key}}}: use {{port}}, {{replica}}, {{zone}}, {{dataDir}}, {{webhookSecrets}}, {{t0File}}, {{partners.NAME.url}}, {{partners.NAME.webhookSecret}}, {{partners.NAME.previousWebhookSecret}}, {{partners.NAME.rotationAt}}, {{partners.NAME.rotationEnd}} or {{broker.url}}`,
    );
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
  /** starts the timeline of what the environment runs itself (a containers target's partner simulators; {{t0File}}) */
  startTimeline?(t0: number): void;
  /** Stops the replicas, the load balancer and the broker, unmounts DATA_DIR. Idempotent; call after the run's processes are stopped. */
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  drill: Drill;
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

async function startToxiproxy(o: EnvironmentOptions): Promise<{ driver: ToxiproxyDriver; version: string; source: string }> {
  const existing = process.env.TOXIPROXY_URL;
  if (existing) {
    refuseRemote(existing, o.drill);
    const driver = new ToxiproxyDriver(existing.replace(/\/$/, ''));
    return { driver, version: await driver.version(), source: `TOXIPROXY_URL=${existing}` };
  }
  const tool = requireTool('toxiproxy');
  const port = await freePort();
  const log = fs.openSync(path.join(o.logDir, 'toxiproxy.log'), 'w');
  const proc = o.group.spawn('toxiproxy-server', tool.path, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/version`, 10_000, proc);
  return { driver: new ToxiproxyDriver(url), version: tool.version ?? 'unknown', source: tool.source };
}

function resolveArgs(command: string[], drillDir: string): [string, string[]] {
  const [cmd, ...args] = command.map((a) => (a.startsWith('./') || a.startsWith('../') ? path.resolve(drillDir, a) : a));
  return [cmd === 'node' ? process.execPath : cmd, args];
}

export async function startEnvironment(o: EnvironmentOptions): Promise<Environment> {
  if (o.drill.target.kind === 'containers') {
    // loaded on first use: a process drill does not pay for testcontainers
    const { startContainersEnvironment } = await import('./containers-env.ts');
    return startContainersEnvironment(o);
  }
  const tx = await startToxiproxy(o);
  const target = o.drill.target;
  const service = target.service;
  const [cmd, args] = resolveArgs(service.command, o.drillDir);
  const replicas: Array<Replica & { process: ManagedProcess }> = [];
  let broker: BrokerEnv | null = null;
  let disk: DiskEnv | null = null;
  let lb: LoadBalancer | null = null;
  let workDir: string | null = null;
  // {{t0File}}: a folder of the run's own, the file written when the timeline starts
  let t0Dir: string | null = null;
  let stopping: Promise<void> | null = null;
  const stop = async () => {
    // the order matters: nothing may hold DATA_DIR open when it is unmounted
    await lb?.stop();
    await Promise.all(replicas.map((r) => o.group.stop(r.process)));
    await broker?.stop();
    if (lb) {
      for (const f of ['access.log', 'error.log']) {
        const from = path.join(lb.paths.logs, f);
        if (fs.existsSync(from)) fs.copyFileSync(from, path.join(o.logDir, `nginx-${f}`));
      }
    }
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    if (t0Dir) fs.rmSync(t0Dir, { recursive: true, force: true });
    await disk?.stop();
  };

  try {
    if (target.disk) disk = prepareDisk({ dir: o.dataDir, sizeMb: target.disk.size, runId: o.runId, ledger: o.ledger });
    if (target.broker) broker = await startBroker({ spec: target.broker, faults: o.drill.faults, runId: o.runId, group: o.group, ledger: o.ledger, toxiproxy: tx.driver, logDir: o.logDir });
    const dataDir = disk?.dir ?? o.dataDir;
    if (Object.values(service.env).some((v) => /\{\{\s*t0File\s*\}\}/.test(v))) {
      t0Dir = fs.mkdtempSync(path.join(os.tmpdir(), `gameday-${o.runId}-t0-`));
      o.ledger.folderCreated(t0Dir);
    }
    const t0File = t0Dir ? path.join(t0Dir, 't0.json') : undefined;
    const spawnReplica = (index: number, zone: string, port: number, env: Record<string, string>) => {
      // appends: a restarted replica's output follows the killed one's
      const log = fs.openSync(path.join(o.logDir, `${service.name}-r${index}.log`), 'a');
      const proc = o.group.spawn(`${service.name}-r${index}`, cmd, args, { env, cwd: o.drillDir, stdio: ['ignore', log, log] });
      fs.closeSync(log);
      return proc;
    };
    const envs: Array<Record<string, string>> = [];
    for (let index = 0; index < service.replicas; index++) {
      const zone = service.zones[index % service.zones.length];
      const port = await freePort();
      const vars: TemplateVars = { port: String(port), replica: String(index), zone, dataDir, partners: o.partners, broker: broker ? { url: broker.urlFor(index) } : undefined, t0File };
      const env: Record<string, string> = { PORT: String(port), REPLICA: String(index), ZONE: zone, DATA_DIR: dataDir };
      for (const [k, v] of Object.entries(service.env)) env[k] = renderTemplate(v, vars);
      envs.push(env);
      replicas.push({ index, zone, port, process: spawnReplica(index, zone, port, env), proxy: `gameday-${o.runId}-${service.name}-r${index}`, proxyUrl: '' });
    }
    await Promise.all(replicas.map((r) => waitHealthy(`http://127.0.0.1:${r.port}${service.healthPath}`, service.startTimeout, r.process)));
    for (const r of replicas) {
      o.ledger.proxyCreated(tx.driver.apiUrl, r.proxy);
      const info = await tx.driver.createProxy(r.proxy, `127.0.0.1:${r.port}`);
      r.proxyUrl = `http://${info.listen}`;
    }
    await Promise.all(replicas.map((r) => waitHealthy(`${r.proxyUrl}${service.healthPath}`, 5000)));
    if (target.loadBalancer) {
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), `gameday-${o.runId}-lb-`));
      o.ledger.folderCreated(workDir);
      lb = await startLoadBalancer({
        dir: path.join(workDir, 'nginx'),
        service: service.name,
        // nginx → Toxiproxy → replica: network faults still bite per replica
        upstreams: replicas.map((r) => ({ port: Number(new URL(r.proxyUrl).port), zone: r.zone, name: `${service.name}-r${r.index}` })),
        spawn: (command, argv, options) => o.group.spawn('nginx (load balancer)', command, argv, options).child,
      });
      await waitHealthy(`${lb.url}${service.healthPath}`, 5000);
    }
    const lbConfig = lb ? fs.readFileSync(lb.paths.conf, 'utf8') : null;

    const failovers = o.drill.faults.filter((f) => f.action === 'broker-failover').map((f) => f.name);
    const started = { broker, disk, lb };
    return {
      toxiproxy: tx.driver,
      toxiproxyVersion: tx.version,
      toxiproxySource: tx.source,
      replicas,
      proxiesOf: (name) => (name === service.name ? replicas.map((r) => r.proxy) : broker && name === broker.name ? [...broker.proxies] : []),
      handles: () =>
        replicas.map((r) => ({
          name: `${service.name}-r${r.index}`,
          zone: r.zone,
          port: r.port,
          alive: () => !r.process.exit,
          kill: async () => {
            if (r.process.exit) return;
            r.process.child.kill('SIGKILL');
            await r.process.exited;
          },
          restart: async () => {
            if (!r.process.exit) return;
            r.process = spawnReplica(r.index, r.zone, r.port, envs[r.index]);
            await waitHealthy(`http://127.0.0.1:${r.port}${service.healthPath}`, service.startTimeout, r.process);
          },
        })),
      entryUrls: lb ? [lb.url] : replicas.map((r) => r.proxyUrl),
      loadBalancer: lb,
      broker,
      disk,
      drivers: () => ({ ...(started.broker ? { broker: started.broker.driver } : {}), ...(started.disk ? { disk: started.disk.driver } : {}) }),
      targetsOf: (fault) => {
        if (fault.action === 'broker-failover') return started.broker ? [started.broker.streamOf(fault)] : [];
        if (fault.action === 'disk-full') return started.disk ? [started.disk.dir] : [];
        return [];
      },
      chaosFigures: () => brokerChaosFigures(failovers, (name) => started.broker?.driver.figures(name) ?? { failoverMs: null, messagesLost: null }),
      chaosEvidence: () => ({
        loadBalancer: started.lb ? { url: started.lb.url, upstreams: started.lb.upstreams, config: lbConfig } : null,
        broker: started.broker?.evidence() ?? null,
        disk: started.disk?.evidence() ?? null,
      }),
      startTimeline: (t0) => {
        if (!t0File) return;
        // atomically: a replica reading it sees the whole of it or nothing
        fs.writeFileSync(`${t0File}.tmp`, JSON.stringify({ t0 }));
        fs.renameSync(`${t0File}.tmp`, t0File);
      },
      stop: () => (stopping ??= stop()),
    };
  } catch (err) {
    await stop().catch((cleanupErr) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; and cleaning up failed: ${cleanupErr instanceof Error ? cleanupErr.message : String(cleanupErr)}`);
    });
    throw err;
  }
}
