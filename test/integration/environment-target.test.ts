// The drill environment with everything the target can ask for, started for real without a drill
// run: two partner-hub replicas behind nginx (each still behind its Toxiproxy proxy), a 3-node NATS
// JetStream cluster behind proxies of its own, DATA_DIR on a 16 MiB tmpfs. The broker and disk
// drivers inject and revert for real; stop leaves no process, proxy or mount.
import { faultParams, faultRequest } from '../../chaos/registry.ts';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../examples/partner-hub/harness.mjs';
import { mountAt, readMounts } from '../../chaos/disk/mounts.ts';
import { limitedFsSupport } from '../../chaos/disk/limited-fs.ts';
import { ProcessDriver } from '../../chaos/process.ts';
import { startEnvironment, type Environment } from '../../src/targets/environment.ts';
import { Ledger } from '../../src/platform/ledger.ts';
import { ProcessGroup } from '../../src/platform/processes.ts';
import { resolveNginx } from '../../src/targets/load-balancer.ts';
import { Drill } from '../../src/schema/drill.ts';
import { ROOT, processesOwnedBy, tmpDir, waitFor, needs } from '../helpers.ts';

const SECRET = 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu';

function missing(): string | null {
  try {
    resolveNginx();
  } catch (err) {
    return String(err);
  }
  const fsSupport = limitedFsSupport();
  return fsSupport.supported ? null : `no size-limited filesystem here: ${fsSupport.reason}`;
}
const skip = needs('nginx, nats-server and a size-limited filesystem', missing());
if (skip) console.warn(`environment target tests skipped: ${skip}`);

const drill = Drill.parse({
  name: 'env-target',
  app: 'TEST',
  target: {
    kind: 'process',
    service: {
      name: 'hub',
      command: ['node', 'examples/partner-hub/server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: { NATS_URL: '{{broker.url}}', WEBHOOK_SECRETS: JSON.stringify({ acme: SECRET }), PARTNER_URL: 'http://127.0.0.1:9' },
    },
    loadBalancer: { kind: 'nginx' },
    broker: { kind: 'nats', nodes: 3, streams: [{ name: 'HUB_EVENTS', subjects: ['hub.events.>'] }] },
    disk: { size: '16m' },
  },
  load: { requests: [{ name: 'offers', path: '/offers' }], profiles: [{ profile: 'baseline', rate: 1, duration: '60s' }] },
  faults: [
    { name: 'leader-dies', driver: 'broker', action: 'broker-failover', target: 'broker', at: '10s', duration: '10s' },
    { name: 'disk-fills', driver: 'disk', action: 'disk-full', target: 'hub', at: '30s', duration: '10s' },
  ],
  slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
});

async function postWebhook(url: string, id: string): Promise<number> {
  const body = JSON.stringify({ id, type: 'order.created', data: { n: 1 } });
  const res = await fetch(`${url}/webhooks/acme`, { method: 'POST', headers: signWebhook(SECRET, { id, body }), body, signal: AbortSignal.timeout(10_000) });
  await res.text();
  return res.status;
}

describe.skipIf(skip)('environment with load balancer, broker and limited disk', () => {
  const runId = `envtest${Date.now().toString(36)}`;
  const base = tmpDir('gameday-env-target');
  const dataDir = path.join(base, 'data');
  const logDir = path.join(base, 'logs');
  const group = new ProcessGroup(runId);
  const ledger = new Ledger(runId);
  let env: Environment;

  beforeAll(async () => {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.mkdirSync(logDir, { recursive: true });
    env = await startEnvironment({ drill, timeScale: 1, drillDir: ROOT, runId, group, ledger, logDir, dataDir, partners: {} });
  }, 90_000);

  afterAll(async () => {
    group.close();
    await group.stopAll();
    await env?.stop();
    ledger.close();
    fs.rmSync(base, { recursive: true, force: true });
  }, 60_000);

  it('sends load to nginx, which spreads it over both replicas through their proxies', async () => {
    expect(env.entryUrls).toEqual([env.loadBalancer!.url]);
    const proxyPorts = env.replicas.map((r) => new URL(r.proxyUrl).port);
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${env.entryUrls[0]}/healthz`);
      expect(res.status).toBe(200);
      seen.add(res.headers.get('x-gameday-upstream')!.split(':').pop()!);
    }
    expect([...seen].sort()).toEqual([...proxyPorts].sort());
  });

  it('gives every replica the broker through Toxiproxy, and the cluster advertises the proxies', async () => {
    expect(env.proxiesOf('broker')).toHaveLength(3);
    const proxies = await env.toxiproxy.proxies();
    const brokerProxies = proxies.filter((p) => env.proxiesOf('broker').includes(p.name));
    expect(brokerProxies.map((p) => p.upstream).sort()).toEqual(env.broker!.directUrls.map((u) => u.replace('nats://', '')).sort());
    const varz = (await (await fetch(`${env.broker!.cluster!.nodes[0].monitorUrl}/varz`)).json()) as { client_connect_urls?: string[]; connect_urls?: string[] };
    const advertised = varz.client_connect_urls ?? varz.connect_urls ?? [];
    expect(advertised.length).toBeGreaterThanOrEqual(2);
    for (const url of advertised) expect(brokerProxies.map((p) => p.listen)).toContain(url);
    for (const r of env.replicas) {
      const broker = async () => ((await (await fetch(`http://127.0.0.1:${r.port}/metrics`)).json()) as { broker: string }).broker;
      await waitFor(`replica ${r.index} to connect to the broker`, async () => (await broker()) === 'connected', 15_000);
    }
    expect(await postWebhook(env.entryUrls[0], 'through-lb-1')).toBe(200);
  });

  it('broker-failover: the stream leader is SIGKILLed and comes back; failover time measured, nothing lost', async () => {
    const driver = env.drivers().broker!;
    const fault = drill.faults[0];
    const request = faultRequest(fault.name, fault.action, env.targetsOf(fault), faultParams(fault, 1));
    expect(request.targets).toEqual(['HUB_EVENTS']);
    const injected = await driver.inject(request);
    const killed = env.broker!.cluster!.nodes.filter((n) => !n.running);
    expect(killed).toHaveLength(1);
    expect(injected.applied[0].ref).toContain(killed[0].name);
    // webhooks keep being accepted while the leader is gone (broker, or the offline queue)
    for (let i = 0; i < 5; i++) expect(await postWebhook(env.entryUrls[0], `during-failover-${i}`)).toBe(200);
    await driver.revert(injected);
    await driver.revert(injected); // twice is safe
    expect(env.broker!.cluster!.nodes.every((n) => n.running)).toBe(true);
    const figures = env.chaosFigures();
    expect(figures['chaos/leader-dies/broker-failover-time']).toBeGreaterThan(0);
    expect(figures['chaos/leader-dies/broker-failover-time']).toBeLessThan(30_000);
    expect(figures['chaos/leader-dies/message-loss']).toBe(0);
    expect(figures['chaos/broker-failover-time']).toBe(figures['chaos/leader-dies/broker-failover-time']);
    expect(figures['chaos/message-loss']).toBe(0);
    const evidence = env.chaosEvidence() as { broker: { failovers: Record<string, { published: number; rejoined: boolean }> } };
    expect(evidence.broker.failovers['leader-dies'].published).toBeGreaterThan(5);
    expect(evidence.broker.failovers['leader-dies'].rejoined).toBe(true);
  }, 90_000);

  it('disk-full: the hub answers 503 for webhooks while DATA_DIR is full, 200 after the revert', async () => {
    const driver = env.drivers().disk!;
    const fault = drill.faults[1];
    const request = faultRequest(fault.name, fault.action, env.targetsOf(fault), faultParams(fault, 1));
    expect(request.targets).toEqual([env.disk!.dir]);
    const injected = await driver.inject(request);
    const full = await postWebhook(`http://127.0.0.1:${env.replicas[0].port}`, 'while-full');
    expect(full).toBe(503);
    await driver.revert(injected);
    await driver.revert(request); // twice is safe
    expect(await postWebhook(`http://127.0.0.1:${env.replicas[0].port}`, 'while-full')).toBe(200);
  });

  it('az-failure behind nginx: GETs through the load balancer keep succeeding', async () => {
    const process = new ProcessDriver(() => env.handles());
    const request = faultRequest('zone-a', 'az-failure', env.handles().filter((h) => h.zone === 'a').map((h) => h.name), { zone: 'a' });
    await process.inject(request);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await fetch(`${env.entryUrls[0]}/healthz`)).status);
    await process.revert(request);
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('stop: no process, proxy or mount of the environment is left', async () => {
    const dir = env.disk!.dir;
    group.close();
    await group.stopAll();
    await env.stop();
    await env.stop();
    expect(mountAt(readMounts(), dir)).toBeNull();
    expect(processesOwnedBy(process.pid).filter((p) => /nats-server|nginx|server\.mjs/.test(p.cmdline))).toEqual([]);
    expect(ledger.mounts).toEqual([]);
    expect(fs.readdirSync(logDir).some((f) => /^broker-n\d\.log$/.test(f))).toBe(true);
    expect(fs.existsSync(path.join(logDir, 'nginx-access.log'))).toBe(true);
  }, 60_000);
});
