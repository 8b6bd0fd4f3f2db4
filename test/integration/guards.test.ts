// Guards against real components: the service's proxy taken down under load, a guard on the
// error rate. With the guard, the run is aborted within grace + 2 s of the threshold being crossed
// (replayed from the run's own k6 samples), the fault reverted and verified, nothing left in
// Toxiproxy or the ledger, NO-GO (exit 1) with the guard's reason first, and the evidence
// verifies; without it, the same drill runs to its end. The PromQL and HTTP guards' readings
// against a real Prometheus and a real HTTP server.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { firstErrorRateCrossing } from '../../src/judge/guard.ts';
import { GuardWatch, type GuardEvaluation } from '../../src/run/guards.ts';
import { Guard } from '../../src/schema/guards.ts';
import { startPrometheus } from '../../src/targets/prometheus.ts';
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

describe('guards reading a real Prometheus and a real HTTP server', () => {
  const watch = (guards: unknown[], o: { prometheus?: string; entry?: string } = {}) => {
    const trips: GuardEvaluation[] = [];
    const w = new GuardWatch({
      guards: guards.map((g) => Guard.parse(g)),
      timeScale: 1,
      t0: () => Date.now() - 10_000,
      running: () => true,
      metrics: () => [],
      prometheus: () => (o.prometheus ? { url: o.prometheus } : null),
      entryUrl: () => o.entry ?? null,
      onTrip: (e) => trips.push(e),
      log: () => {},
    });
    return { w, trips };
  };

  it('PromQL: the value against the bound, Prometheus\' own error kept, no trip on an error', async () => {
    const prom = await startPrometheus({ dir: tmpDir('gameday-guard-prom'), targets: [] });
    try {
      const calm = watch([
        { name: 'calm', prometheus: { query: 'vector(0.1)', above: 0.5 } },
        { name: 'broken', prometheus: { query: 'sum(', above: 0.5 } },
      ], { prometheus: prom.url });
      await calm.w.tick();
      expect(calm.trips).toEqual([]);
      const ok = calm.w.evaluations.find((e) => e.guard === 'calm')!;
      const broken = calm.w.evaluations.find((e) => e.guard === 'broken')!;
      expect(ok).toMatchObject({ guard: 'calm', tripped: false, value: 0.1, observed: 'vector(0.1) = 0.1; trips at > 0.5' });
      expect(broken).toMatchObject({ guard: 'broken', tripped: false, value: null });
      expect(broken.error).toMatch(/parse error/);
      const hot = watch([{ name: 'hot', prometheus: { query: 'vector(0.9)', above: 0.5 } }], { prometheus: prom.url });
      await hot.w.tick();
      expect(hot.trips).toMatchObject([{ guard: 'hot', kind: 'prometheus', tripped: true, value: 0.9 }]);
    } finally {
      await prom.stop();
    }
  });

  it('gameday validate has Prometheus parse a guard\'s query, and names the guard', async () => {
    const dir = tmpDir('gameday-guard-validate');
    const drill = parse(fs.readFileSync(DRILL, 'utf8'));
    drill.target.service.command = drill.target.service.command.map((a: string) => (a.startsWith('.') ? path.resolve(path.dirname(DRILL), a) : a));
    drill.telemetry = { prometheus: { managed: true } };
    drill.guards.push({ name: 'server-5xx', prometheus: { query: 'sum(rate(http_requests_total[5s])', above: 1 } });
    fs.writeFileSync(path.join(dir, 'bad.yaml'), stringify(drill));
    const bad = await runCli(['validate', path.join(dir, 'bad.yaml')]);
    expect(bad.code, bad.stderr).toBe(3);
    expect(bad.stderr).toContain('guards[1].prometheus.query "sum(rate(http_requests_total[5s])": Prometheus says:');
    expect(bad.stderr).toMatch(/parse error/);
  });

  it('HTTP: a healthy answer passes; another status, a slow answer or a refused connection trips', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('late'), 400);
      else res.writeHead(req.url === '/healthz' ? 200 : 503).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const entry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const read = async (g: Record<string, unknown>) => {
        const { w, trips } = watch([{ name: 'probe', http: g }], { entry });
        await w.tick();
        return { reading: w.evaluations[0], trips };
      };
      expect((await read({ path: '/healthz' })).reading).toMatchObject({ tripped: false });
      const down = await read({ path: '/ready' });
      expect(down.trips).toHaveLength(1);
      expect(down.reading.observed).toMatch(new RegExp(`^GET ${entry}/ready answered 503 in \\d+ ms; expected 200 within 1 s$`));
      expect((await read({ path: '/slow', within: '100ms' })).reading).toMatchObject({ tripped: true });
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      const refused = await read({ url: `${entry}/healthz` });
      expect(refused.reading.observed).toMatch(/no answer after \d+ ms \(ECONNREFUSED\)/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
