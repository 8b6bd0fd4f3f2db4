// Faults always come back out: Ctrl-C mid-fault, k6 dying mid-run, and a harness killed with
// SIGKILL followed by `gameday cleanup`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DRILL, fixture, interruptGroup, processesOwnedBy, readJson, runCli, sha256, startCli, startToxiproxyServer, tmpDir, toxiproxyState, waitFor } from '../helpers.ts';

describe('interrupting a drill', () => {
  let toxiproxy: Awaited<ReturnType<typeof startToxiproxyServer>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    // a Toxiproxy the test owns, so that its state can be inspected after the run has ended
    toxiproxy = await startToxiproxyServer();
    env = { TOXIPROXY_URL: toxiproxy.url, GAMEDAY_STATE_DIR: tmpDir('gameday-state') };
  });
  afterAll(async () => {
    await toxiproxy.stop();
  });

  const faultInjected = async () => Object.values(await toxiproxyState(toxiproxy.url)).some((p) => p.toxics.some((t) => t.name === 'gameday-hub-latency'));

  it('SIGINT mid-fault: toxic removed, proxies removed, every child stopped, partial evidence, NO-GO', async () => {
    const out = path.join(tmpDir('gameday-sigint'), 'run');
    const run = startCli(['run', DEMO_DRILL, '--time-scale', '0.5', '--out', out, '--no-progress'], env);
    await waitFor('the latency fault to be injected', faultInjected, 60_000);
    const children = processesOwnedBy(run.child.pid!);
    expect(children.some((p) => p.cmdline.includes('k6'))).toBe(true);
    expect(children.filter((p) => p.cmdline.includes('server.mjs'))).toHaveLength(2);

    run.child.kill('SIGINT');
    const exit = await run.exit;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toContain('SIGINT: stopping the drill');

    expect(await toxiproxyState(toxiproxy.url)).toEqual({});
    expect(processesOwnedBy(run.child.pid!)).toEqual([]);

    const decision = readJson(path.join(out, 'decisions.json'));
    expect(decision.decision).toBe('NO-GO');
    expect(decision.invalid).toBe(true);
    expect(decision.reasons.join('\n')).toMatch(/interrupted \(SIGINT\)/);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults[0]).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    // what was collected before the interrupt is kept and hashed
    const manifest = readJson(path.join(out, 'run_manifest.json'));
    expect(manifest.decision.decision).toBe('NO-GO');
    for (const a of manifest.artifacts) expect(sha256(path.join(out, a.path))).toBe(a.sha256);
    expect(readJson(path.join(out, 'slo_results.json')).samples.requests).toBeGreaterThan(0);
  });

  // A terminal's Ctrl-C reaches the whole foreground process group: the run's own Toxiproxy, k6
  // and replicas get SIGINT too and must stay up until the run has reverted and verified its faults.
  it('Ctrl-C to the process group mid-fault (the run starts its own Toxiproxy): reverted and verified, nothing left, exit 1 within 5 s', async () => {
    const out = path.join(tmpDir('gameday-sigint-group'), 'run');
    const run = startCli(['run', DEMO_DRILL, '--time-scale', '0.5', '--out', out, '--no-progress'], { GAMEDAY_STATE_DIR: env.GAMEDAY_STATE_DIR }, { ownGroup: true });
    await waitFor('the latency fault to be injected', () => /injected/.test(run.stderr()), 60_000);
    expect(processesOwnedBy(run.child.pid!).some((p) => p.cmdline.includes('toxiproxy'))).toBe(true);
    const sent = performance.now();
    interruptGroup(run);
    const exit = await run.exit;
    const seconds = (performance.now() - sent) / 1000;
    console.log(`toxiproxy drill: exit ${exit.code} ${seconds.toFixed(1)} s after Ctrl-C to the group`);
    expect(exit.code).toBe(1);
    expect(seconds).toBeLessThan(5);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults.length).toBeGreaterThan(0);
    for (const f of chaos.faults) expect(f).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    expect(processesOwnedBy(run.child.pid!)).toEqual([]);
  });

  it('Ctrl-C to the process group mid pod-kill: the replica is restarted and verified, nothing left, exit 1 within 5 s', async () => {
    const out = path.join(tmpDir('gameday-sigint-pod-kill'), 'run');
    const run = startCli(['run', fixture('interrupt-pod-kill.yaml'), '--out', out, '--no-progress'], { GAMEDAY_STATE_DIR: env.GAMEDAY_STATE_DIR }, { ownGroup: true });
    await waitFor('the replica to be killed', () => /kill-r1 injected|pod-kill injected/.test(run.stderr()), 60_000);
    const sent = performance.now();
    interruptGroup(run);
    const exit = await run.exit;
    const seconds = (performance.now() - sent) / 1000;
    console.log(`process drill: exit ${exit.code} ${seconds.toFixed(1)} s after Ctrl-C to the group`);
    expect(exit.code).toBe(1);
    expect(seconds).toBeLessThan(5);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults).toHaveLength(1);
    expect(chaos.faults[0]).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    expect(processesOwnedBy(run.child.pid!)).toEqual([]);
  });

  it('k6 killed mid-run: the run is invalid (NO-GO) and what was collected is kept', async () => {
    const out = path.join(tmpDir('gameday-k6-dies'), 'run');
    const run = startCli(['run', DEMO_DRILL, '--time-scale', '0.5', '--out', out, '--no-progress'], env);
    await waitFor('the latency fault to be injected', faultInjected, 60_000);
    const k6 = processesOwnedBy(run.child.pid!).find((p) => / run .*k6_script\.js/.test(p.cmdline));
    expect(k6).toBeDefined();
    process.kill(k6!.pid, 'SIGKILL');
    const exit = await run.exit;
    expect(exit.code).toBe(1);
    const decision = readJson(path.join(out, 'decisions.json'));
    expect(decision.decision).toBe('NO-GO');
    expect(decision.problems.map((p: { code: string }) => p.code)).toContain('k6-killed');
    expect(await toxiproxyState(toxiproxy.url)).toEqual({});
    expect(processesOwnedBy(run.child.pid!)).toEqual([]);
    expect(fs.statSync(path.join(out, 'k6_samples.ndjson.gz')).size).toBeGreaterThan(100);
  });

  it('SIGKILL of the harness mid-fault, then `gameday cleanup`: no toxic, proxy or process remains', async () => {
    const out = path.join(tmpDir('gameday-sigkill'), 'run');
    const run = startCli(['run', DEMO_DRILL, '--time-scale', '0.5', '--out', out, '--no-progress'], env);
    await waitFor('the latency fault to be injected', faultInjected, 60_000);
    run.child.kill('SIGKILL');
    await run.exit;
    // the killed harness could not clean up: its processes and proxies are still there
    expect(processesOwnedBy(run.child.pid!).length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(await toxiproxyState(toxiproxy.url)).length).toBe(2);

    const cleanup = await runCli(['cleanup'], env);
    expect(cleanup.code).toBe(0);
    expect(cleanup.stdout).toMatch(/killed pid \d+/);
    expect(cleanup.stdout).toMatch(/removed proxy gameday-/);
    await waitFor('the orphans to be gone', () => processesOwnedBy(run.child.pid!).length === 0, 5000);
    expect(await toxiproxyState(toxiproxy.url)).toEqual({});

    const again = await runCli(['cleanup'], env);
    expect(again.stdout).toContain('nothing left behind');
  });
});
