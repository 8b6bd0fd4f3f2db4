import { describe, expect, it } from 'vitest';
import { decide, EXIT_CODES, type RunProblem } from '../../src/judge/decide.ts';
import { parseDrill } from '../../src/schema/load.ts';
import { MetricsAggregator } from '../../src/metrics/aggregate.ts';
import type { Slo } from '../../src/schema/drill.ts';
import { sloThresholds, evaluateSlo, evaluateSlos, type Verdict } from '../../src/judge/evaluate.ts';

const T = '2026-11-23T19:14:18.749096413Z';

function verdict(slo: string, pass: boolean, blocking: boolean): Verdict {
  return {
    slo,
    kind: 'latency',
    phase: 'steady',
    request: 'offers',
    objective: 'p(95) < 250 ms',
    observed: pass ? 120 : 400,
    unit: 'ms',
    samples: 1000,
    pass,
    blocking,
    reason: pass ? 'met' : 'breached',
    detail: `p(95) = ${pass ? 120 : 400} ms over 1000 requests (request offers, phase steady)`,
    evidence: ['k6_samples.ndjson.gz'],
  };
}

/** SLOs as the drill schema produces them (durations in ms, ratios as numbers, defaults filled). */
function slos(list: unknown[]): Slo[] {
  return parseDrill(
    {
      name: 'd',
      app: 'APP2',
      target: { kind: 'process', service: { name: 'svc', command: ['node', 'x.mjs'] } },
      load: {
        profiles: [{ profile: 'baseline', rate: 10, duration: '60s' }],
        requests: [
          { name: 'offers', path: '/offers' },
          { name: 'webhook', path: '/webhook' },
        ],
      },
      faults: [{ name: 'f', action: 'down', target: 'svc', at: '20s', duration: '20s' }],
      slos: list,
    },
    'decision-test.yaml',
  ).slos;
}
const slo = (s: unknown): Slo => slos([s])[0];

function metricLines(agg: MetricsAggregator) {
  agg.ingestLine('{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"http_req_duration"}');
  agg.ingestLine('{"type":"Metric","data":{"name":"http_req_failed","type":"rate","contains":"default","thresholds":[],"submetrics":null},"metric":"http_req_failed"}');
  agg.ingestLine('{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}');
}

/** One request: its duration, whether it failed, with phase/request tags. */
function request(agg: MetricsAggregator, phase: string, name: string, durationMs: number, failed: boolean) {
  const tags = { phase, request: name, status: failed ? '503' : '200' };
  for (const [metric, value] of [
    ['http_reqs', 1],
    ['http_req_duration', durationMs],
    ['http_req_failed', failed ? 1 : 0],
  ] as const) {
    agg.ingestLine(JSON.stringify({ metric, type: 'Point', data: { time: T, value, tags } }));
  }
}

describe('decide', () => {
  it('is GO with exit code 0 when every SLO passes', () => {
    const d = decide([verdict('a', true, true), verdict('b', true, false)], []);
    expect(d.decision).toBe('GO');
    expect(d.exitCode).toBe(0);
    expect(d.invalid).toBe(false);
    expect(d.reasons).toEqual(['all 2 SLOs met']);
    expect(d.verdicts.map((v) => v.slo)).toEqual(['a', 'b']);
    expect(d.problems).toEqual([]);
  });

  it('is NO-GO with exit code 1 when a blocking SLO fails, naming it', () => {
    const d = decide([verdict('a', true, true), verdict('offers-p95', false, true), verdict('adv', true, false)], []);
    expect(d.decision).toBe('NO-GO');
    expect(d.exitCode).toBe(1);
    expect(d.invalid).toBe(false);
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toBe('blocking SLO offers-p95 breached: p(95) = 400 ms over 1000 requests (request offers, phase steady); objective p(95) < 250 ms');
  });

  it('is NO-GO when blocking and advisory SLOs fail, listing blocking ones first', () => {
    const d = decide([verdict('adv', false, false), verdict('blk', false, true)], []);
    expect(d.decision).toBe('NO-GO');
    expect(d.exitCode).toBe(1);
    expect(d.reasons.map((r) => r.split(' ').slice(0, 3).join(' '))).toEqual(['blocking SLO blk', 'advisory SLO adv']);
  });

  it('is CONDITIONAL with exit code 2 when only advisory SLOs fail', () => {
    const d = decide([verdict('a', true, true), verdict('adv-1', false, false), verdict('adv-2', false, false)], []);
    expect(d.decision).toBe('CONDITIONAL');
    expect(d.exitCode).toBe(2);
    expect(d.reasons).toHaveLength(2);
    expect(d.reasons[0]).toMatch(/^advisory SLO adv-1 breached: /);
    expect(d.reasons[1]).toMatch(/^advisory SLO adv-2 breached: /);
    expect(d.reasons.join('\n')).not.toContain('all');
  });

  it('is NO-GO when the run had a problem, even with every SLO met, and says why', () => {
    const problems: RunProblem[] = [{ code: 'fault-not-reverted', message: 'toxic gameday-hub-latency is still on proxy r0' }];
    const d = decide([verdict('a', true, true), verdict('b', true, false)], problems);
    expect(d.decision).toBe('NO-GO');
    expect(d.exitCode).toBe(1);
    expect(d.invalid).toBe(true);
    expect(d.problems).toEqual(problems);
    expect(d.reasons).toEqual(['invalid run (fault-not-reverted): toxic gameday-hub-latency is still on proxy r0']);
  });

  it('is NO-GO when the run had a problem and only advisory SLOs failed', () => {
    const d = decide([verdict('adv', false, false)], [{ code: 'k6-crashed', message: 'k6 exited with code 107' }]);
    expect(d.decision).toBe('NO-GO');
    expect(d.invalid).toBe(true);
    expect(d.reasons[0]).toBe('invalid run (k6-crashed): k6 exited with code 107');
    expect(d.reasons[1]).toMatch(/^advisory SLO adv /);
  });

  it('lists every problem', () => {
    const d = decide([], [
      { code: 'interrupted', message: 'SIGINT' },
      { code: 'k6-crashed', message: 'exit 1' },
    ]);
    expect(d.reasons.slice(0, 2)).toEqual(['invalid run (interrupted): SIGINT', 'invalid run (k6-crashed): exit 1']);
  });

  it('is NO-GO without any verdict: nothing was judged', () => {
    const d = decide([], []);
    expect(d.decision).toBe('NO-GO');
    expect(d.exitCode).toBe(1);
    expect(d.invalid).toBe(false);
    expect(d.reasons).toEqual(['no SLO verdicts: nothing was judged']);
  });

  it('copies its inputs', () => {
    const verdicts = [verdict('a', true, true)];
    const problems: RunProblem[] = [];
    const d = decide(verdicts, problems);
    verdicts.push(verdict('b', false, true));
    problems.push({ code: 'x', message: 'y' });
    expect(d.verdicts).toHaveLength(1);
    expect(d.problems).toHaveLength(0);
  });

  it('exit codes are the documented ones', () => {
    expect(EXIT_CODES).toEqual({ GO: 0, 'NO-GO': 1, CONDITIONAL: 2, INVALID_DRILL: 3 });
  });
});

describe('evaluateSlo', () => {
  it('fails with "no-evidence" when there are no samples at all', () => {
    const agg = new MetricsAggregator();
    metricLines(agg);
    const lat = evaluateSlo(slo({ name: 'p95', kind: 'latency', request: 'offers', phase: 'steady', percentile: 95, below: '250ms' }), agg);
    expect(lat).toMatchObject({ pass: false, reason: 'no-evidence', observed: null, samples: 0, unit: 'ms', blocking: true });
    expect(lat.detail).toBe('no http_req_duration samples (request offers, phase steady)');
    const err = evaluateSlo(slo({ name: 'errors', kind: 'error-rate', phase: 'fault', below: '2%' }), agg);
    expect(err).toMatchObject({ pass: false, reason: 'no-evidence', observed: null, samples: 0, unit: 'ratio' });
    expect(err.detail).toBe('no http_req_failed samples (all requests, phase fault)');
  });

  it('fails with "no-evidence" when only other phases have samples', () => {
    const agg = new MetricsAggregator();
    metricLines(agg);
    for (let i = 0; i < 50; i++) request(agg, 'steady', 'offers', 10, false);
    const v = evaluateSlo(slo({ name: 'p95-fault', kind: 'latency', phase: 'fault', percentile: 95, below: '1s' }), agg);
    expect(v.pass).toBe(false);
    expect(v.reason).toBe('no-evidence');
    // and a no-evidence blocking SLO makes the decision NO-GO
    expect(decide([v], []).decision).toBe('NO-GO');
  });

  describe('latency', () => {
    // offers in steady: 100 requests of 1..100 ms → p(95) = 95 ms
    function agg100(): MetricsAggregator {
      const agg = new MetricsAggregator();
      metricLines(agg);
      for (let i = 1; i <= 100; i++) request(agg, 'steady', 'offers', i, false);
      for (let i = 1; i <= 100; i++) request(agg, 'steady', 'webhook', 1000 + i, false);
      for (let i = 1; i <= 100; i++) request(agg, 'fault', 'offers', 500 + i, false);
      return agg;
    }

    it('is met when the percentile is below the objective, with the observed value', () => {
      const v = evaluateSlo(slo({ name: 'offers-p95', kind: 'latency', request: 'offers', phase: 'steady', percentile: 95, below: '100ms' }), agg100());
      expect(v).toMatchObject({
        slo: 'offers-p95',
        kind: 'latency',
        phase: 'steady',
        request: 'offers',
        objective: 'p(95) < 100 ms',
        unit: 'ms',
        samples: 100,
        pass: true,
        blocking: true,
        reason: 'met',
        evidence: ['k6_samples.ndjson.gz'],
      });
      expect(v.observed).toBeCloseTo(95, 1);
      expect(v.detail).toBe('p(95) = 95 ms over 100 requests (request offers, phase steady)');
    });

    it('is breached when the percentile reaches the objective', () => {
      const v = evaluateSlo(slo({ name: 'offers-p95', kind: 'latency', request: 'offers', phase: 'steady', percentile: 95, below: '90ms' }), agg100());
      expect(v.pass).toBe(false);
      expect(v.reason).toBe('breached');
      expect(v.observed).toBeCloseTo(95, 1);
      expect(v.objective).toBe('p(95) < 90 ms');
    });

    it('is breached when the percentile equals the objective (strictly below is required)', () => {
      const agg = new MetricsAggregator();
      metricLines(agg);
      // below 2.048 ms the histogram is exact to the microsecond
      for (let i = 0; i < 20; i++) request(agg, 'steady', 'offers', 1.5, false);
      const v = evaluateSlo(slo({ name: 'eq', kind: 'latency', percentile: 50, below: 1.5 }), agg);
      expect(v.observed).toBe(1.5);
      expect(v.pass).toBe(false);
      expect(v.reason).toBe('breached');
      const justAbove = evaluateSlo(slo({ name: 'eq', kind: 'latency', percentile: 50, below: 1.501 }), agg);
      expect(justAbove.pass).toBe(true);
    });

    // The histogram alone reports the top of the bucket a sample falls in (up to 0.1% above it):
    // 99.98 ms is recorded as 99980 µs, whose bucket [99968, 100031] reads 100.031 ms ≥ 100 ms.
    // Runs and `gameday ingest` therefore count every SLO threshold exactly (sloThresholds), and
    // the verdict agrees with k6's own threshold, computed from the raw samples.
    it('is met when every sample is below the objective, with the threshold counted as runs do', () => {
      const latency = slo({ name: 'p95', kind: 'latency', percentile: 95, below: '100ms' });
      const agg = new MetricsAggregator({ thresholds: sloThresholds([latency]) });
      metricLines(agg);
      for (let i = 0; i < 100; i++) request(agg, 'steady', 'offers', 99.98, false);
      const v = evaluateSlo(latency, agg);
      expect(v.pass).toBe(true);
      expect(v.observed).toBeLessThan(100);
      // the histogram alone would have judged it breached
      const bare = new MetricsAggregator();
      metricLines(bare);
      for (let i = 0; i < 100; i++) request(bare, 'steady', 'offers', 99.98, false);
      expect(evaluateSlo(latency, bare).pass).toBe(false);
    });

    it('judges the phase and request of the SLO only', () => {
      const agg = agg100();
      const fault = evaluateSlo(slo({ name: 'f', kind: 'latency', request: 'offers', phase: 'fault', percentile: 50, below: '1s' }), agg);
      expect(fault.observed).toBeCloseTo(550, 0);
      expect(fault.samples).toBe(100);
      const steady = evaluateSlo(slo({ name: 's', kind: 'latency', phase: 'steady', percentile: 50, below: '1s' }), agg);
      expect(steady.samples).toBe(200);
      expect(steady.observed).toBeCloseTo(100, 0);
      expect(steady.request).toBeNull();
      expect(steady.detail).toContain('(all requests, phase steady)');
      const whole = evaluateSlo(slo({ name: 'w', kind: 'latency', percentile: 99, below: '2s' }), agg);
      expect(whole.samples).toBe(300);
      expect(whole.phase).toBe('all');
      expect(whole.detail).toContain('(all requests, whole run)');
      // p(99) of 300 samples is the 297th: webhook 1097 ms (within the histogram's 0.1%)
      expect(Math.abs(whole.observed! - 1097)).toBeLessThanOrEqual(1097 * 0.001 + 0.001);
    });

    it('an advisory SLO is not blocking', () => {
      const v = evaluateSlo(slo({ name: 'adv', kind: 'latency', percentile: 95, below: '10ms', severity: 'advisory' }), agg100());
      expect(v.blocking).toBe(false);
      expect(v.pass).toBe(false);
      expect(decide([v], []).decision).toBe('CONDITIONAL');
    });
  });

  describe('error-rate', () => {
    function agg(): MetricsAggregator {
      const a = new MetricsAggregator();
      metricLines(a);
      // steady: 1 of 200 failed; fault: 15 of 300 failed (5%); recovery: 0 of 100
      for (let i = 0; i < 200; i++) request(a, 'steady', i % 2 ? 'offers' : 'webhook', 10, i === 7);
      for (let i = 0; i < 300; i++) request(a, 'fault', i % 3 ? 'offers' : 'webhook', 10, i % 20 === 0);
      for (let i = 0; i < 100; i++) request(a, 'recovery', 'offers', 10, false);
      return a;
    }

    it('computes the share of failed requests of the phase', () => {
      const v = evaluateSlo(slo({ name: 'errors-during-fault', kind: 'error-rate', phase: 'fault', below: '2%' }), agg());
      expect(v).toMatchObject({
        kind: 'error-rate',
        phase: 'fault',
        request: null,
        objective: 'error rate < 2%',
        observed: 0.05,
        unit: 'ratio',
        samples: 300,
        pass: false,
        reason: 'breached',
      });
      expect(v.detail).toBe('15 of 300 requests failed = 5% (all requests, phase fault)');
    });

    it('is met below the objective', () => {
      const a = agg();
      const steady = evaluateSlo(slo({ name: 's', kind: 'error-rate', phase: 'steady', below: '1%' }), a);
      expect(steady).toMatchObject({ observed: 0.005, samples: 200, pass: true, reason: 'met', objective: 'error rate < 1%' });
      const recovery = evaluateSlo(slo({ name: 'r', kind: 'error-rate', phase: 'recovery', below: 0.001 }), a);
      expect(recovery).toMatchObject({ observed: 0, samples: 100, pass: true, reason: 'met', objective: 'error rate < 0.1%' });
    });

    it('is breached when the rate equals the objective', () => {
      const v = evaluateSlo(slo({ name: 's', kind: 'error-rate', phase: 'fault', below: '5%' }), agg());
      expect(v.observed).toBe(0.05);
      expect(v.pass).toBe(false);
    });

    it('restricts to a request when asked, and to the whole run without a phase', () => {
      const a = agg();
      // fault webhook: i % 3 === 0 and i % 20 === 0 → i multiple of 60: 0, 60, ..., 240 → 5 of 100
      const wh = evaluateSlo(slo({ name: 'wh', kind: 'error-rate', phase: 'fault', request: 'webhook', below: '10%' }), a);
      expect(wh).toMatchObject({ samples: 100, observed: 0.05, pass: true });
      const whole = evaluateSlo(slo({ name: 'all', kind: 'error-rate', below: '3%' }), a);
      expect(whole).toMatchObject({ samples: 600, observed: round6(16 / 600), pass: true, phase: 'all' });
      expect(whole.detail).toBe('16 of 600 requests failed = 2.667% (all requests, whole run)');
    });
  });

  it('evaluateSlos keeps the order of the SLOs and feeds decide', () => {
    const a = new MetricsAggregator();
    metricLines(a);
    for (let i = 1; i <= 100; i++) request(a, 'steady', 'offers', i, false);
    for (let i = 1; i <= 100; i++) request(a, 'fault', 'offers', 10 * i, i <= 10);
    for (let i = 1; i <= 100; i++) request(a, 'recovery', 'offers', i, false);
    const list = slos([
      { name: 'steady-p95', kind: 'latency', phase: 'steady', percentile: 95, below: '250ms' },
      { name: 'fault-errors', kind: 'error-rate', phase: 'fault', below: '2%', severity: 'advisory' },
      { name: 'recovery-errors', kind: 'error-rate', phase: 'recovery', below: '1%' },
    ]);
    const verdicts = evaluateSlos(list, a);
    expect(verdicts.map((v) => [v.slo, v.pass, v.reason])).toEqual([
      ['steady-p95', true, 'met'],
      ['fault-errors', false, 'breached'],
      ['recovery-errors', true, 'met'],
    ]);
    const d = decide(verdicts, []);
    expect(d.decision).toBe('CONDITIONAL');
    expect(d.exitCode).toBe(2);
    expect(d.reasons).toEqual(['advisory SLO fault-errors breached: 10 of 100 requests failed = 10% (all requests, phase fault); objective error rate < 2%']);
  });
});

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
