// Each local driver and fault against real components: injected, observed to bite, reverted,
// observed gone.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRequest } from '../../chaos/driver.ts';
import { faultRequest } from '../../chaos/registry.ts';
import { portRefuses, ProcessDriver, type ReplicaHandle } from '../../chaos/process.ts';
import { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { freePort, waitHealthy } from '../../src/platform/processes.ts';
import { readJson, ROOT, runCli, startToxiproxyServer, tmpDir } from '../helpers.ts';

const BODY = Buffer.alloc(32 * 1024, 'x');

/** One request through the proxy: how long it took, or how it failed. */
async function probe(url: string, timeoutMs = 3000): Promise<{ ms: number; status?: number; bytes?: number; error?: string }> {
  const start = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const bytes = (await res.arrayBuffer()).byteLength;
    return { ms: Date.now() - start, status: res.status, bytes };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ms: Date.now() - start, error: e.cause?.code ?? e.name };
  }
}

describe('toxiproxy driver', () => {
  let toxiproxy: Awaited<ReturnType<typeof startToxiproxyServer>>;
  let upstream: http.Server;
  let driver: ToxiproxyDriver;
  let url: string;

  beforeAll(async () => {
    toxiproxy = await startToxiproxyServer();
    upstream = http.createServer((req, res) => res.end(req.url === '/big' ? BODY : 'ok'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    driver = new ToxiproxyDriver(toxiproxy.url);
    const info = await driver.createProxy('svc', `127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    url = `http://${info.listen}`;
  });
  afterAll(async () => {
    upstream.closeAllConnections();
    upstream.close();
    await toxiproxy.stop();
  });

  const fault = (action: FaultRequest['action'], params: Record<string, number> = {}): FaultRequest => faultRequest(`f-${action}`, action, ['svc'], params as never);

  async function cycle(f: FaultRequest, bites: () => Promise<void>) {
    expect((await probe(`${url}/`)).status).toBe(200);
    const injected = await driver.inject(f);
    expect(injected.applied.length).toBeGreaterThan(0);
    await bites();
    await driver.revert(injected);
    await driver.revert(injected); // idempotent
    expect(await driver.toxics('svc')).toEqual([]);
    expect((await driver.proxy('svc')).enabled).toBe(true);
    const after = await probe(`${url}/`);
    expect(after.status).toBe(200);
    expect(after.ms).toBeLessThan(1000);
  }

  it('latency: a request through the proxy takes at least the injected latency', async () => {
    await cycle(fault('latency', { latency: 400, jitter: 0 }), async () => {
      expect((await driver.toxics('svc')).map((t) => t.type)).toEqual(['latency']);
      const r = await probe(`${url}/`);
      expect(r.status).toBe(200);
      expect(r.ms).toBeGreaterThanOrEqual(400);
    });
  });

  it('bandwidth: a 32 KB body at 8 KB/s takes seconds', async () => {
    await cycle(fault('bandwidth', { rate: 8 }), async () => {
      const r = await probe(`${url}/big`, 20_000);
      expect(r.bytes).toBe(BODY.length);
      expect(r.ms).toBeGreaterThanOrEqual(2500);
    });
  });

  it('partition: both directions blackholed, the request hangs until the client gives up', async () => {
    await cycle(fault('partition'), async () => {
      expect((await driver.toxics('svc')).map((t) => `${t.type}/${t.stream}`).sort()).toEqual(['timeout/downstream', 'timeout/upstream']);
      const r = await probe(`${url}/`, 1500);
      expect(r.error).toBe('TimeoutError');
      expect(r.ms).toBeGreaterThanOrEqual(1400);
    });
  });

  it('down: the proxy refuses connections at once', async () => {
    await cycle(fault('down'), async () => {
      const r = await probe(`${url}/`);
      expect(r.error).toBe('ECONNREFUSED');
      expect(r.ms).toBeLessThan(1000);
    });
  });

  it('reset: connections are reset by peer', async () => {
    await cycle(fault('reset', { after: 0 }), async () => {
      const r = await probe(`${url}/`);
      expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(r.error);
    });
  });
});

describe('process driver', () => {
  const procs = new Map<string, { child: ChildProcess; port: number; zone: string }>();
  const start = async (name: string, port: number, zone: string) => {
    const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('${name}')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
    procs.set(name, { child, port, zone });
    await waitHealthy(`http://127.0.0.1:${port}/`, 5000);
  };
  // like the orchestrator's, a handle always reads the replica's current process
  const handles = (): ReplicaHandle[] =>
    [...procs.keys()].map((name) => {
      const current = () => procs.get(name)!;
      const alive = () => current().child.exitCode === null && current().child.signalCode === null;
      return {
        name,
        zone: current().zone,
        port: current().port,
        alive,
        kill: async () => {
          if (!alive()) return;
          const gone = new Promise((r) => current().child.once('exit', r));
          current().child.kill('SIGKILL');
          await gone;
        },
        restart: () => start(name, current().port, current().zone),
      };
    });

  beforeAll(async () => {
    await start('r0', await freePort(), 'a');
    await start('r1', await freePort(), 'b');
    await start('r2', await freePort(), 'a');
  });
  afterAll(() => {
    for (const p of procs.values()) p.child.kill('SIGKILL');
  });

  it('pod-kill: the replica is SIGKILLed (its port refuses) and the deployment restarts it after the delay', async () => {
    const driver = new ProcessDriver(handles);
    const request = faultRequest('kill', 'pod-kill', ['r1'], { restartAfter: 1500 });
    const oldPid = procs.get('r1')!.child.pid!;
    await driver.inject(request);
    expect(await portRefuses(procs.get('r1')!.port)).toBe(true);
    expect(() => process.kill(oldPid, 0)).toThrow();
    expect(await portRefuses(procs.get('r0')!.port)).toBe(false);
    // back by itself, as a new process
    await new Promise((r) => setTimeout(r, 3000));
    expect(await portRefuses(procs.get('r1')!.port)).toBe(false);
    expect(procs.get('r1')!.child.pid).not.toBe(oldPid);
    await driver.revert(request);
  });

  it('az-failure: every replica of the zone goes down together and comes back on revert', async () => {
    const driver = new ProcessDriver(handles);
    const request = faultRequest('az', 'az-failure', handles().filter((h) => h.zone === 'a').map((h) => h.name), { zone: 'a' });
    expect(request.targets.sort()).toEqual(['r0', 'r2']);
    await driver.inject(request);
    expect(await portRefuses(procs.get('r0')!.port)).toBe(true);
    expect(await portRefuses(procs.get('r2')!.port)).toBe(true);
    expect(await portRefuses(procs.get('r1')!.port)).toBe(false);
    await driver.revert(request);
    for (const name of ['r0', 'r1', 'r2']) expect(await portRefuses(procs.get(name)!.port)).toBe(false);
  });

  it('rejects a target it did not start', async () => {
    const driver = new ProcessDriver(handles);
    await expect(driver.inject(faultRequest('x', 'pod-kill', ['nope']))).rejects.toThrow(/no replica named nope/);
  });
});

describe('process faults in a drill', () => {
  it('a pod kill under load is journaled, verified, restarted and reverted; a single replica down shows as errors', async () => {
    const out = path.join(tmpDir('gameday-podkill'), 'run');
    const r = await runCli(['run', path.join(ROOT, 'test/fixtures/pod-kill.yaml'), '--out', out, '--no-progress']);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults[0]).toMatchObject({ name: 'kill-r1', driver: 'process', action: 'pod-kill', outcome: 'reverted', injectVerified: true, revertVerified: true });
    expect(chaos.faults[0].target.proxies).toEqual(['hub-r1']);
    const results = readJson(path.join(out, 'slo_results.json'));
    // k6 round-robins over both replicas' proxies: requests to the dead one fail during the fault
    const faultErrors = results.verdicts.find((v: { slo: string }) => v.slo === 'errors-fault');
    expect(faultErrors.observed).toBeGreaterThan(0.05);
    const recovery = results.verdicts.find((v: { slo: string }) => v.slo === 'errors-recovery');
    expect(recovery.pass).toBe(true);
    expect(r.code).toBe(1);
  });

  it('a drill asking a driver for a fault it does not support is rejected before anything runs', async () => {
    const dir = tmpDir('gameday-unsupported');
    const file = path.join(dir, 'd.yaml');
    fs.writeFileSync(
      file,
      'name: d\napp: T\ntarget: {kind: process, service: {name: hub, command: [node, x.mjs]}}\nload: {requests: [{name: a, path: /}], profiles: [{profile: baseline, rate: 1, duration: 5s}]}\nfaults: [{name: k, driver: toxiproxy, action: pod-kill, target: hub, at: 1s, duration: 1s}]\nslos: [{name: s, kind: error-rate, below: 1%}]\n',
    );
    const r = await runCli(['run', file, '--out', path.join(dir, 'run')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('faults[0].driver: the toxiproxy driver does not support "pod-kill"');
    expect(r.stderr).toContain('use driver "process"');
  });
});
