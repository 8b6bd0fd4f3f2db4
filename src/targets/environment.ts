// The process environment of a drill: SUT replicas as local processes, each behind its own
// Toxiproxy proxy, plus the Toxiproxy server itself (started here, or an existing one); and what
// the drill's target asks for: an nginx load balancer in front of the replicas' proxies, a NATS
// JetStream cluster (each node behind a proxy of its own), DATA_DIR on a size-limited filesystem.
import fs from 'node:fs';
import path from 'node:path';
import { startNatsBroker, type BrokerEnv } from './broker.ts';
import { startKafkaBroker } from './kafka-broker.ts';
import { startRedisBroker } from './redis-broker.ts';
import { brokerChaosFigures } from './chaos-figures.ts';
import { startDependencies, type Dependencies } from './dependencies.ts';
import { prepareDisk, type DiskEnv } from './disk.ts';
import { failTimeoutSeconds, startLoadBalancer, type LoadBalancer } from './load-balancer.ts';
import { freePort, waitHealthy, type ManagedProcess } from '../platform/processes.ts';
import { startToxiproxy } from './toxiproxy-server.ts';
import { refuseRemote, renderTemplate, type Environment, type EnvironmentOptions, type Replica, type TemplateVars } from './target.ts';

export { refuseRemote, renderTemplate, type Environment, type EnvironmentOptions, type Replica, type TemplateVars };

function resolveArgs(command: string[], drillDir: string): [string, string[]] {
  const [cmd, ...args] = command.map((a) => (a.startsWith('./') || a.startsWith('../') ? path.resolve(drillDir, a) : a));
  return [cmd === 'node' ? process.execPath : cmd, args];
}

export async function startEnvironment(o: EnvironmentOptions): Promise<Environment> {
  const target = o.drill.target;
  if (target.kind === 'containers') {
    // loaded on first use: a process drill does not pay for testcontainers
    const { startContainersEnvironment } = await import('./containers.ts');
    return startContainersEnvironment(o);
  }
  if (target.kind === 'external') {
    const { startExternalEnvironment } = await import('./external-environment.ts');
    return startExternalEnvironment(o, target);
  }
  if (target.kind === 'docker') {
    const { startDockerEnvironment } = await import('./docker-environment.ts');
    return startDockerEnvironment(o, target);
  }
  if (target.kind === 'kubernetes') {
    const { startKubernetesEnvironment } = await import('./kubernetes-environment.ts');
    return startKubernetesEnvironment(o, target);
  }
  const tx = await startToxiproxy(o);
  const service = target.service;
  const replicas: Array<Replica & { process: ManagedProcess }> = [];
  let broker: BrokerEnv | null = null;
  let deps: Dependencies | null = null;
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
    await deps?.stop(o.group);
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
    if (target.broker) {
      const common = { faults: o.drill.faults, runId: o.runId, group: o.group, ledger: o.ledger, toxiproxy: tx.driver, logDir: o.logDir };
      const spec = target.broker;
      broker = spec.kind === 'nats' ? await startNatsBroker({ ...common, spec }) : spec.kind === 'redis-sentinel' ? await startRedisBroker({ ...common, spec }) : await startKafkaBroker({ ...common, spec });
    }
    const dataDir = disk?.dir ?? o.dataDir;
    if (target.services.length) {
      deps = await startDependencies({ services: target.services, toxiproxy: tx.driver, group: o.group, ledger: o.ledger, runId: o.runId, logDir: o.logDir, drillDir: o.drillDir, dataDir, partners: o.partners, resolveArgs: (c) => resolveArgs(c, o.drillDir) });
    }
    if (Object.values(service.env).some((v) => /\{\{\s*t0File\s*\}\}/.test(v))) {
      t0Dir = o.ledger.makeFolder('t0');
    }
    const t0File = t0Dir ? path.join(t0Dir, 't0.json') : undefined;
    const spawnReplica = (index: number, zone: string, port: number, env: Record<string, string>) => {
      // appends: a restarted replica's output follows the killed one's
      const log = fs.openSync(path.join(o.logDir, `${service.name}-r${index}.log`), 'a');
      const [cmd, args] = commands[index];
      const proc = o.group.spawn(`${service.name}-r${index}`, cmd, args, { env, cwd: o.drillDir, stdio: ['ignore', log, log] });
      fs.closeSync(log);
      return proc;
    };
    const envs: Array<Record<string, string>> = [];
    // each replica's argv: {{port}}, {{replica}}, ... expand there as in its environment
    const commands: Array<[string, string[]]> = [];
    for (let index = 0; index < service.replicas; index++) {
      const zone = service.zones[index % service.zones.length];
      const port = await freePort();
      const vars: TemplateVars = { port: String(port), replica: String(index), zone, dataDir, partners: o.partners, broker: broker ? { url: broker.urlFor(index) } : undefined, t0File, services: deps?.vars(index) ?? {} };
      const env: Record<string, string> = { PORT: String(port), REPLICA: String(index), ZONE: zone, DATA_DIR: dataDir };
      for (const [k, v] of Object.entries(service.env)) env[k] = renderTemplate(v, vars);
      envs.push(env);
      commands.push(resolveArgs(service.command.map((a) => renderTemplate(a, vars)), o.drillDir));
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
      workDir = o.ledger.makeFolder('lb');
      const settings = target.loadBalancer;
      lb = await startLoadBalancer({
        dir: path.join(workDir, 'nginx'),
        maxFails: settings.maxFails,
        // the health check's time out runs on the drill's clock (nginx: whole seconds, at least 1)
        failTimeoutMs: Math.round(settings.failTimeout * o.timeScale),
        nextUpstream: settings.nextUpstream,
        nextUpstreamTries: settings.retries === undefined ? replicas.length : settings.retries + 1,
        service: service.name,
        // nginx → Toxiproxy → replica: network faults still bite per replica
        upstreams: replicas.map((r) => ({ port: Number(new URL(r.proxyUrl).port), zone: r.zone, name: `${service.name}-r${r.index}` })),
        spawn: (command, argv, options) => o.group.spawn('nginx (load balancer)', command, argv, options).child,
      });
      await waitHealthy(`${lb.url}${service.healthPath}`, 5000);
    }
    const lbConfig = lb ? fs.readFileSync(lb.paths.conf, 'utf8') : null;
    // the settings as declared and as run: the time out is on the drill's clock
    const lbSettings = target.loadBalancer
      ? {
          maxFails: target.loadBalancer.maxFails,
          failTimeout: { declaredMs: target.loadBalancer.failTimeout, scaledMs: Math.round(target.loadBalancer.failTimeout * o.timeScale), nginxSeconds: failTimeoutSeconds(Math.round(target.loadBalancer.failTimeout * o.timeScale)) },
          nextUpstream: target.loadBalancer.nextUpstream,
          tries: target.loadBalancer.retries === undefined ? replicas.length : target.loadBalancer.retries + 1,
        }
      : null;

    const failovers = o.drill.faults.filter((f) => f.action === 'broker-failover').map((f) => f.name);
    const started = { broker, disk, lb, deps };
    return {
      toxiproxy: tx.driver,
      toxiproxyVersion: tx.version,
      toxiproxySource: tx.source,
      replicas,
      proxiesOf: (name) => (name === service.name ? replicas.map((r) => r.proxy) : broker && name === broker.name ? [...broker.proxies] : (started.deps?.proxiesOf(name) ?? [])),
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
        if (fault.action === 'broker-failover') return started.broker ? [started.broker.targetOf(fault)] : [];
        if (fault.action === 'disk-full') return started.disk ? [started.disk.dir] : [];
        return [];
      },
      chaosFigures: () => brokerChaosFigures(failovers, (name) => started.broker?.driver.figures(name) ?? { failoverMs: null, messagesLost: null }),
      chaosEvidence: () => ({
        loadBalancer: started.lb ? { url: started.lb.url, upstreams: started.lb.upstreams, settings: lbSettings, config: lbConfig } : null,
        broker: started.broker?.evidence() ?? null,
        disk: started.disk?.evidence() ?? null,
        services: started.deps?.evidence() ?? [],
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
