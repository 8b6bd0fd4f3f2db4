import { describe, expect, it } from 'vitest';
import { DrillError } from '../../src/schema/load.ts';
import { SLO_KINDS } from '../../src/schema/drill.ts';
import { evaluateSlo, evaluateSlos, figureKey, requiredFigures, sloThresholds, sutMetricsToCollect, type SloContext } from '../../src/judge/evaluate.ts';
import { recoveryAfter, type SliPoint } from '../../src/judge/recovery.ts';
import { addRequest, drillWith, newAggregator, PHASES, run, slo, slos, T0 } from './slo-fixtures.ts';
import type { MetricsAggregator } from '../../src/metrics/aggregate.ts';

function ctx(metrics: MetricsAggregator, extra: Partial<SloContext> = {}): SloContext {
  return { metrics, t0: T0, faults: { f: { injectedAtMs: 20_000, revertedAtMs: 40_000 } }, figures: {}, phases: PHASES, durationMs: 60_000, ...extra };
}

const REASONS = ['met', 'breached', 'no-evidence', 'never-recovered', 'regressed', 'within-baseline', 'no-baseline'];

describe('availability', () => {
  // 1000 requests in steady, 3 failed; 1000 in fault, 40 failed
  function agg(): MetricsAggregator {
    const a = newAggregator();
    for (let i = 0; i < 1000; i++) addRequest(a, { atMs: i * 10, phase: 'steady', request: i % 2 ? 'offers' : 'webhook', failed: i % 333 === 5 });
    for (let i = 0; i < 1000; i++) addRequest(a, { atMs: 20_000 + i * 10, phase: 'fault', request: 'offers', failed: i % 25 === 0 });
    return a;
  }

  it('is successful / total ≥ objective, success being "not http_req_failed"', () => {
    const a = agg();
    const met = evaluateSlo(slo({ name: 'avail', kind: 'availability', phase: 'steady', objective: '99.5%' }), a);
    expect(met).toMatchObject({ kind: 'availability', pass: true, reason: 'met', observed: 0.997, unit: 'ratio', samples: 1000, objective: 'availability ≥ 99.5%' });
    expect(met.detail).toBe('997 of 1000 requests succeeded = 99.7% (all requests, phase steady)');
    const breached = evaluateSlo(slo({ name: 'avail', kind: 'availability', phase: 'steady', objective: '99.9%' }), a);
    expect(breached).toMatchObject({ pass: false, reason: 'breached', observed: 0.997 });
  });

  it('meets the objective when equal to it, and judges phase and request', () => {
    const a = agg();
    expect(evaluateSlo(slo({ name: 'x', kind: 'availability', phase: 'fault', objective: 0.96 }), a)).toMatchObject({ observed: 0.96, pass: true });
    expect(evaluateSlo(slo({ name: 'x', kind: 'availability', objective: 0.99 }), a)).toMatchObject({ samples: 2000, observed: 0.9785, pass: false });
    expect(evaluateSlo(slo({ name: 'x', kind: 'availability', request: 'webhook', objective: 0.99 }), a)).toMatchObject({ samples: 500, pass: true });
  });

  it('fails without samples', () => {
    expect(evaluateSlo(slo({ name: 'x', kind: 'availability', phase: 'recovery', objective: '99%' }), agg())).toMatchObject({ pass: false, reason: 'no-evidence', observed: null });
  });

  it('"99.9%" is exactly 0.999: 999 of 1000 meets it', () => {
    const s = slo({ name: 'x', kind: 'availability', objective: '99.9%' });
    expect(s).toMatchObject({ objective: 0.999 });
    const a = newAggregator();
    for (let i = 0; i < 1000; i++) addRequest(a, { atMs: i, failed: i === 0 });
    expect(evaluateSlo(s, a)).toMatchObject({ observed: 0.999, pass: true });
  });
});

describe('throughput', () => {
  it('is requests per second over the phase, from its scheduled length', () => {
    const a = run(30, () => ({}));
    const c = ctx(a);
    const v = evaluateSlo(slo({ name: 'tp', kind: 'throughput', phase: 'steady', atLeast: 25 }), c);
    expect(v).toMatchObject({ kind: 'throughput', pass: true, reason: 'met', observed: 30, unit: 'rps', samples: 600, objective: 'throughput ≥ 25 req/s' });
    expect(v.detail).toBe('600 requests in 20 s of the steady phase = 30 req/s (all requests, phase steady)');
    expect(evaluateSlo(slo({ name: 'tp', kind: 'throughput', phase: 'fault', atLeast: 31 }), c)).toMatchObject({ pass: false, reason: 'breached', observed: 30 });
    expect(evaluateSlo(slo({ name: 'tp', kind: 'throughput', atLeast: 30 }), c)).toMatchObject({ pass: true, observed: 30, samples: 1800 });
  });

  it('cannot judge a phase without the phase windows, nor anything without requests', () => {
    const a = run(30, () => ({}));
    expect(evaluateSlo(slo({ name: 'tp', kind: 'throughput', phase: 'steady', atLeast: 1 }), a)).toMatchObject({ pass: false, reason: 'no-evidence' });
    expect(evaluateSlo(slo({ name: 'tp', kind: 'throughput', request: 'webhook', atLeast: 1 }), ctx(a))).toMatchObject({ pass: false, reason: 'no-evidence', samples: 0 });
  });
});

describe('recovery time (pure)', () => {
  const w = (s: number, good: boolean | null): SliPoint => ({ tMs: s * 1000, good });

  it('recovers: the first window of a stretch of good ones that lasts the hold', () => {
    const points = [w(38, false), w(39, false), w(40, false), w(41, false), w(42, true), w(43, true), w(44, true), w(45, true), w(46, true), w(47, true)];
    expect(recoveryAfter(points, 40_000, 5000, 1000)).toEqual({ recovered: true, recoveredAtMs: 42_000, recoveryMs: 2000, relapses: 0 });
    // a revert in the middle of a window: that window counts, recovery is measured from the revert
    expect(recoveryAfter(points, 41_500, 5000, 1000)).toMatchObject({ recovered: true, recoveryMs: 500 });
  });

  it('recovers, relapses within the hold, then recovers for good', () => {
    const points = [w(40, false), w(41, true), w(42, true), w(43, false), w(44, true), w(45, true), w(46, true), w(47, true), w(48, true)];
    expect(recoveryAfter(points, 40_000, 5000, 1000)).toEqual({ recovered: true, recoveredAtMs: 44_000, recoveryMs: 4000, relapses: 1 });
  });

  it('never recovers; recovers too late to hold; relapses at the end', () => {
    const bad = Array.from({ length: 20 }, (_, i) => w(40 + i, false));
    expect(recoveryAfter(bad, 40_000, 5000, 1000)).toMatchObject({ recovered: false, why: 'never-good', relapses: 0 });
    const late = [...bad.slice(0, 17), w(57, true), w(58, true), w(59, true)];
    expect(recoveryAfter(late, 40_000, 5000, 1000)).toMatchObject({ recovered: false, why: 'not-held', lastGoodFromMs: 57_000, lastGoodForMs: 3000 });
    const relapse = [w(40, true), w(41, true), w(42, false)];
    expect(recoveryAfter(relapse, 40_000, 5000, 1000)).toMatchObject({ recovered: false, why: 'relapsed', relapses: 1 });
  });

  it('gaps neither break nor make a stretch; instants (windowMs 0) count from the revert on', () => {
    const gappy = [w(40, false), w(41, true), w(42, null), w(43, null), w(44, true), w(45, true), w(46, true)];
    expect(recoveryAfter(gappy, 40_000, 5000, 1000)).toMatchObject({ recovered: true, recoveryMs: 1000 });
    const readings = [w(39, true), w(40, false), w(41, false), w(42.5, true), w(43, true)];
    expect(recoveryAfter(readings, 40_000, 0, 0)).toMatchObject({ recovered: true, recoveryMs: 2500 });
    expect(recoveryAfter(readings, 40_000, 500, 0)).toMatchObject({ recovered: true, recoveredAtMs: 42_500 });
  });
});

describe('recovery-time SLO on a real aggregator', () => {
  const errSlo = (within = '10s', hold = '5s') => slo({ name: 'rec', kind: 'recovery-time', fault: 'f', sli: { metric: 'error-rate', below: '5%' }, within, hold });

  it('recovers 3 s after the revert (error rate per 1-s window)', () => {
    const a = run(20, (s) => ({ failedShare: s >= 20 && s < 43 ? 0.5 : 0 }));
    const v = evaluateSlo(errSlo(), ctx(a));
    expect(v).toMatchObject({ kind: 'recovery-time', pass: true, reason: 'met', observed: 3000, unit: 'ms', phase: 'all' });
    expect(v.evidence).toEqual(['k6_samples.ndjson.gz', 'chaos_report.json']);
    expect(v.detail).toContain('3 s after fault f was reverted');
    expect(evaluateSlo(errSlo('2s'), ctx(a))).toMatchObject({ pass: false, reason: 'breached', observed: 3000 });
  });

  it('a relapse within the hold restarts the clock', () => {
    const a = run(20, (s) => ({ failedShare: (s >= 20 && s < 42) || s === 45 ? 0.5 : 0 }));
    expect(evaluateSlo(errSlo('10s'), ctx(a))).toMatchObject({ pass: true, observed: 6000 });
    expect(evaluateSlo(errSlo('5s'), ctx(a))).toMatchObject({ pass: false, reason: 'breached', observed: 6000 });
    // with a 2-s hold the first stretch (42–44) was long enough
    expect(evaluateSlo(errSlo('5s', '2s'), ctx(a))).toMatchObject({ pass: true, observed: 2000 });
  });

  it('never recovers → failed, "never-recovered"', () => {
    const a = run(20, (s) => ({ failedShare: s >= 20 ? 0.5 : 0 }));
    const v = evaluateSlo(errSlo('60s'), ctx(a));
    expect(v).toMatchObject({ pass: false, reason: 'never-recovered', observed: null });
    expect(v.detail).toMatch(/never within objective after the revert/);
    // good only for the last 3 s: shorter than the hold
    const late = run(20, (s) => ({ failedShare: s >= 20 && s < 57 ? 0.5 : 0 }));
    expect(evaluateSlo(errSlo('60s'), ctx(late))).toMatchObject({ pass: false, reason: 'never-recovered' });
  });

  it('on a latency percentile per window', () => {
    const a = run(20, (s) => ({ durationMs: s >= 20 && s < 44 ? 600 : 40 }));
    const v = evaluateSlo(slo({ name: 'rec', kind: 'recovery-time', fault: 'f', sli: { metric: 'latency', percentile: 95, below: '250ms' }, within: '5s' }), ctx(a));
    expect(v).toMatchObject({ pass: true, observed: 4000 });
    expect(v.objective).toBe('p(95) < 250 ms per 1-s window within 5 s of fault f reverted, held 5 s');
  });

  it('without evidence: fault unknown, not injected, not reverted, no samples after the revert', () => {
    const a = run(20, () => ({}), 30);
    expect(evaluateSlo(errSlo(), ctx(a, { faults: {} }))).toMatchObject({ reason: 'no-evidence', pass: false, detail: "fault f is not in the run's fault records" });
    expect(evaluateSlo(errSlo(), ctx(a, { faults: { f: { injectedAtMs: null, revertedAtMs: null } } }))).toMatchObject({ reason: 'no-evidence', detail: 'fault f was never injected' });
    expect(evaluateSlo(errSlo(), ctx(a, { faults: { f: { injectedAtMs: 20_000, revertedAtMs: null } } }))).toMatchObject({ reason: 'no-evidence', detail: 'fault f was never reverted' });
    expect(evaluateSlo(errSlo(), ctx(a))).toMatchObject({ reason: 'no-evidence', pass: false });
  });
});

describe('backlog-drain', () => {
  const drain = (within: string) => slo({ name: 'drain', kind: 'backlog-drain', fault: 'f', metric: 'queue_depth', atMost: 10, within });
  // depth 0 in steady, 500 in the fault, draining 100 per second from the revert at 40 s
  const series = Array.from({ length: 60 }, (_, s) => ({ timeMs: s * 1000 + 200, value: s < 20 ? 0 : s < 40 ? 500 : Math.max(0, 500 - (s - 39) * 100) }));

  it('is the time from the revert until the SUT metric is back at or under the threshold', () => {
    const c = ctx(newAggregator(), { series: { queue_depth: series } });
    const v = evaluateSlo(drain('10s'), c);
    // 500 - (44-39)*100 = 0 at 44.2 s
    expect(v).toMatchObject({ kind: 'backlog-drain', pass: true, reason: 'met', observed: 4200, unit: 'ms' });
    expect(v.detail).toContain('peak after revert 400');
    expect(evaluateSlo(drain('4s'), c)).toMatchObject({ pass: false, reason: 'breached' });
  });

  it('never drains → never-recovered; no readings → no-evidence', () => {
    const stuck = series.map((p) => ({ ...p, value: p.timeMs > 20_000 ? 500 : 0 }));
    expect(evaluateSlo(drain('10s'), ctx(newAggregator(), { series: { queue_depth: stuck } }))).toMatchObject({ pass: false, reason: 'never-recovered' });
    expect(evaluateSlo(drain('10s'), ctx(newAggregator()))).toMatchObject({ pass: false, reason: 'no-evidence', detail: 'no readings of queue_depth from /metrics' });
  });

  it('tells the orchestrator what to poll', () => {
    expect(sutMetricsToCollect([drain('10s'), slo({ name: 'x', kind: 'latency', percentile: 95, below: '1s' })])).toEqual([{ path: '/metrics', metric: 'queue_depth' }]);
  });
});

describe('journal and chaos figures', () => {
  const list = slos([
    { name: 'backoff', kind: 'journal', figure: 'backoff-compliance', atLeast: '95%', backoff: { base: '50ms', cap: '400ms', jitter: 'full', maxAttempts: 4 } },
    { name: 'forged', kind: 'journal', figure: 'forged-accepted', partner: 'acme' },
    { name: 'idem', kind: 'journal', figure: 'idempotency-violations', atMost: 2 },
    { name: 'failover', kind: 'chaos', figure: 'broker-failover-time', within: '30s' },
    { name: 'loss', kind: 'chaos', figure: 'message-loss', fault: 'f', atMost: 0 },
  ]);

  it('compares each figure with its objective (counts default to "none")', () => {
    const figures = {
      'journal/backoff-compliance': 0.97,
      'journal/acme/forged-accepted': 1,
      'journal/idempotency-violations': 2,
      'chaos/broker-failover-time': 12_400,
      'chaos/f/message-loss': 3,
    };
    const v = evaluateSlos(list, ctx(newAggregator(), { figures }));
    expect(v.map((x) => [x.slo, x.pass, x.reason, x.observed, x.unit])).toEqual([
      ['backoff', true, 'met', 0.97, 'ratio'],
      ['forged', false, 'breached', 1, 'count'],
      ['idem', true, 'met', 2, 'count'],
      ['failover', true, 'met', 12_400, 'ms'],
      ['loss', false, 'breached', 3, 'count'],
    ]);
    expect(v[0].objective).toBe('backoff-compliance ≥ 95%');
    expect(v[1].objective).toBe('forged-accepted ≤ 0');
    expect(v[3].objective).toBe('broker-failover-time ≤ 30 s');
    expect(v[0].evidence).toEqual(['simulator_journal.ndjson']);
    expect(v[4].evidence).toEqual(['chaos_report.json']);
  });

  it('a missing figure, or one the analysis could not tell, is no evidence', () => {
    const v = evaluateSlos(list, ctx(newAggregator(), { figures: { 'journal/backoff-compliance': null } }));
    expect(v.every((x) => !x.pass && x.reason === 'no-evidence')).toBe(true);
    expect(v[0].detail).toBe('the journal analysis could not tell backoff-compliance');
    expect(v[1].detail).toBe('no forged-accepted figure from the journal analysis (partner acme) (journal/acme/forged-accepted)');
  });

  it('names the figures the orchestrator must compute', () => {
    expect(requiredFigures(list).map((f) => f.key)).toEqual(['journal/backoff-compliance', 'journal/acme/forged-accepted', 'journal/idempotency-violations', 'chaos/broker-failover-time', 'chaos/f/message-loss']);
    expect(figureKey(list[1] as Extract<(typeof list)[number], { kind: 'journal' }>)).toBe('journal/acme/forged-accepted');
  });
});

describe('the SLO schema', () => {
  function problems(list: unknown[]): string[] {
    try {
      drillWith(list);
      return [];
    } catch (err) {
      if (err instanceof DrillError) return err.problems;
      throw err;
    }
  }

  it('accepts every kind, with defaults', () => {
    const all = slos([
      { name: 'a', kind: 'latency', percentile: 95, below: '250ms' },
      { name: 'b', kind: 'error-rate', below: '1%' },
      { name: 'c', kind: 'availability', objective: '99.9%' },
      { name: 'd', kind: 'throughput', atLeast: 8 },
      { name: 'e', kind: 'recovery-time', fault: 'f', sli: { metric: 'error-rate', below: '1%' }, within: '30s' },
      { name: 'g', kind: 'error-budget-burn', objective: '99.9%', maxBurn: '15%' },
      { name: 'h', kind: 'backlog-drain', fault: 'f', metric: 'queue_depth', atMost: 0, within: '4m' },
      { name: 'i', kind: 'journal', figure: 'valid-rejected' },
      { name: 'j', kind: 'chaos', figure: 'message-loss', atMost: 0 },
      { name: 'k', kind: 'prometheus', query: 'sum(rate(http_requests_total{code=~"5.."}[30s]))', atMost: 0.5 },
    ]);
    // drift needs a soak profile: test/unit/profile-figures.test.ts
    expect(all.map((s) => s.kind)).toEqual(SLO_KINDS.filter((k) => k !== 'drift'));
    expect(all[4]).toMatchObject({ hold: 5000, within: 30_000, severity: 'blocking' });
    expect(all[5]).toMatchObject({ objective: 0.999, maxBurn: 0.15, period: 30 * 86_400_000 });
    expect(all[6]).toMatchObject({ path: '/metrics', hold: 0, within: 240_000 });
  });

  it('says what is wrong, where, and how to fix it', () => {
    expect(problems([{ name: 'r', kind: 'recovery-time', fault: 'nope', sli: { metric: 'error-rate', below: '1%' }, within: '30s' }])).toEqual(['slos[0].fault: no fault named "nope" in faults (f)']);
    expect(problems([{ name: 'j', kind: 'journal', figure: 'backoff-compliance' }])).toEqual([
      "slos[0].backoff: backoff-compliance is judged against the SUT's retry policy: give backoff {base, cap, jitter, maxAttempts}",
      'slos[0].atLeast: backoff-compliance is a share of retries: give its objective, e.g. atLeast: "99%"',
    ]);
    expect(problems([{ name: 'j', kind: 'journal', figure: 'forged-accepted', partner: 'globex' }])).toEqual(['slos[0].partner: no partner named "globex": add it under partners']);
    expect(problems([{ name: 'c', kind: 'chaos', figure: 'broker-failover-time' }])).toEqual(['slos[0].within: give the broker-failover-time objective as a duration, e.g. within: "30s"']);
    expect(problems([{ name: 'g', kind: 'error-budget-burn', objective: '100%', maxBurn: '15%' }])).toEqual(['slos[0].objective: an objective of 100% leaves no error budget to burn: write e.g. "99.9%"']);
    expect(problems([{ name: 'g', kind: 'error-budget-burn', objective: '99.9%', maxBurn: 'lots' }])).toEqual(['slos[0].maxBurn: "lots" is not a share of the error budget: write a number (0.15) or a percentage ("15%")']);
    expect(problems([{ name: 'h', kind: 'backlog-drain', fault: 'f', metric: 'queue depth', atMost: 0, within: '4m' }])).toEqual(['slos[0].metric: use a Prometheus metric name, e.g. "queue_depth"']);
    expect(
      problems([
        { name: 'a', kind: 'availability', objective: '99%' },
        { name: 'a', kind: 'availability', objective: '99.9%' },
      ]),
    ).toEqual(['slos[1].name: SLO names must be unique: "a" is also slos[0].name: rename one of them']);
  });

  it('every verdict has a reason code', () => {
    const list = slos([
      { name: 'a', kind: 'latency', percentile: 95, below: '250ms' },
      { name: 'c', kind: 'availability', objective: '99.9%' },
      { name: 'e', kind: 'recovery-time', fault: 'f', sli: { metric: 'error-rate', below: '1%' }, within: '30s' },
      { name: 'g', kind: 'error-budget-burn', objective: '99.9%', maxBurn: '15%' },
      { name: 'i', kind: 'journal', figure: 'valid-rejected' },
    ]);
    for (const v of [...evaluateSlos(list, newAggregator()), ...evaluateSlos(list, ctx(run(10, () => ({}))))]) {
      expect(REASONS).toContain(v.reason);
      expect(v.detail.length).toBeGreaterThan(0);
    }
  });

  it('latency thresholds for the aggregator come from the latency SLOs', () => {
    expect(sloThresholds(slos([{ name: 'a', kind: 'latency', percentile: 95, below: '250ms' }, { name: 'c', kind: 'availability', objective: '99%' }]))).toEqual([{ metric: 'http_req_duration', below: 250 }]);
  });
});

describe('a latency SLO with its threshold counted is exact at the threshold', () => {
  const p95 = slo({ name: 'p95', kind: 'latency', percentile: 95, below: '100ms' });

  it('every sample just below the objective: met (the histogram bucket alone says 100.031 ms)', () => {
    const a = newAggregator({ thresholds: sloThresholds([p95]) });
    for (let i = 0; i < 100; i++) addRequest(a, { atMs: i * 10, phase: 'steady', request: 'offers', durationMs: 99.98 });
    const v = evaluateSlo(p95, a);
    expect(v).toMatchObject({ pass: true, reason: 'met' });
    expect(v.observed!).toBeLessThan(100);
    // without the threshold the histogram's bucket top is all there is
    const b = newAggregator();
    for (let i = 0; i < 100; i++) addRequest(b, { atMs: i * 10, phase: 'steady', request: 'offers', durationMs: 99.98 });
    expect(evaluateSlo(p95, b).observed!).toBeGreaterThanOrEqual(100);
  });

  it('the rank-th sample at or just above the objective: breached', () => {
    for (const over of [100, 100.01]) {
      const a = newAggregator({ thresholds: sloThresholds([p95]) });
      // 94 samples below, 6 at/above: the 95th is above
      for (let i = 0; i < 100; i++) addRequest(a, { atMs: i * 10, durationMs: i < 94 ? 99.98 : over });
      expect(evaluateSlo(p95, a), `${over}`).toMatchObject({ pass: false, reason: 'breached' });
      const b = newAggregator({ thresholds: sloThresholds([p95]) });
      for (let i = 0; i < 100; i++) addRequest(b, { atMs: i * 10, durationMs: i < 95 ? 99.98 : over });
      expect(evaluateSlo(p95, b)).toMatchObject({ pass: true });
    }
  });
});
