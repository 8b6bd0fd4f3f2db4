// Guards against real components: the service's proxy taken down under load, a guard on the
// error rate. With the guard, the run is aborted within grace + 2 s of the threshold being crossed
// (replayed from the run's own k6 samples), the fault reverted and verified, nothing left in
// Toxiproxy or the ledger, NO-GO (exit 1) with the guard's reason first, and the evidence
// verifies; without it, the same drill runs to its end.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { firstErrorRateCrossing } from '../../src/judge/guard.ts';
import { Guard } from '../../src/schema/guards.ts';
import { fixture, readJson, readSamples, runCli, startCli, startToxiproxyServer, tmpDir, toxiproxyState, waitFor } from '../helpers.ts';

const DRILL = fixture('guard-trip.yaml');

describe('guards', () => {
  let toxiproxy: Awaited<ReturnType<typeof startToxiproxyServer>>;
  let env: Record<string, string>;
  let stateDir: string;

  beforeAll(async () => {
    // a Toxiproxy of the test's own, so that its state can be read while the run stops
    toxiproxy = await startToxiproxyServer();
    stateDir = tmpDir('gameday-state');
    env = { TOXIPROXY_URL: toxiproxy.url, GAMEDAY_STATE_DIR: stateDir };
  });
  afterAll(async () => {
    await toxiproxy.stop();
  });

  it('a fault that breaks the service trips the guard: reverted and verified at once, load stopped, NO-GO, evidence verifies', async () => {
    const out = path.join(tmpDir('gameday-guard'), 'run');
    const run = startCli(['run', DRILL, '--out', out, '--no-progress'], env);
    // once the fault is reverted after the trip, and before the run removes its proxies: nothing left in Toxiproxy
    await waitFor('the guard to trip and the fault to be reverted', () => /tripped[\s\S]*fault hub-down: reverted/.test(run.stderr()), 60_000, 20);
    const state = Object.values(await toxiproxyState(toxiproxy.url));
    for (const p of state) expect(p).toMatchObject({ enabled: true, toxics: [] });
    const exit = await run.exit;
    expect(exit.code, run.stderr()).toBe(1);
    expect(run.stdout()).toMatch(/^ {2}aborted by guard error-storm at \+\d+\.\ds: error rate/m);
    expect(await toxiproxyState(toxiproxy.url)).toEqual({});
    expect(fs.readdirSync(stateDir).filter((f) => f.endsWith('.json'))).toEqual([]);

    const decision = readJson(path.join(out, 'decisions.json'));
    expect(decision, JSON.stringify(decision.reasons)).toMatchObject({ decision: 'NO-GO', exitCode: 1, invalid: false, problems: [] });
    expect(decision.reasons[0]).toMatch(/^aborted by guard error-storm at \+\d+\.\ds: error rate \d+(\.\d)?% over the last 1 s \(\d+ of \d+ requests failed\); threshold 50%$/);

    const chaos = readJson(path.join(out, 'chaos_report.json'));
    const t0 = Date.parse(chaos.t0);
    const trip = chaos.guardTrip;
    expect(decision.abortedBy).toEqual(trip);
    const [fault] = chaos.faults;
    expect(fault).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    const revertedMs = Date.parse(fault.revertedAt) - t0;
    expect(trip.revertedAtMs).toBeGreaterThanOrEqual(revertedMs);
    // long before its scheduled end (8 s): the guard took it out
    expect(revertedMs).toBeLessThan(fault.scheduled.endMs - 1000);

    // the threshold crossing, replayed from the run's own samples with the guard's window
    const guard = Guard.parse(parse(fs.readFileSync(DRILL, 'utf8')).guards[0]);
    const failed = readSamples(path.join(out, 'k6_samples.ndjson.gz'))
      .filter((s) => s.metric === 'http_req_failed')
      .map((s) => ({ timeMs: Date.parse(s.time), failed: s.value !== 0 }));
    const crossed = firstErrorRateCrossing(guard.window as never, failed);
    expect(crossed).not.toBeNull();
    const crossedMs = crossed! - t0;
    expect(crossedMs).toBeGreaterThan(Date.parse(fault.injectedAt) - t0);
    // no trip within the grace period; aborted and reverted within grace + 2 s of the crossing
    expect(trip.atMs).toBeGreaterThanOrEqual(guard.gracePeriod);
    expect(trip.revertedAtMs - crossedMs).toBeLessThanOrEqual(guard.gracePeriod + 2000);
    // every reading is kept; none before the grace period was over, the last one tripped
    const readings = fs.readFileSync(path.join(out, 'guards.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(readings.every((r) => r.atMs >= guard.gracePeriod)).toBe(true);
    expect(readings.at(-1)).toMatchObject({ guard: 'error-storm', tripped: true, atMs: trip.atMs });
    expect(readings.slice(0, -1).every((r) => !r.tripped)).toBe(true);
    // the load stopped: no request started well after the trip
    const last = Math.max(...failed.map((s) => s.timeMs)) - t0;
    expect(last).toBeLessThan(trip.atMs + 2000);

    // the report marks the moment on its charts
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<line class="marker guard-trip"');
    const verify = await runCli(['verify', path.join(out, 'evidence_bundle_TEST.zip')]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('the same drill without the guard runs to its end', async () => {
    const dir = tmpDir('gameday-no-guard');
    const drill = parse(fs.readFileSync(DRILL, 'utf8'));
    delete drill.guards;
    drill.target.service.command = drill.target.service.command.map((a: string) => (a.startsWith('.') ? path.resolve(path.dirname(DRILL), a) : a));
    const file = path.join(dir, 'no-guard.yaml');
    fs.writeFileSync(file, stringify(drill));
    const out = path.join(dir, 'run');
    const run = await runCli(['run', file, '--out', out, '--no-progress'], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    const t0 = Date.parse(chaos.t0);
    expect(chaos.guardTrip).toBeNull();
    const [fault] = chaos.faults;
    expect(fault).toMatchObject({ outcome: 'reverted', revertVerified: true });
    // reverted on schedule, and the load ran its 12 s
    expect(Date.parse(fault.revertedAt) - t0).toBeGreaterThanOrEqual(fault.scheduled.endMs);
    const times = readSamples(path.join(out, 'k6_samples.ndjson.gz')).filter((s) => s.metric === 'http_reqs').map((s) => Date.parse(s.time) - t0);
    expect(Math.max(...times)).toBeGreaterThan(11_000);
    expect(fs.existsSync(path.join(out, 'guards.ndjson'))).toBe(false);
  });
});
