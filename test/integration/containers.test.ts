// The containers driver on a real Docker engine: images built here (no registry), the partner hub's
// replicas and a Toxiproxy as containers on a user-defined network, each fault injected, observed
// to bite, reverted, observed gone; and a killed run's containers swept. No engine is a failure
// with the reason (the bootstrap starts dockerd; .gameday/docker/status.json says why it could not).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it as vit } from 'vitest';
import type { FaultRequest } from '../../chaos/driver.ts';
import { faultRequest } from '../../chaos/registry.ts';
import { ContainersDriver } from '../../chaos/containers/driver.ts';
import { dockerClient, engineProblem } from '../../chaos/containers/engine.ts';
import { ensureImage, partnerHubImageSpec, toxiproxyImageSpec, type BuiltImage } from '../../chaos/containers/images.ts';
import { LABEL_INPUTS, LABEL_OWNER, LABEL_RUN } from '../../chaos/containers/labels.ts';
import { sweepOrphanContainers } from '../../chaos/containers/sweep.ts';
import { containerState, startContainerTopology, type ContainerTopology } from '../../chaos/containers/topology.ts';
import { portRefuses } from '../../chaos/process.ts';
import { requireTool } from '../../src/platform/toolchain.mjs';
import { ROOT, tmpDir, waitFor } from '../helpers.ts';

/** One request: its status and body, or how it failed. */
async function probe(url: string, timeoutMs = 3000): Promise<{ status?: number; body?: any; error?: string; ms: number }> {
  const start = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, ms: Date.now() - start };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { error: e.cause?.code ?? e.name, ms: Date.now() - start };
  }
}

async function ourContainers(runId: string): Promise<string[]> {
  const client = await dockerClient();
  const list = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${runId}`] } });
  return list.map((c) => c.Names[0].replace(/^\//, ''));
}

async function ourNetworks(runId: string): Promise<string[]> {
  const client = await dockerClient();
  return (await client.container.dockerode.listNetworks({ filters: { label: [`${LABEL_RUN}=${runId}`] } })).map((n) => n.Name);
}

describe('containers driver (real Docker engine)', () => {
  let hub: BuiltImage;
  let toxiproxy: BuiltImage;
  let topology: ContainerTopology;
  let driver: ContainersDriver;
  const runId = `ct${Date.now().toString(36)}`;
  const timings: Record<string, number> = {};
  const dataDir = tmpDir('containers-data');
  const logDir = tmpDir('containers-logs');

  // real or nothing: without an engine every test here fails (not skipped), naming why
  let setupError: unknown = null;
  const it = (name: string, fn: () => Promise<void>, timeout?: number) =>
    vit(name, async () => {
      if (setupError) throw setupError;
      await fn();
    }, timeout);

  beforeAll(async () => {
    try {
      await setUp();
    } catch (err) {
      setupError = err;
    }
  }, 120_000);

  async function setUp() {
    const problem = await engineProblem();
    if (problem) throw new Error(`the containers tests need a Docker engine: ${problem}`);
    let t = Date.now();
    [toxiproxy, hub] = await Promise.all([ensureImage(toxiproxyImageSpec(requireTool('toxiproxy').path)), ensureImage(partnerHubImageSpec(ROOT))]);
    timings.images = Date.now() - t;
    t = Date.now();
    topology = await startContainerTopology({
      runId,
      image: hub.image,
      toxiproxyImage: toxiproxy.image,
      service: { name: 'partner-hub', replicas: 2, zones: ['a', 'b'] },
      dataDir,
      logDir,
    });
    timings.topology = Date.now() - t;
    driver = new ContainersDriver(topology);
  }

  afterAll(async () => {
    await topology?.stop();
    if (topology) {
      expect(await ourContainers(runId)).toEqual([]);
      expect(await ourNetworks(runId)).toEqual([]);
      // the containers' output was saved when they stopped
      expect(fs.readFileSync(path.join(logDir, `gameday-${runId}-partner-hub-r0.log`), 'utf8')).toContain('listening on 0.0.0.0:8080, zone a');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(logDir, { recursive: true, force: true });
    console.log(`containers test timings (ms): ${JSON.stringify({ ...timings, hubBuilt: hub?.built, hubMs: hub?.ms, toxiproxyBuilt: toxiproxy?.built, toxiproxyMs: toxiproxy?.ms })}`);
  });

  it('builds the images FROM scratch and finds them again by the content hash of their inputs', async () => {
    const client = await dockerClient();
    for (const built of [hub, toxiproxy]) {
      const info = await client.container.dockerode.getImage(built.image).inspect();
      expect(info.Config.Labels[LABEL_INPUTS]).toBe(built.hash);
      expect(built.image.endsWith(`:${built.hash.slice(0, 16)}`)).toBe(true);
    }
    const again = await ensureImage(partnerHubImageSpec(ROOT));
    expect(again).toMatchObject({ image: hub.image, hash: hub.hash, built: false });
  });

  it('replicas answer directly and through their Toxiproxy container, labelled by zone, published on 127.0.0.1 only', async () => {
    const client = await dockerClient();
    expect(topology.replicas.map((r) => r.zone)).toEqual(['a', 'b']);
    for (const r of topology.replicas) {
      const direct = await probe(`${r.url}/healthz`);
      expect(direct.body).toMatchObject({ ok: true, replica: String(r.index), zone: r.zone });
      const proxied = await probe(`${r.proxyUrl}/healthz`);
      expect(proxied.body).toMatchObject({ ok: true, replica: String(r.index), zone: r.zone });
      const info = await client.container.dockerode.getContainer(r.containerId).inspect();
      expect(info.Config.Labels).toMatchObject({ zone: r.zone, [LABEL_RUN]: runId, 'gameday.replica': r.name });
      expect(info.Config.Labels[LABEL_OWNER]).toMatch(/^\d+:\d+$/);
      const bindings = Object.values(info.HostConfig.PortBindings ?? {}).flat() as Array<{ HostIp: string }>;
      expect(bindings.length).toBeGreaterThan(0);
      expect(bindings.every((b) => b.HostIp === '127.0.0.1')).toBe(true);
      expect(Object.keys(info.NetworkSettings.Networks)).toEqual([topology.network.name]);
    }
    // the Toxiproxy driver works unchanged against the container's API
    const f: FaultRequest = { name: 'lat', action: 'latency', targets: [topology.replicas[0].proxy], params: { latency: 300, jitter: 0 } };
    await topology.toxiproxy.driver.inject(f);
    expect((await probe(`${topology.replicas[0].proxyUrl}/healthz`)).ms).toBeGreaterThanOrEqual(300);
    await topology.toxiproxy.driver.revert(f);
    expect((await probe(`${topology.replicas[0].proxyUrl}/healthz`)).ms).toBeLessThan(300);
  });

  it('pod-kill: the container is killed, its port refuses, the other replica still answers; a deployment restart brings it back', async () => {
    const [r0, r1] = topology.replicas;
    const f = faultRequest('kill-r0', 'pod-kill', [r0.name], { restartAfter: 1500 });
    const injected = await driver.inject(f);
    expect(injected.applied.map((a) => a.target)).toEqual([r0.name]);
    expect((await containerState(topology.client, r0.containerId, topology.network.id)).running).toBe(false);
    expect(await portRefuses(r0.hostPort)).toBe(true);
    expect((await probe(`${r0.proxyUrl}/healthz`)).error).toBeDefined();
    expect((await probe(`${r1.proxyUrl}/healthz`)).status).toBe(200);
    // no revert yet: the restart after 1.5 s brings it back by itself
    await waitFor('the killed replica to be restarted', async () => (await probe(`${r0.proxyUrl}/healthz`, 1000)).status === 200, 20_000, 250);
    await driver.revert(injected);
    await driver.revert(injected); // twice is safe
    expect((await probe(`${r0.url}/healthz`)).status).toBe(200);
  });

  it('pod-kill without a restart stays down until it is reverted', async () => {
    const r1 = topology.replicas[1];
    const f = faultRequest('kill-r1', 'pod-kill', [r1.name]);
    await driver.inject(f);
    await new Promise((r) => setTimeout(r, 500));
    expect(await portRefuses(r1.hostPort)).toBe(true);
    await driver.revert(f); // from the request alone, as after a crash
    expect((await probe(`${r1.proxyUrl}/healthz`)).status).toBe(200);
  });

  it('az-failure: every container of zone b is stopped together, zone a keeps answering, all back on revert', async () => {
    const [r0, r1] = topology.replicas;
    const f = faultRequest('az-b', 'az-failure', ['zone=b'], { zone: 'b' });
    const injected = await driver.inject(f);
    expect(injected.applied.map((a) => a.target)).toEqual([r1.name]);
    const state = await containerState(topology.client, r1.containerId, topology.network.id);
    expect(state.running).toBe(false);
    expect(await portRefuses(r1.hostPort)).toBe(true);
    expect((await probe(`${r1.proxyUrl}/healthz`)).error).toBeDefined();
    expect((await probe(`${r0.proxyUrl}/healthz`)).status).toBe(200);
    await driver.revert(injected);
    await driver.revert(injected);
    expect((await probe(`${r1.proxyUrl}/healthz`)).body).toMatchObject({ zone: 'b' });
  });

  it('az-failure with disconnect: zone a cut off from the network while its containers keep running', async () => {
    const [r0, r1] = topology.replicas;
    const f = faultRequest('az-a-net', 'az-failure', ['zone=a'], { zone: 'a', mode: 'disconnect' });
    await driver.inject(f);
    const state = await containerState(topology.client, r0.containerId, topology.network.id);
    expect(state).toMatchObject({ running: true, connected: false });
    expect((await probe(`${r0.proxyUrl}/healthz`)).error).toBeDefined();
    expect((await probe(`${r1.proxyUrl}/healthz`)).status).toBe(200);
    await driver.revert(f);
    expect((await probe(`${r0.proxyUrl}/healthz`)).body).toMatchObject({ zone: 'a' });
  });

  it('partition: the target is disconnected (requests through its proxy fail), reconnected on revert', async () => {
    const [r0, r1] = topology.replicas;
    const f = faultRequest('part-r1', 'partition', [r1.name]);
    const injected = await driver.inject(f);
    expect(injected.applied[0].ref).toContain('disconnected');
    expect(await containerState(topology.client, r1.containerId, topology.network.id)).toMatchObject({ running: true, connected: false });
    for (let i = 0; i < 3; i++) expect((await probe(`${r1.proxyUrl}/healthz`)).status).not.toBe(200);
    expect((await probe(`${r0.proxyUrl}/healthz`)).status).toBe(200);
    await driver.revert(injected);
    await driver.revert(injected);
    expect(await containerState(topology.client, r1.containerId, topology.network.id)).toMatchObject({ running: true, connected: true });
    expect((await probe(`${r1.proxyUrl}/healthz`)).status).toBe(200);
  });

  it('refuses what it does not support and targets it does not know', async () => {
    await expect(driver.inject(faultRequest('x', 'latency', [topology.replicas[0].name], { latency: 100 }))).rejects.toThrow(/does not support "latency"/);
    await expect(driver.inject(faultRequest('y', 'partition', ['partner-hub-r9']))).rejects.toThrow(/no container named partner-hub-r9/);
    await expect(driver.inject(faultRequest('z', 'az-failure', ['zone=c'], { zone: 'c' }))).rejects.toThrow(/matches no container/);
  });

  it("a killed run's containers and network are swept; a live run's are left alone", async () => {
    const killedRun = `${runId}k`;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/containers-owner.ts'), killedRun, hub.image, toxiproxy.image], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (err += c));
    try {
      await waitFor('the owner process to start its topology', () => out.includes('"ready":true') || child.exitCode !== null, 60_000, 100);
      expect(child.exitCode, err).toBeNull();
      expect((await ourContainers(killedRun)).length).toBe(2);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
    const sweep = await sweepOrphanContainers();
    expect(sweep.skipped).toBeUndefined();
    const swept = sweep.containers.filter((c) => c.runId === killedRun);
    expect(swept.map((c) => c.removed)).toEqual([true, true]);
    expect(sweep.networks.filter((n) => n.runId === killedRun).map((n) => n.removed)).toEqual([true]);
    expect(sweep.containers.some((c) => c.runId === runId)).toBe(false);
    expect(await ourContainers(killedRun)).toEqual([]);
    expect(await ourNetworks(killedRun)).toEqual([]);
    expect((await ourContainers(runId)).length).toBe(3);
    expect((await probe(`${topology.replicas[0].proxyUrl}/healthz`)).status).toBe(200);
  });
});
