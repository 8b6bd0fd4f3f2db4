import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decide } from '../../src/judge/decide.ts';
import { parsePolicy } from '../../src/judge/policy.ts';
import { compareWithBaseline, median } from '../../src/judge/baseline.ts';
import { readBaselineRuns } from '../../src/evidence/baseline-runs.ts';
import type { Verdict } from '../../src/judge/evaluate.ts';

function v(slo: string, kind: Verdict['kind'], observed: number | null, unit: Verdict['unit'] = 'ms', pass = true): Verdict {
  return {
    slo,
    kind,
    phase: 'steady',
    request: 'offers',
    objective: 'p(95) < 250 ms',
    observed,
    unit,
    samples: 100,
    pass,
    blocking: true,
    reason: pass ? 'met' : 'breached',
    detail: 'detail',
    evidence: ['k6_samples.ndjson.gz'],
  };
}

const POLICY = parsePolicy({ baseline: { runs: 5, maxRegression: '10%' } }, 'policy.yaml').baseline;

let appDir: string;
beforeEach(() => {
  appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-baseline-'));
});
afterEach(() => fs.rmSync(appDir, { recursive: true, force: true }));

/** An earlier run directory, as run-drill writes it. */
function writeRun(runId: string, opts: { drill?: string; decision?: 'GO' | 'NO-GO' | 'CONDITIONAL'; p95?: number; rps?: number; corrupt?: 'slo' | 'decisions' }) {
  const dir = path.join(appDir, runId);
  fs.mkdirSync(dir, { recursive: true });
  const verdicts = [v('offers-p95', 'latency', opts.p95 ?? 100), v('tp', 'throughput', opts.rps ?? 40, 'rps'), v('errors', 'error-rate', 0.001, 'ratio')];
  const decision = opts.decision ?? 'GO';
  const decisions = { runId, drill: opts.drill ?? 'partner-hub-baseline', app: 'APP2', decision, exitCode: { GO: 0, 'NO-GO': 1, CONDITIONAL: 2 }[decision], reasons: [], invalid: false, problems: [], verdicts };
  const results = { runId, drill: opts.drill ?? 'partner-hub-baseline', timeScale: 1, phases: [{ phase: 'steady', startMs: 0, endMs: 60000 }], verdicts };
  fs.writeFileSync(path.join(dir, 'decisions.json'), opts.corrupt === 'decisions' ? '{"runId":' : JSON.stringify(decisions));
  fs.writeFileSync(path.join(dir, 'slo_results.json'), JSON.stringify(opts.corrupt === 'slo' ? { ...results, verdicts: [{ slo: 'x' }] } : results));
}

describe('reading the baseline runs', () => {
  it('takes the latest N GO runs of the same drill, and says which runs it could not read', () => {
    writeRun('20261101T100000Z-aaaaaa', { p95: 90 });
    writeRun('20261102T100000Z-bbbbbb', { p95: 100 });
    writeRun('20261103T100000Z-cccccc', { p95: 110, decision: 'NO-GO' });
    writeRun('20261104T100000Z-dddddd', { p95: 120, drill: 'another-drill' });
    writeRun('20261105T100000Z-eeeeee', { p95: 105 });
    writeRun('20261106T100000Z-ffffff', { corrupt: 'slo' });
    writeRun('20261107T100000Z-gggggg', { corrupt: 'decisions' });
    writeRun('20261108T100000Z-hhhhhh', { p95: 500 }); // this run itself
    fs.mkdirSync(path.join(appDir, '20261109T100000Z-killed')); // a killed run: no files
    const { runs, skipped } = readBaselineRuns(appDir, 'partner-hub-baseline', { limit: 2, excludeRunId: '20261108T100000Z-hhhhhh' });
    expect(runs.map((r) => r.runId)).toEqual(['20261105T100000Z-eeeeee', '20261102T100000Z-bbbbbb']);
    expect(skipped.map((s) => path.basename(s.dir))).toEqual(['20261107T100000Z-gggggg', '20261106T100000Z-ffffff']);
    expect(skipped[0].problem).toMatch(/decisions\.json: not JSON/);
    expect(skipped[1].problem).toMatch(/slo_results\.json: not valid\n.*verdicts\[0\]\.kind/s);
    expect(skipped[1].problem).toContain('fix: the earlier run directory is incomplete or was edited');
  });

  it('no app directory: no runs', () => {
    expect(readBaselineRuns(path.join(appDir, 'nope'), 'd', { limit: 5 })).toEqual({ runs: [], skipped: [] });
  });
});

describe('comparing with the baseline', () => {
  function runs(p95s: number[], rps = 40) {
    p95s.forEach((p95, i) => writeRun(`2026110${i + 1}T100000Z-run${i}`, { p95, rps }));
    return readBaselineRuns(appDir, 'partner-hub-baseline', { limit: 5 }).runs;
  }

  it('regressed: worse than the median of the GO runs by more than the allowed share', () => {
    const base = runs([100, 90, 110, 300, 95]); // median 100
    const out = compareWithBaseline([v('offers-p95', 'latency', 111), v('tp', 'throughput', 40, 'rps'), v('errors', 'error-rate', 0.5, 'ratio')], base, POLICY);
    expect(out.map((x) => [x.slo, x.reason, x.pass])).toEqual([
      ['baseline:offers-p95', 'regressed', false],
      ['baseline:tp', 'within-baseline', true],
    ]);
    expect(out[0]).toMatchObject({ kind: 'baseline', blocking: false, observed: 111, unit: 'ms', samples: 5, phase: 'steady', request: 'offers' });
    expect(out[0].objective).toBe('no more than 10% above the median of the last 5 GO runs (median 100 ms)');
    expect(out[0].detail).toMatch(/^offers-p95: 111 ms against a baseline median of 100 ms over 5 GO run\(s\) \(\+11%; /);
  });

  it('within: up to the allowed share worse, or better', () => {
    const base = runs([100, 100, 100]);
    expect(compareWithBaseline([v('offers-p95', 'latency', 110)], base, POLICY)[0]).toMatchObject({ reason: 'within-baseline', pass: true });
    expect(compareWithBaseline([v('offers-p95', 'latency', 50)], base, POLICY)[0]).toMatchObject({ reason: 'within-baseline', pass: true });
    // throughput: lower is worse
    expect(compareWithBaseline([v('tp', 'throughput', 35, 'rps')], base, POLICY)[0]).toMatchObject({ reason: 'regressed', pass: false });
    expect(compareWithBaseline([v('tp', 'throughput', 37, 'rps')], base, POLICY)[0]).toMatchObject({ reason: 'within-baseline' });
  });

  it('no previous GO run: one "no baseline" verdict that does not fail', () => {
    const out = compareWithBaseline([v('offers-p95', 'latency', 500)], [], POLICY);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ slo: 'baseline', kind: 'baseline', reason: 'no-baseline', pass: true, observed: null });
    expect(decide([v('offers-p95', 'latency', 500), ...out], []).decision).toBe('GO');
  });

  it('an SLO the earlier runs did not observe has no baseline of its own', () => {
    const base = runs([100]);
    expect(compareWithBaseline([v('new-slo', 'latency', 10)], base, POLICY)[0]).toMatchObject({ slo: 'baseline:new-slo', reason: 'no-baseline', pass: true });
  });

  it('a regression is advisory by default (CONDITIONAL) and blocking when the policy says so (NO-GO)', () => {
    const base = runs([100, 100, 100]);
    const current = v('offers-p95', 'latency', 150);
    expect(decide([current, ...compareWithBaseline([current], base, POLICY)], []).decision).toBe('CONDITIONAL');
    const strict = parsePolicy({ baseline: { severity: 'blocking' } }, 'p.yaml');
    expect(decide([current, ...compareWithBaseline([current], base, strict.baseline)], []).decision).toBe('NO-GO');
    // or per verdict, by name
    const named = parsePolicy({ slos: { 'baseline:offers-p95': 'blocking' } }, 'p.yaml');
    expect(decide([current, ...compareWithBaseline([current], base, named.baseline)], [], { policy: named, now: new Date() }).decision).toBe('NO-GO');
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
