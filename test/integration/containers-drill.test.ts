// A drill on target.kind: containers through the real CLI: the partner hub's replicas as
// containers on a Docker engine behind a Toxiproxy container, the partner simulator in a container
// on the same network, real k6 load, a pod-kill and an az-failure on the timeline. The decision, the faults in chaos_report.json, and nothing of the run
// left on the engine afterwards — also when the run is interrupted (SIGINT) mid-fault.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerClient, engineProblem } from '../../chaos/containers/engine.ts';
import { LABEL_OWNER, LABEL_RUN } from '../../chaos/containers/labels.ts';
import { fixture, readJson, readSamples, runCli, sha256, startCli, tmpDir, waitFor } from '../helpers.ts';

const FIXTURE = fixture('containers-drill.yaml');

/** Containers and networks of run `runId` still on the engine (names). */
async function leftOf(runId: string): Promise<{ containers: string[]; networks: string[] }> {
  const client = await dockerClient();
  const filters = { label: [`${LABEL_RUN}=${runId}`] };
  const containers = (await client.container.dockerode.listContainers({ all: true, filters })).map((c) => c.Names[0]);
  const networks = (await client.container.dockerode.listNetworks({ filters })).map((n) => n.Name);
  return { containers, networks };
}

/** Containers the gameday process `pid` owns (label gameday.owner "pid:start"), with their state. */
async function ownedBy(pid: number): Promise<Array<{ name: string; state: string; runId: string }>> {
  const client = await dockerClient();
  const list = await client.container.dockerode.listContainers({ all: true, filters: { label: [LABEL_OWNER] } });
  return list.filter((c) => c.Labels[LABEL_OWNER]?.startsWith(`${pid}:`)).map((c) => ({ name: c.Names[0].replace(/^\//, ''), state: c.State, runId: c.Labels[LABEL_RUN] }));
}

describe('a drill on target.kind: containers', () => {
  // real or nothing: without an engine these fail, naming why
  const needEngine = async () => {
    const problem = await engineProblem();
    if (problem) throw new Error(`containers drills need a Docker engine: ${problem}`);
  };

  it('pod-kill and az-failure under k6 load: CONDITIONAL as planned, faults verified both ways, every container and the network gone', async () => {
    await needEngine();
    const out = path.join(tmpDir('gameday-containers-drill'), 'run');
    const r = await runCli(['run', FIXTURE, '--out', out, '--no-progress']);
    expect(r.stderr).toContain('fault kill-r0: pod-kill injected on hub-r0');
    expect(r.stderr).toContain('fault zone-b-down: az-failure injected on zone=b');
    // the fault phase lost the dead replicas' requests: only the advisory SLO fails
    expect(r.code, r.stderr).toBe(2);
    const decision = readJson(path.join(out, 'decisions.json'));
    expect(decision).toMatchObject({ decision: 'CONDITIONAL', invalid: false });
    const verdicts = readJson(path.join(out, 'slo_results.json')).verdicts as Array<{ slo: string; pass: boolean; observed: number }>;
    const v = (name: string) => verdicts.find((x) => x.slo === name)!;
    expect(v('errors-steady')).toMatchObject({ pass: true, observed: 0 });
    expect(v('errors-recovery').pass).toBe(true);
    expect(v('errors-fault').pass).toBe(false);
    expect(v('errors-fault').observed).toBeGreaterThan(0.05);

    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults).toHaveLength(2);
    for (const f of chaos.faults) expect(f).toMatchObject({ driver: 'containers', outcome: 'reverted', injectVerified: true, revertVerified: true, error: null });
    expect(chaos.faults[0]).toMatchObject({ action: 'pod-kill', target: { proxies: ['hub-r0'] }, params: { replica: 0, restartAfter: 2000 } });
    expect(chaos.faults[1]).toMatchObject({ action: 'az-failure', target: { proxies: ['zone=b'] } });
    const containers = chaos.environment.containers;
    expect(containers.replicas.map((x: { zone: string }) => x.zone)).toEqual(['a', 'b']);
    expect(chaos.toxiproxy.url).toBe(containers.toxiproxy.apiUrl);
    // k6 was pointed at the replicas' Toxiproxy-container proxies on 127.0.0.1, and both answered
    const plan = readJson(path.join(out, 'k6_plan.json'));
    expect(plan.targets).toEqual(containers.replicas.map((x: { proxyUrl: string }) => x.proxyUrl));
    for (const t of plan.targets) expect(t).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const reqs = readSamples(path.join(out, 'k6_samples.ndjson.gz')).filter((s) => s.metric === 'http_reqs');
    expect(reqs.length).toBeGreaterThan(300);
    // signed webhooks were accepted by the containers in steady state, offers answered through the partner
    expect(reqs.some((s) => s.tags.request === 'webhook' && s.tags.phase === 'steady' && s.tags.status === '200')).toBe(true);
    expect(reqs.filter((s) => s.tags.request === 'offers' && s.tags.phase === 'steady').every((s) => s.tags.status === '200')).toBe(true);

    // the partner simulator ran in a container on the run's network; both replicas called it there,
    // and its journal (flushed on SIGTERM) is the run's simulator_journal.ndjson
    expect(containers.partners.urls).toEqual({ acme: `http://${containers.partners.container}:9090` });
    const journal = fs.readFileSync(path.join(out, 'simulator_journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const calls = journal.filter((e) => e.source === 'partner' && e.partner === 'acme' && e.path === '/offers');
    expect(calls.length).toBeGreaterThan(100);
    expect(new Set(calls.map((e) => e.clientKey))).toEqual(new Set(['partner-hub-r0', 'partner-hub-r1']));
    expect(calls.every((e) => e.status === 200)).toBe(true);
    // the timeline started at the run's t0, handed over through the read-only mount
    const partnersLog = fs.readFileSync(path.join(out, 'logs', `${containers.partners.container}.log`), 'utf8');
    expect(partnersLog).toContain(`timeline starts at ${chaos.t0}`);
    expect(partnersLog).toContain(`partners stopped (SIGTERM): ${journal.filter((e) => e.source === 'partner').length} exchange(s) journaled`);

    // the replicas' output was kept; the run left nothing on the engine
    expect(fs.readFileSync(path.join(out, 'logs', `${containers.replicas[1].container}.log`), 'utf8')).toContain('zone b');
    expect(await leftOf(chaos.runId)).toEqual({ containers: [], networks: [] });
    const manifest = readJson(path.join(out, 'run_manifest.json'));
    for (const a of manifest.artifacts) expect(sha256(path.join(out, a.path))).toBe(a.sha256);
  }, 90_000);

  it('SIGINT while a container is killed: the run stops NO-GO, the fault is reverted and every container and the network are removed', async () => {
    await needEngine();
    const out = path.join(tmpDir('gameday-containers-sigint'), 'run');
    const run = startCli(['run', FIXTURE, '--out', out, '--no-progress']);
    // mid-fault: the pod-kill's container is down (exited) while the others run
    const seen = await waitFor('a replica container killed by the drill', async () => {
      const mine = await ownedBy(run.child.pid!);
      // two replicas, Toxiproxy, the partners
      return mine.length === 4 && mine.some((c) => c.state === 'exited') ? mine : null;
    }, 60_000, 200);
    const runId = seen[0].runId;
    run.child.kill('SIGINT');
    const exit = await run.exit;
    expect(exit.code, run.stderr()).toBe(1);
    expect(run.stderr()).toContain('SIGINT: stopping the drill');
    expect(await leftOf(runId)).toEqual({ containers: [], networks: [] });
    expect(await ownedBy(run.child.pid!)).toEqual([]);

    const decision = readJson(path.join(out, 'decisions.json'));
    expect(decision).toMatchObject({ decision: 'NO-GO', invalid: true });
    expect(decision.reasons.join('\n')).toMatch(/interrupted \(SIGINT\)/);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.runId).toBe(runId);
    expect(chaos.faults[0]).toMatchObject({ name: 'kill-r0', outcome: 'reverted', injectVerified: true, revertVerified: true });
    // the partners' exchanges up to the interrupt were kept
    expect(fs.readFileSync(path.join(out, 'simulator_journal.ndjson'), 'utf8')).toContain('"partner":"acme"');
  }, 90_000);

  it('a static Go server (go-httpbin, not node) as a containers target: built FROM scratch, started with its arguments, serves and is drilled', async () => {
    await needEngine();
    const { requireTool } = await import('../../src/platform/toolchain.mjs');
    const dir = tmpDir('gameday-containers-go');
    const drill = {
      name: 'containers-go-httpbin',
      app: 'CTR',
      target: {
        kind: 'containers',
        service: { name: 'httpbin', command: [requireTool('go-httpbin').path, '-host', '0.0.0.0', '-port', '{{port}}'], replicas: 2, zones: ['a', 'b'], healthPath: '/status/200' },
      },
      load: { requests: [{ name: 'status', path: '/status/200', expect: [200] }], profiles: [{ profile: 'baseline', rate: 10, duration: '8s' }] },
      faults: [{ name: 'slow', action: 'latency', target: 'httpbin', at: '3s', duration: '2s', latency: '100ms' }],
      slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
    };
    fs.writeFileSync(path.join(dir, 'drill.json'), JSON.stringify(drill));
    const out = path.join(dir, 'run');
    const r = await runCli(['run', path.join(dir, 'drill.json'), '--out', out, '--no-progress']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults[0]).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    // go-httpbin's own log line from inside each container
    const logs = fs.readdirSync(path.join(out, 'logs'));
    for (const i of [0, 1]) {
      const log = logs.find((f) => f.endsWith(`-httpbin-r${i}.log`));
      expect(log, logs.join(', ')).toBeDefined();
      expect(fs.readFileSync(path.join(out, 'logs', log!), 'utf8')).toMatch(/listening on/);
    }
    expect(await leftOf(chaos.runId)).toEqual({ containers: [], networks: [] });
  }, 180_000);
});
