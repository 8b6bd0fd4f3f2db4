// A real nginx (Debian's) in front of two real partner-hub replicas in zones a and b: traffic is
// spread over both, WebSockets go through, and when zone a's replica is SIGKILLed every request
// through nginx still succeeds (retried on zone b) while direct requests to the dead replica fail.
// Reloading with a new topology brings a restarted zone-a replica back into rotation.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook, startHub } from '../../examples/partner-hub/harness.mjs';
import { LB_HEALTH_PATH, UPSTREAM_HEADER, resolveNginx, startLoadBalancer, type LoadBalancer, type Upstream } from '../../src/targets/load-balancer.ts';
import { ownerMarker } from '../../src/platform/processes.ts';
import { ROOT, processesOwnedBy, tmpDir, waitFor, needs } from '../helpers.ts';

const SECRET = 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu';
const OWNER_ENV = { GAMEDAY_OWNER: ownerMarker(), GAMEDAY_RUN_ID: 'load-balancer-test' };

let nginxMissing: string | null = null;
try {
  resolveNginx();
} catch (err) {
  nginxMissing = needs('nginx', err instanceof Error ? err.message : String(err));
}

type Hub = Awaited<ReturnType<typeof startHub>>;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** pids of the nginx processes (master, workers) in process group `pgid` */
function nginxGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid && stat.includes('(nginx)')) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** n sequential GET requests; the status and zone of each */
async function spray(url: string, n: number): Promise<Array<{ status: number; zone: string | null; upstream: string | null }>> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/healthz`);
    out.push({ status: res.status, zone: res.headers.get('x-zone'), upstream: res.headers.get(UPSTREAM_HEADER) });
    await res.arrayBuffer();
  }
  return out;
}

describe.skipIf(nginxMissing !== null)('load balancer: real nginx in front of replicas in zones a and b', () => {
  const dir = tmpDir('gameday-lb');
  const dataDir = path.join(dir, 'data');
  const hubs: Hub[] = [];
  let zoneA: Hub;
  let zoneB: Hub;
  let lb: LoadBalancer | undefined;

  const replica = async (zone: string, index: number) => {
    const h = await startHub({
      dataDir,
      logFile: path.join(dir, `hub-${zone}-${hubs.length}.log`),
      env: { ...OWNER_ENV, ZONE: zone, REPLICA: String(index), WEBHOOK_SECRETS: JSON.stringify({ acme: SECRET }), PARTNER_URL: 'http://127.0.0.1:9' },
    });
    hubs.push(h);
    return h;
  };
  const upstream = (h: Hub, zone: string, index: number): Upstream => ({ port: h.port, zone, name: `partner-hub-${index}` });

  beforeAll(async () => {
    zoneA = await replica('a', 0);
    zoneB = await replica('b', 1);
    lb = await startLoadBalancer({
      dir: path.join(dir, 'lb'),
      service: 'partner-hub',
      upstreams: [upstream(zoneA, 'a', 0), upstream(zoneB, 'b', 1)],
      env: OWNER_ENV,
    });
  }, 60_000);

  afterAll(async () => {
    await lb?.stop();
    await Promise.all(hubs.map((h) => h.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('runs nginx from the run directory with the owner marker, listening on loopback', async () => {
    expect(lb!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(alive(lb!.pid)).toBe(true);
    // nginx shows its arguments in its process title
    const title = fs.readFileSync(`/proc/${lb!.pid}/cmdline`, 'latin1');
    expect(title).toContain(`nginx: master process ${resolveNginx()} -p ${lb!.dir}/ -c ${lb!.paths.conf} -e ${lb!.paths.errorLog} -g daemon off;`);
    expect(fs.readFileSync(lb!.paths.pid, 'utf8').trim()).toBe(String(lb!.pid));
    expect(nginxGroup(lb!.pid).length).toBeGreaterThanOrEqual(2); // master and worker(s)
    // the supervisor carries the marker the cleanup sweep looks for (nginx overwrites its own environment)
    const owned = processesOwnedBy(process.pid);
    expect(owned.map((p) => p.pid)).toContain(lb!.supervisorPid);
    expect(owned.find((p) => p.pid === lb!.supervisorPid)!.cmdline).toContain('daemon off;');
    const conf = fs.readFileSync(lb!.paths.conf, 'utf8');
    expect(conf).toContain(`server 127.0.0.1:${zoneA.port} max_fails=1`);
    expect(conf).toContain('# partner-hub-0, zone a');
    const own = await fetch(`${lb!.url}${LB_HEALTH_PATH}`);
    expect(await own.text()).toBe('ok\n');
  });

  it('spreads requests over both zones and carries WebSockets and signed webhooks', async () => {
    const seen = await spray(lb!.url, 12);
    expect(seen.every((r) => r.status === 200)).toBe(true);
    expect(new Set(seen.map((r) => r.zone))).toEqual(new Set(['a', 'b']));

    const ws = new WebSocket(`${lb!.url.replace('http', 'ws')}/ws`);
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send('hello through nginx'));
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    ws.close();
    expect(echoed).toBe('hello through nginx');

    const body = JSON.stringify({ type: 'booking.created' });
    const res = await fetch(`${lb!.url}/webhooks/acme`, { method: 'POST', headers: signWebhook(SECRET, { id: 'via-lb-1', body }), body });
    expect(res.status).toBe(200);
    expect(await (await fetch(`${lb!.url}/webhooks/acme/via-lb-1`)).json()).toEqual({ applied: 1 });
    expect(fs.readFileSync(lb!.paths.accessLog, 'utf8')).toMatch(/"POST \/webhooks\/acme HTTP\/1.1" 200 .* upstream=127\.0\.0\.1:\d+/);
  });

  it("keeps serving when zone a's replica dies: every request through nginx succeeds, direct ones to zone a fail", async () => {
    expect(await zoneA.kill()).toMatchObject({ signal: 'SIGKILL' });
    await expect(fetch(`${zoneA.url}/healthz`)).rejects.toThrow();

    const through = await spray(lb!.url, 30);
    expect(through.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(new Set(through.map((r) => r.zone))).toEqual(new Set(['b']));
    // a POST that never reached the dead replica (connection refused) is passed on too
    const body = JSON.stringify({ type: 'booking.created' });
    for (const id of ['after-az-loss-1', 'after-az-loss-2', 'after-az-loss-3']) {
      const res = await fetch(`${lb!.url}/webhooks/acme`, { method: 'POST', headers: signWebhook(SECRET, { id, body }), body });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-zone')).toBe('b');
    }
    expect(fs.readFileSync(lb!.paths.errorLog, 'utf8')).toMatch(new RegExp(`connect\\(\\) failed .* upstream: "http://127\\.0\\.0\\.1:${zoneA.port}/`));
  });

  it('stop ends the master, its workers and the supervisor', async () => {
    const pids = [...nginxGroup(lb!.pid), lb!.supervisorPid];
    expect(pids.length).toBeGreaterThanOrEqual(3);
    await lb!.stop();
    await lb!.stop(); // idempotent
    expect(pids.filter(alive)).toEqual([]);
    await expect(fetch(`${lb!.url}${LB_HEALTH_PATH}`)).rejects.toThrow();
  });
});

describe.skipIf(nginxMissing !== null)('load balancer: when the run that started it dies', () => {
  it('a SIGKILLed owner takes nginx (master and workers) down with it', async () => {
    const dir = tmpDir('gameday-lb-owner');
    const script = [
      `import { startLoadBalancer } from ${JSON.stringify(path.join(ROOT, 'src/targets/load-balancer.ts'))};`,
      `const lb = await startLoadBalancer({ dir: ${JSON.stringify(path.join(dir, 'lb'))}, upstreams: [{ port: 9 }] });`,
      `console.log(JSON.stringify({ pid: lb.pid, supervisorPid: lb.supervisorPid, url: lb.url }));`,
      `setInterval(() => {}, 1000);`,
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'owner.mts'), script);
    const owner = spawn(process.execPath, ['--import', 'tsx', path.join(dir, 'owner.mts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      owner.stdout!.on('data', (c) => (out += c));
      const started = await waitFor('the owner to start nginx', () => (out.includes('\n') ? (JSON.parse(out.split('\n')[0]) as { pid: number; supervisorPid: number; url: string }) : null), 30_000);
      const group = nginxGroup(started.pid);
      expect(group.length).toBeGreaterThanOrEqual(2);
      expect((await fetch(`${started.url}${LB_HEALTH_PATH}`)).status).toBe(200);
      owner.kill('SIGKILL');
      await waitFor('nginx to go away with its owner', () => [...group, started.supervisorPid].every((pid) => !alive(pid)), 15_000);
      await expect(fetch(`${started.url}${LB_HEALTH_PATH}`)).rejects.toThrow();
    } finally {
      owner.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
