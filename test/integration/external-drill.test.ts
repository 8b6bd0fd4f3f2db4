// A drill against a system gameday did not start: go-httpbin (a real third-party service, from
// .tools/bin) started here on 127.0.0.1 and named only by its URL, with a "team" Toxiproxy of its
// own holding a proxy in front of it. Real gameday runs (CLI, real k6, Toxiproxy):
//   - under load, a latency toxic on the load path and a command fault (kill -STOP / -CONT of
//     go-httpbin) bite in their windows and are gone after; a toxic added to the team's proxy is
//     there during its window and gone after, the proxy kept; the endpoint's auth header (env:)
//     reaches go-httpbin's /bearer and is nowhere in the evidence;
//   - an endpoint down at start: exit 3, nothing injected; an endpoint off loopback: refused
//     before any connection (exit 3, no run directory);
//   - the harness SIGKILLed mid-fault: `gameday cleanup` removes its toxic from the team's proxy
//     (the proxy stays) and runs the command fault's revert (go-httpbin running again).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runDrill } from '../../src/run/run-drill.ts';
import { loadDrill } from '../../src/schema/load.ts';
import { freePort } from '../../src/platform/processes.ts';
import { processesOwnedBy, startGoHttpbin, readJson, readSamples, runCli, startCli, startToxiproxyServer, tmpDir, toxiproxyState, waitFor } from '../helpers.ts';

const TOKEN = 'tok-9f2c1e7b-external-drill';
let httpbin: ChildProcess;
let baseUrl: string;
let team: Awaited<ReturnType<typeof startToxiproxyServer>>;
let stateDir: string;
let dir: string;

/** go-httpbin's process state letter (T: stopped by SIGSTOP). */
const httpbinState = () => /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${httpbin.pid}/status`, 'utf8'))![1];

beforeAll(async () => {
  let port: number;
  ({ child: httpbin, baseUrl, port } = await startGoHttpbin());
  // "the team's" Toxiproxy, with a proxy of theirs in front of go-httpbin
  team = await startToxiproxyServer();
  const res = await fetch(`${team.url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'orders-db', listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` }) });
  expect(res.status).toBe(201);
  stateDir = tmpDir('gameday-ext-state');
  dir = tmpDir('gameday-ext-drills');
}, 30_000);

afterAll(async () => {
  if (httpbin?.pid) process.kill(httpbin.pid, 'SIGCONT');
  httpbin?.kill('SIGKILL');
  await team?.stop();
});

interface Fault {
  name: string;
  driver?: string;
  action: string;
  target: string;
  at: string;
  duration: string;
  [k: string]: unknown;
}

/** A drill that names go-httpbin only by its URL; `pause` is kill -STOP / -CONT of it. */
function writeDrill(name: string, o: { baseUrl?: string; faults: Fault[]; load: string; allowRemote?: unknown }): string {
  const file = path.join(dir, `${name}.json`);
  const drill = {
    name,
    app: 'EXT',
    target: {
      kind: 'external',
      name: 'httpbin',
      endpoints: [{ name: 'api', baseUrl: o.baseUrl ?? baseUrl, headers: { Authorization: 'env:HTTPBIN_TOKEN', 'X-Team': 'sre' }, health: { path: '/status/200' } }],
      toxiproxy: { url: team.url },
      ...(o.allowRemote ? { allowRemote: o.allowRemote } : {}),
    },
    load: {
      // /bearer answers 401 without "Authorization: Bearer ..."
      requests: [{ name: 'bearer', path: '/bearer', expect: [200] }],
      profiles: [{ profile: 'baseline', rate: 20, duration: o.load, preAllocatedVUs: 60, maxVUs: 80 }],
      minDelivered: '90%',
    },
    faults: o.faults,
    slos: [
      { name: 'steady-errors', kind: 'error-rate', phase: 'steady', below: '1%' },
      { name: 'recovered-p95', kind: 'latency', phase: 'recovery', percentile: 95, below: '250ms' },
      { name: 'fault-p95', kind: 'latency', phase: 'fault', percentile: 95, below: '250ms', severity: 'advisory' },
    ],
  };
  fs.writeFileSync(file, JSON.stringify(drill, null, 2));
  return file;
}

const pause = (at: string, duration: string): Fault => ({
  name: 'pause',
  driver: 'command',
  action: 'command',
  target: 'httpbin',
  at,
  duration,
  inject: { argv: ['kill', '-STOP', String(httpbin.pid)], timeout: '5s' },
  // SIGSTOP lands asynchronously: the verify (through a shell, as the drill asks) waits up to 1 s for it
  verify: { argv: [`for i in 1 2 3 4 5 6 7 8 9 10; do grep -q '(stopped)' /proc/${httpbin.pid}/status && exit 0; sleep 0.1; done; exit 1`], shell: true, timeout: '3s' },
  revert: { argv: ['kill', '-CONT', String(httpbin.pid)], timeout: '5s' },
});
const teamToxic = (at: string, duration: string): Fault => ({ name: 'orders-db-slow', driver: 'toxiproxy', action: 'latency', target: 'httpbin', proxy: 'orders-db', at, duration, latency: '800ms' });
const lag: Fault = { name: 'lag', driver: 'toxiproxy', action: 'latency', target: 'api', at: '2s', duration: '2500ms', latency: '300ms' };
const env = () => ({ HTTPBIN_TOKEN: `Bearer ${TOKEN}`, GAMEDAY_STATE_DIR: stateDir });
const teamToxics = async () => (await toxiproxyState(team.url))['orders-db']?.toxics.map((t) => t.name) ?? [];

describe('drill your own system: an external target', () => {
  it('under k6 load: a load-path latency, a toxic on the team proxy and a command fault bite, are reverted and seen gone', async () => {
    const drill = writeDrill('external-faults', {
      load: '12s',
      faults: [
        lag,
        teamToxic('5s', '2s'),
        pause('7500ms', '2s'),
      ],
    });
    const out = path.join(tmpDir('gameday-ext'), 'run');
    const run = startCli(['run', drill, '--out', out, '--no-progress'], env());
    // the team's proxy, watched while the run goes on: gameday's toxic appears on it, named with the run id
    const seenOnTeam = new Set<string>();
    let stoppedSeen = false;
    let done = false;
    void run.exit.then(() => (done = true));
    while (!done) {
      for (const t of await teamToxics().catch(() => [])) seenOnTeam.add(t);
      try {
        if (httpbinState() === 'T') stoppedSeen = true;
      } catch {
        /* read raced the exit */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const { code } = await run.exit;
    // advisory fault-phase latency failed (the faults bit), the blocking SLOs held: CONDITIONAL
    expect(code, run.stderr()).toBe(2);

    const chaos = readJson(path.join(out, 'chaos_report.json'));
    for (const f of chaos.faults) expect(f, f.name).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    const runId: string = chaos.runId;
    expect([...seenOnTeam]).toEqual([`gameday-${runId}-orders-db-slow`]);
    expect(await teamToxics()).toEqual([]);
    expect(Object.keys(await toxiproxyState(team.url))).toEqual(['orders-db']);
    expect(stoppedSeen).toBe(true);
    expect(httpbinState()).not.toBe('T');
    // the evidence names the endpoint, its proxy and header names, never the token
    expect(chaos.environment.external).toMatchObject({ name: 'httpbin', allowRemote: null, teamToxiproxy: { url: team.url, proxies: ['orders-db'] } });
    expect(chaos.environment.external.endpoints[0]).toMatchObject({ name: 'api', baseUrl, headers: ['Authorization', 'X-Team'], health: 'up' });
    const plan = readJson(path.join(out, 'k6_plan.json'));
    expect(plan.targets).toEqual([chaos.environment.external.endpoints[0].loadUrl]);
    expect(plan.targetHeaders).toEqual([{ Authorization: { env: 'HTTPBIN_TOKEN' }, 'X-Team': { value: 'sre' } }]);
    for (const f of fs.readdirSync(out, { recursive: true }) as string[]) {
      const p = path.join(out, f);
      if (fs.statSync(p).isFile() && !p.endsWith('.gz') && !p.endsWith('.zip')) expect(fs.readFileSync(p, 'utf8'), f).not.toContain(TOKEN);
    }
    const log = fs.readFileSync(path.join(out, 'logs/command-pause.log'), 'utf8');
    expect(log).toMatch(/--- inject: \["kill","-STOP",.*exit=0/);
    expect(log).toMatch(/--- verify: .*exit=0/);
    expect(log).toMatch(/--- revert: \["kill","-CONT",.*exit=0/);

    // the header reached go-httpbin (no 401s) and each fault bit in its own window
    const durations = readSamples(path.join(out, 'k6_samples.ndjson.gz')).filter((s) => s.metric === 'http_req_duration');
    const failed = readSamples(path.join(out, 'k6_samples.ndjson.gz')).filter((s) => s.metric === 'http_req_failed' && s.value === 1);
    expect(failed.length).toBe(0);
    const window = (name: string) => {
      const f = chaos.faults.find((x: { name: string }) => x.name === name);
      return [Date.parse(f.injectedAt), Date.parse(f.revertedAt)] as const;
    };
    const ended = (from: number, to: number) => durations.filter((s) => Date.parse(s.time) >= from && Date.parse(s.time) <= to).map((s) => s.value);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    const [lagIn, lagOut] = window('lag');
    expect(median(ended(lagIn + 500, lagOut))).toBeGreaterThanOrEqual(300);
    const [pauseIn, pauseOut] = window('pause');
    // requests that arrived during the pause were answered only after SIGCONT (a sample's time is near its start or its end)
    expect(Math.max(...ended(pauseIn, pauseOut + 1000))).toBeGreaterThan(1000);
    expect(Math.max(...ended(0, pauseIn - 500))).toBeLessThan(1000);
    expect(pauseOut - pauseIn).toBeGreaterThan(1500);
    const after = ended(pauseOut + 1000, Number.MAX_SAFE_INTEGER);
    expect(after.length).toBeGreaterThan(10);
    expect(median(after)).toBeLessThan(100);
  }, 120_000);

  it('an endpoint down at start: exit 3, nothing injected', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const drill = writeDrill('external-down', { baseUrl: down, load: '6s', faults: [teamToxic('1s', '2s'), pause('1s', '2s')] });
    const out = path.join(tmpDir('gameday-ext-down'), 'run');
    const r = await runCli(['run', drill, '--out', out, '--no-progress'], env());
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/endpoint api is down at start: GET .*\/status\/200 failed .* nothing was injected/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(await teamToxics()).toEqual([]);
    expect(fs.existsSync(path.join(out, 'logs/command-pause.log'))).toBe(false);
    expect(httpbinState()).not.toBe('T');
  }, 60_000);

  it("a proxy the team's Toxiproxy does not have: exit 3 before anything is injected", async () => {
    const drill = writeDrill('external-no-proxy', { load: '6s', faults: [{ ...teamToxic('1s', '2s'), proxy: 'payments-db' }, pause('1s', '2s')] });
    const out = path.join(tmpDir('gameday-ext-noproxy'), 'run');
    const r = await runCli(['run', drill, '--out', out, '--no-progress'], env());
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`faults[0].proxy: the Toxiproxy at ${team.url} has no proxy "payments-db" (it has orders-db): gameday adds toxics to an existing proxy and never creates one — nothing was injected`);
    expect(Object.keys(await toxiproxyState(team.url))).toEqual(['orders-db']);
    expect(await teamToxics()).toEqual([]);
    expect(fs.existsSync(path.join(out, 'logs/command-pause.log'))).toBe(false);
  }, 60_000);

  it('an endpoint off loopback is refused before any connection: exit 3, not even a run directory', async () => {
    // 192.0.2.1 (TEST-NET-1) is never contacted: the refusal comes before anything starts
    const drill = writeDrill('external-remote', { baseUrl: 'http://192.0.2.1:8080', load: '6s', faults: [lag] });
    const out = path.join(tmpDir('gameday-ext-remote'), 'run');
    const r = await runCli(['run', drill, '--out', out, '--no-progress'], env());
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('target.endpoints[0].baseUrl: http://192.0.2.1:8080 is not on loopback');
    expect(r.stderr).toContain('nothing was contacted');
    expect(fs.existsSync(out)).toBe(false);
    // in process: no socket is connected and nothing fetched before the refusal
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const fetched = vi.spyOn(globalThis, 'fetch');
    try {
      await expect(runDrill(await loadDrill(drill), { outDir: out, progress: false, log: () => {} })).rejects.toThrow(/192\.0\.2\.1:8080 is not on loopback/);
      expect(connect).not.toHaveBeenCalled();
      expect(fetched).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
      fetched.mockRestore();
    }
    expect(fs.existsSync(out)).toBe(false);
    // allowed with a reason, but the host is not among allowRemote.hosts: still refused
    const listed = writeDrill('external-remote-hosts', { baseUrl: 'http://192.0.2.1:8080', load: '6s', faults: [lag], allowRemote: { reason: 'staging, approved by SRE-42', hosts: ['192.0.2.2'] } });
    const v = await runCli(['validate', listed], env());
    expect(v.code, v.stderr).toBe(3);
    expect(v.stderr).toContain('192.0.2.1 is not in allowRemote.hosts (192.0.2.2)');
  }, 60_000);

  it('kill -9 of the harness mid-fault: gameday cleanup removes its toxic from the team proxy (the proxy stays) and runs the command revert', async () => {
    const drill = writeDrill('external-killed', { load: '40s', faults: [teamToxic('1s', '30s'), pause('1s', '30s')] });
    const out = path.join(tmpDir('gameday-ext-kill'), 'run');
    const run = startCli(['run', drill, '--out', out, '--no-progress'], env());
    await waitFor('the toxic on the team proxy and go-httpbin stopped', async () => (await teamToxics()).length === 1 && httpbinState() === 'T', 45_000);
    run.child.kill('SIGKILL');
    await run.exit;
    expect((await teamToxics())[0]).toMatch(/^gameday-.*-orders-db-slow$/);
    expect(httpbinState()).toBe('T');

    const c = await runCli(['cleanup'], { GAMEDAY_STATE_DIR: stateDir });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/removed toxic gameday-.*-orders-db-slow from proxy orders-db .* the proxy kept/);
    expect(c.stdout).toMatch(/ran the revert of command fault pause/);
    expect(await teamToxics()).toEqual([]);
    expect(Object.keys(await toxiproxyState(team.url))).toEqual(['orders-db']);
    expect(httpbinState()).not.toBe('T');
    expect((await fetch(`${baseUrl}/status/200`)).status).toBe(200);
    expect(processesOwnedBy(run.child.pid!)).toEqual([]);
    expect(fs.readdirSync(path.join(stateDir, 'ledger'))).toEqual([]);
  }, 120_000);

  it('gameday init --url writes a drill for the running service that runs as written', async () => {
    const project = tmpDir('gameday-init-url');
    const init = await runCli(['init', '--url', baseUrl, '--health', '/status/200', '--out', path.join(project, 'drills/httpbin.yaml')], env());
    expect(init.code, init.stderr).toBe(0);
    const out = path.join(project, 'run');
    const r = await runCli(['run', path.join(project, 'drills/httpbin.yaml'), '--time-scale', '0.2', '--out', out, '--no-progress'], env());
    // go-httpbin is healthy and the 200 ms of latency stays within the starter's SLOs: GO
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults).toEqual([expect.objectContaining({ name: 'added-latency', outcome: 'reverted', injectVerified: true, revertVerified: true })]);
  }, 90_000);
});
