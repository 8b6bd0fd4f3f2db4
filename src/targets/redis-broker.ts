// The drill's Redis with Sentinel (target.broker kind redis-sentinel), owned by the run: every data
// node behind its own Toxiproxy proxy and announced at it, so replication, the sentinels and the
// service all reach a node through its proxy and a network fault on the broker isolates it for real.
// Replicas get the sentinels and the monitored name as {{broker.url}}:
// redis-sentinel://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/NAME.
import fs from 'node:fs';
import path from 'node:path';
import { redisSentinelDriver } from '../../chaos/store/driver.ts';
import { startRedisSentinel, type RedisSentinelSet } from '../../chaos/store/redis-sentinel.ts';
import type { BrokerSpec } from '../schema/drill.ts';
import type { BrokerEnv, BrokerEnvOptions } from './broker.ts';

export async function startRedisBroker(o: BrokerEnvOptions<Extract<BrokerSpec, { kind: 'redis-sentinel' }>>): Promise<BrokerEnv> {
  const { spec } = o;
  const workDir = o.ledger.makeFolder(spec.name); // a killed run's data is removed by the sweep
  const proxies: string[] = [];
  const announcePorts: number[] = [];
  let set: RedisSentinelSet | null = null;
  const stop = async () => {
    await set?.stop();
    for (const node of set?.nodes ?? []) if (fs.existsSync(node.logFile)) fs.copyFileSync(node.logFile, path.join(o.logDir, `${spec.name}-${node.name}.log`));
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  try {
    // proxies first: each node is announced at its proxy before it starts
    for (let i = 0; i <= spec.replicas; i++) {
      const name = `gameday-${o.runId}-${spec.name}-r${i + 1}`;
      o.ledger.proxyCreated(o.toxiproxy.apiUrl, name);
      const info = await o.toxiproxy.createProxy(name, '127.0.0.1:9'); // pointed at its node below
      proxies.push(name);
      announcePorts.push(Number(info.listen.split(':').pop()));
    }
    // the proxies must lead somewhere before the nodes replicate through them: their ports are chosen first
    set = await startRedisSentinel({
      dir: workDir,
      group: o.group,
      replicas: spec.replicas,
      sentinels: spec.sentinels,
      masterName: spec.name,
      downAfterMs: spec.downAfter,
      announcePorts,
      beforeStart: async (ports) => {
        for (let i = 0; i < ports.length; i++) await o.toxiproxy.setUpstream(proxies[i], `127.0.0.1:${ports[i]}`);
      },
    });
    const started = set;
    const driver = redisSentinelDriver({ set: started, runId: o.runId });
    const url = `redis-sentinel://${started.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${spec.name}`;
    let stopping: Promise<void> | null = null;
    return {
      name: spec.name,
      kind: spec.kind,
      urlFor: () => url,
      proxies,
      directUrls: started.redisPorts.map((p) => `redis://127.0.0.1:${p}`),
      driver,
      targetOf: () => spec.name,
      evidence: () => ({
        name: spec.name,
        kind: spec.kind,
        url,
        nodes: started.nodes.map((n) => ({ name: n.name, role: n.role, port: n.port, announcedPort: n.announcedPort, proxy: n.role === 'redis' ? proxies[started.redisPorts.indexOf(n.port)] : null })),
        failovers: Object.fromEntries(driver.reports),
        problems: Object.fromEntries(driver.failures),
      }),
      stop: () => (stopping ??= stop()),
    };
  } catch (err) {
    // its proxies are in the ledger: removed with the run's others
    await stop().catch(() => undefined);
    throw err;
  }
}
