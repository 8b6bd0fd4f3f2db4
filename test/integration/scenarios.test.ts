// The scenario library against real k6: bundles that k6 accepts, thresholds that agree with
// gameday's verdicts, a spike visible in the samples, execution segments that merge exactly.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireTool } from '../../src/platform/toolchain.mjs';
import { thresholdFor } from '../../src/k6/options.ts';
import { loadDrill } from '../../src/schema/load.ts';
import { isK6ThresholdSlo } from '../../src/schema/drill.ts';
import { nearestRank, readJson, readSamples, ROOT, runCli, tmpDir } from '../helpers.ts';

const k6 = requireTool('k6').path;
const fixture = (name: string) => path.join(ROOT, 'test/fixtures', name);

describe('scenario bundles', () => {
  const shipped = fs.readdirSync(path.join(ROOT, 'scenarios/examples')).filter((f) => f.endsWith('.ts'));

  it.each(shipped)('scenarios/examples/%s bundles into a script k6 inspect accepts', async (file) => {
    const out = path.join(tmpDir('gameday-bundle'), file.replace(/\.ts$/, '.js'));
    const r = await runCli(['bundle', path.join('scenarios/examples', file), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const inspected = JSON.parse(execFileSync(k6, ['inspect', out], { encoding: 'utf8' }));
    expect(Object.keys(inspected.scenarios).length).toBeGreaterThan(0);
    expect(Object.keys(inspected.thresholds).length).toBeGreaterThan(0);
    // self-contained: nothing but k6's own modules is imported
    const imports = [...fs.readFileSync(out, 'utf8').matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.every((m) => m === 'k6' || m.startsWith('k6/'))).toBe(true);
  });

  it.each(['baseline.ts', 'flows.ts'])('the drill examples/partner-hub/drills/%s bundles (with --target) into a script k6 inspect accepts', async (file) => {
    const out = path.join(tmpDir('gameday-bundle'), 'drill.js');
    const r = await runCli(['bundle', path.join('examples/partner-hub/drills', file), '-o', out, '--target', 'http://127.0.0.1:9']);
    expect(r.code, r.stderr).toBe(0);
    const inspected = JSON.parse(execFileSync(k6, ['inspect', out], { encoding: 'utf8' }));
    const loaded = await loadDrill(path.join(ROOT, 'examples/partner-hub/drills', file));
    expect(Object.keys(inspected.thresholds).sort()).toEqual([...new Set(loaded.drill.slos.filter(isK6ThresholdSlo).map((s) => thresholdFor(s)[0]))].sort());
  });
});

describe('thresholds and verdicts agree', () => {
  it('k6 evaluates the SLOs as thresholds with the same outcome as gameday', async () => {
    const out = path.join(tmpDir('gameday-thresholds'), 'run');
    const r = await runCli(['run', fixture('thresholds.yaml'), '--out', out, '--no-progress']);
    // only the advisory SLO fails: CONDITIONAL, and k6's exit 99 (thresholds) does not make the run invalid
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const results = readJson(path.join(out, 'slo_results.json'));
    expect(results.k6.exitCode).toBe(99);
    const summary = readJson(path.join(out, 'k6_summary.json'));
    const loaded = await loadDrill(fixture('thresholds.yaml'));
    for (const slo of loaded.drill.slos.filter(isK6ThresholdSlo)) {
      const [metric, expr] = thresholdFor(slo);
      const k6Verdict = summary.metrics[metric]?.thresholds?.[expr]?.ok;
      const ours = results.verdicts.find((v: { slo: string }) => v.slo === slo.name);
      expect(k6Verdict, `${slo.name}: ${metric} ${expr}`).toBeTypeOf('boolean');
      expect(ours.pass, slo.name).toBe(k6Verdict);
    }
    expect(results.verdicts.find((v: { slo: string }) => v.slo === 'impossible-p95').pass).toBe(false);
  });

  it('plain `k6 run` of a bundled drill enforces the same thresholds against the demo SUT', async () => {
    const { startPartnerServer } = await import('../../simulators/partner-server.ts');
    const { openJournal } = await import('../../simulators/journal.ts');
    const { freePort, waitHealthy } = await import('../../src/platform/processes.ts');
    const { spawn } = await import('node:child_process');
    const dir = tmpDir('gameday-plain-k6');
    const journal = openJournal(path.join(dir, 'journal.ndjson'));
    const { planDrill } = await import('../../src/plan/plan.ts');
    const plan = planDrill((await loadDrill(fixture('thresholds.yaml'))).drill);
    const partner = await startPartnerServer(plan.partners[0], journal);
    partner.startTimeline(Date.now());
    const port = await freePort();
    const sut = spawn(process.execPath, [path.join(ROOT, 'examples/partner-hub/server.mjs')], {
      env: { ...process.env, PORT: String(port), PARTNER_URL: partner.url, DATA_DIR: path.join(dir, 'data') },
      stdio: 'ignore',
    });
    try {
      await waitHealthy(`http://127.0.0.1:${port}/healthz`, 10_000);
      const script = path.join(dir, 'drill.js');
      const b = await runCli(['bundle', fixture('thresholds.yaml'), '-o', script, '--target', `http://127.0.0.1:${port}`, '--time-scale', '0.5']);
      expect(b.code, b.stderr).toBe(0);
      const summaryFile = path.join(dir, 'summary.json');
      // async: the partner simulator answers from this process's event loop
      const k6run = spawn(k6, ['run', '--quiet', '--no-usage-report', script], { env: { ...process.env, GAMEDAY_SUMMARY: summaryFile }, stdio: 'ignore' });
      const status = await new Promise<number | null>((resolve) => k6run.once('exit', (code) => resolve(code)));
      // the impossible SLO fails in plain k6 too: exit code 99, thresholds failed
      expect(status).toBe(99);
      const summary = readJson(summaryFile);
      expect(summary.metrics['http_req_duration{request:health}'].thresholds['p(95)<0.001'].ok).toBe(false);
      expect(summary.metrics['http_req_duration{phase:steady,request:offers}'].thresholds['p(95)<400'].ok).toBe(true);
      // the phase tags follow the drill's timeline in plain k6 as well
      expect(summary.metrics['http_req_failed{phase:fault}'].values.passes + summary.metrics['http_req_failed{phase:fault}'].values.fails).toBeGreaterThan(0);
    } finally {
      sut.kill('SIGKILL');
      await partner.close();
      await journal.close();
    }
  });
});

describe('load profiles on real k6', () => {
  it('a spike shows the arrival rate rising to the peak and falling back in the samples', async () => {
    const out = path.join(tmpDir('gameday-spike'), 'run');
    const r = await runCli(['run', fixture('spike.yaml'), '--out', out, '--no-progress']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const t0 = Date.parse(readJson(path.join(out, 'chaos_report.json')).t0);
    const perSecond = new Map<number, number>();
    for (const s of readSamples(path.join(out, 'k6_samples.ndjson.gz'))) {
      if (s.metric !== 'http_reqs') continue;
      const second = Math.floor((Date.parse(s.time) - t0) / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + s.value);
    }
    const mean = (from: number, to: number) => {
      let sum = 0;
      for (let t = from; t < to; t++) sum += perSecond.get(t) ?? 0;
      return sum / (to - from);
    };
    // warmup 0-4 s at 10/s, ramp 4-6 s, hold 6-11 s at 50/s, ramp down 11-13 s, recovery 13-17 s at 10/s
    expect(mean(1, 4)).toBeGreaterThan(7);
    expect(mean(1, 4)).toBeLessThan(13);
    expect(mean(7, 11)).toBeGreaterThan(40);
    expect(mean(7, 11)).toBeLessThan(60);
    expect(mean(14, 17)).toBeGreaterThan(7);
    expect(mean(14, 17)).toBeLessThan(13);
  });

  it('a WebSocket session longer than the load ends with the load, not at k6\'s graceful stop, and is no drop', async () => {
    const out = path.join(tmpDir('gameday-ws-end'), 'run');
    const r = await runCli(['run', fixture('websocket-end.yaml'), '--out', out, '--no-progress']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const t0 = Date.parse(readJson(path.join(out, 'chaos_report.json')).t0);
    const samples = readSamples(path.join(out, 'k6_samples.ndjson.gz'));
    const sessions = samples.filter((s) => s.metric === 'ws_session_duration');
    expect(sessions.length).toBeGreaterThanOrEqual(10);
    // 20 messages 500 ms apart take 10 s; the load lasts 3 s, then k6 would wait up to its 5-s
    // graceful stop: every session ended with the load instead (a session is sampled as it ends)
    for (const s of sessions) expect(Date.parse(s.time) - t0).toBeLessThan(4500);
    expect(Math.max(...sessions.map((s) => s.value))).toBeLessThan(4500);
    expect(samples.filter((s) => s.metric === 'gameday_ws_messages').length).toBeGreaterThan(20);
    expect(samples.filter((s) => s.metric === 'gameday_ws_drops')).toEqual([]);
  });

  it('N=3 execution segments issue the same load as one k6 and merge their samples exactly', async () => {
    const one = path.join(tmpDir('gameday-seg1'), 'run');
    const three = path.join(tmpDir('gameday-seg3'), 'run');
    const r1 = await runCli(['run', fixture('segments.yaml'), '--out', one, '--no-progress']);
    const r3 = await runCli(['run', fixture('segments.yaml'), '--out', three, '--no-progress', '--segments', '3']);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r3.code, r3.stderr).toBe(0);
    const files = fs.readdirSync(three).filter((f) => /^k6_samples\.seg\dof3\.ndjson\.gz$/.test(f));
    expect(files).toHaveLength(3);
    const union = files.flatMap((f) => readSamples(path.join(three, f)));
    const single = readSamples(path.join(one, 'k6_samples.ndjson.gz'));
    const count = (samples: typeof union) => samples.filter((s) => s.metric === 'http_reqs').length;
    expect(Math.abs(count(union) - count(single)) / count(single)).toBeLessThan(0.02);
    // every segment did part of the work
    for (const f of files) expect(count(readSamples(path.join(three, f)))).toBeGreaterThan(count(union) / 6);
    const verdict = readJson(path.join(three, 'slo_results.json')).verdicts[0];
    const raw = nearestRank(union.filter((s) => s.metric === 'http_req_duration' && s.tags.request === 'offers').map((s) => s.value), 95);
    expect(verdict.samples).toBe(count(union));
    expect(Math.abs(verdict.observed - raw) / raw).toBeLessThan(0.002);
  });
});
