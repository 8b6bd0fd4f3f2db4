// The process environment of a drill: SUT replicas as local processes, each behind its own
// Toxiproxy proxy, plus the Toxiproxy server itself (started here, or an existing one).
import fs from 'node:fs';
import path from 'node:path';
import type { ReplicaHandle } from '../../chaos/process.ts';
import { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { requireTool } from '../../scripts/toolchain.mjs';
import type { Drill } from '../schema/drill.ts';
import type { Ledger } from './ledger.ts';
import { freePort, waitHealthy, type ManagedProcess, type ProcessGroup } from './processes.ts';

export interface TemplateVars {
  port: string;
  replica: string;
  zone: string;
  dataDir: string;
  partners: Record<string, { url: string; webhookSecret: string }>;
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
    } else if (key === 'webhookSecrets') {
      return JSON.stringify(Object.fromEntries(Object.entries(vars.partners).map(([n, p]) => [n, p.webhookSecret])));
    } else if (parts.length === 1 && ['port', 'replica', 'zone', 'dataDir'].includes(key)) {
      return String(vars[key as 'port' | 'replica' | 'zone' | 'dataDir']);
    }
    throw new Error(`unknown placeholder {{${key}}}: use {{port}}, {{replica}}, {{zone}}, {{dataDir}}, {{webhookSecrets}}, {{partners.NAME.url}} or {{partners.NAME.webhookSecret}}`);
  });
}

export interface Replica {
  index: number;
  zone: string;
  port: number;
  process: ManagedProcess;
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
}

async function startToxiproxy(o: EnvironmentOptions): Promise<{ driver: ToxiproxyDriver; version: string; source: string }> {
  const existing = process.env.TOXIPROXY_URL;
  if (existing) {
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
  const tx = await startToxiproxy(o);
  const service = o.drill.target.service;
  const [cmd, args] = resolveArgs(service.command, o.drillDir);
  const replicas: Replica[] = [];
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
    const vars: TemplateVars = { port: String(port), replica: String(index), zone, dataDir: o.dataDir, partners: o.partners };
    const env: Record<string, string> = { PORT: String(port), REPLICA: String(index), ZONE: zone, DATA_DIR: o.dataDir };
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
  return {
    toxiproxy: tx.driver,
    toxiproxyVersion: tx.version,
    toxiproxySource: tx.source,
    replicas,
    proxiesOf: (name) => (name === service.name ? replicas.map((r) => r.proxy) : []),
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
  };
}
