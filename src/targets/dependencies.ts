// The target's other services (target.services): the dependencies of the service under load — a
// database, a cache, an internal API — started before it, in dependsOn order, as local processes on
// 127.0.0.1, each replica behind its own Toxiproxy proxy. Whoever starts after a service reaches it
// through that proxy ({{services.NAME.url}} / {{services.NAME.address}}), so a network fault on it
// cuts the app off from its dependency. Their output goes to logs/<name>-r<i>.log like the service's.
import fs from 'node:fs';
import path from 'node:path';
import type { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import type { Ledger } from '../platform/ledger.ts';
import { waitFor } from '../platform/poll.ts';
import { freePort, waitHealthy, type ManagedProcess, type ProcessGroup } from '../platform/processes.ts';
import { serviceStartOrder, type DependencySpec } from '../schema/drill.ts';
import { renderTemplate, type TemplateVars } from '../schema/template.ts';
import { portRefuses } from '../../chaos/process.ts';

interface StartedReplica {
  index: number;
  zone: string;
  port: number;
  process: ManagedProcess;
  proxy: string;
  /** 127.0.0.1:P of its proxy */
  address: string;
}

export interface Dependencies {
  /** what replica `index` of a later service is given as {{services.*}}: replica index mod n of each */
  vars(index: number): Record<string, { url: string; address: string }>;
  proxiesOf(name: string): string[];
  evidence(): Array<{ name: string; dependsOn: string[]; replicas: Array<{ port: number; proxy: string; address: string; zone: string }> }>;
  /** stops every replica, the last started first. Idempotent. */
  stop(group: ProcessGroup): Promise<void>;
}

export interface DependencyOptions {
  services: readonly DependencySpec[];
  toxiproxy: ToxiproxyDriver;
  group: ProcessGroup;
  ledger: Ledger;
  runId: string;
  logDir: string;
  drillDir: string;
  dataDir: string;
  partners: TemplateVars['partners'];
  resolveArgs(command: string[]): [string, string[]];
}

/** Up once it answers its health path, or (no health path) accepts TCP connections. */
async function waitUp(spec: DependencySpec, r: StartedReplica): Promise<void> {
  if (spec.healthPath) return waitHealthy(`http://127.0.0.1:${r.port}${spec.healthPath}`, spec.startTimeout, r.process);
  await waitFor(
    async (note) => {
      if (r.process.exit) throw new Error(`${spec.name}-r${r.index} exited (code ${r.process.exit.code}, signal ${r.process.exit.signal}) before it listened on 127.0.0.1:${r.port}; its output is in logs/${spec.name}-r${r.index}.log`);
      const refused = await portRefuses(r.port, 500);
      note(refused ? 'connection refused' : 'accepting');
      return !refused;
    },
    { timeoutMs: spec.startTimeout, intervalMs: 100, what: `${spec.name}-r${r.index} to accept connections on 127.0.0.1:${r.port}` },
  );
}

export async function startDependencies(o: DependencyOptions): Promise<Dependencies> {
  const started = new Map<string, { spec: DependencySpec; replicas: StartedReplica[] }>();
  const vars = (index: number) =>
    Object.fromEntries(
      [...started.entries()]
        // a service is reachable once every replica has its proxy
        .filter(([, s]) => s.replicas.length > 0 && s.replicas.every((r) => r.address))
        .map(([name, s]) => {
          const r = s.replicas[index % s.replicas.length];
          return [name, { url: `http://${r.address}`, address: r.address }];
        }),
    );
  const deps: Dependencies = {
    vars,
    proxiesOf: (name) => started.get(name)?.replicas.map((r) => r.proxy) ?? [],
    evidence: () => [...started.values()].map(({ spec, replicas }) => ({ name: spec.name, dependsOn: spec.dependsOn, replicas: replicas.map((r) => ({ port: r.port, proxy: r.proxy, address: r.address, zone: r.zone })) })),
    stop: async (group) => {
      for (const { replicas } of [...started.values()].reverse()) await Promise.all(replicas.map((r) => group.stop(r.process)));
    },
  };
  try {
    for (const spec of serviceStartOrder(o.services)) {
      const replicas: StartedReplica[] = [];
      started.set(spec.name, { spec, replicas });
      for (let index = 0; index < spec.replicas; index++) {
        const zone = spec.zones[index % spec.zones.length];
        const port = await freePort();
        // only what it depends on has started: {{services.X}} of anything else is an error
        const before = Object.fromEntries(Object.entries(vars(index)).filter(([n]) => spec.dependsOn.includes(n)));
        const tv: TemplateVars = { port: String(port), replica: String(index), zone, dataDir: o.dataDir, partners: o.partners, services: before };
        const env: Record<string, string> = { PORT: String(port), REPLICA: String(index), ZONE: zone, DATA_DIR: o.dataDir };
        for (const [k, v] of Object.entries(spec.env)) env[k] = renderTemplate(v, tv);
        const [cmd, args] = o.resolveArgs(spec.command.map((a) => renderTemplate(a, tv)));
        const log = fs.openSync(path.join(o.logDir, `${spec.name}-r${index}.log`), 'a');
        const proc = o.group.spawn(`${spec.name}-r${index}`, cmd, args, { env, cwd: o.drillDir, stdio: ['ignore', log, log] });
        fs.closeSync(log);
        replicas.push({ index, zone, port, process: proc, proxy: `gameday-${o.runId}-${spec.name}-r${index}`, address: '' });
      }
      await Promise.all(replicas.map((r) => waitUp(spec, r)));
      for (const r of replicas) {
        o.ledger.proxyCreated(o.toxiproxy.apiUrl, r.proxy);
        r.address = (await o.toxiproxy.createProxy(r.proxy, `127.0.0.1:${r.port}`)).listen;
      }
    }
  } catch (err) {
    await deps.stop(o.group);
    throw err;
  }
  return deps;
}
