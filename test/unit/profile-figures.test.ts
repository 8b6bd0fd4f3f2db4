// Figures of load profiles: soak drift (first vs last tenth) and the breaking point of a stress ramp.
import { describe, expect, it } from 'vitest';
import { soak, stress } from '../../scenarios/profiles.ts';
import { MetricsAggregator } from '../../src/metrics/aggregate.ts';
import { Drill } from '../../src/schema/drill.ts';
import { profileFigures } from '../../src/judge/profile-figures.ts';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

function metricLines(agg: MetricsAggregator) {
  agg.ingestLine('{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"http_req_duration"}');
  agg.ingestLine('{"type":"Metric","data":{"name":"http_req_failed","type":"rate","contains":"default","thresholds":[],"submetrics":null},"metric":"http_req_failed"}');
  agg.ingestLine('{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}');
}

function request(agg: MetricsAggregator, atMs: number, durationMs: number, failed: boolean) {
  const tags = { phase: 'steady', request: 'r', status: failed ? '503' : '200' };
  const time = new Date(T0 + atMs).toISOString();
  for (const [metric, value] of [
    ['http_reqs', 1],
    ['http_req_duration', durationMs],
    ['http_req_failed', failed ? 1 : 0],
  ] as const) {
    agg.ingestLine(JSON.stringify({ metric, type: 'Point', data: { time, value, tags } }));
  }
}

const slos = (list: unknown[]) =>
  Drill.parse({
    name: 'd',
    app: 'A',
    target: { kind: 'process', service: { name: 's', command: ['x'] } },
    load: { requests: [{ name: 'r', path: '/' }], profiles: [{ profile: 'baseline', rate: 1, duration: '100s' }] },
    slos: list,
  }).slos;

describe('soak drift', () => {
  it('compares the p95 and error rate of the last tenth with the first', () => {
    const agg = new MetricsAggregator();
    metricLines(agg);
    // 100 s soak: 10 req/s; latency grows from 100 ms to 200 ms, errors appear in the last tenth
    for (let s = 0; s < 100; s++) for (let i = 0; i < 10; i++) request(agg, s * 1000 + i * 100, s < 10 ? 100 : s >= 90 ? 200 : 150, s >= 90 && i === 0);
    const [f] = profileFigures([soak({ rate: 10, durationMs: 100_000 })], agg, T0, []);
    expect(f.kind).toBe('soak');
    if (f.kind !== 'soak') return;
    expect(f.first).toMatchObject({ requests: 100, errorRate: 0 });
    expect(f.last).toMatchObject({ requests: 100, errorRate: 0.1 });
    expect(f.p95Drift).toBeCloseTo(1, 2);
    expect(f.errorRateDrift).toBeCloseTo(0.1, 6);
  });

  it('has no drift figures without samples', () => {
    const [f] = profileFigures([soak({ rate: 10, durationMs: 100_000 })], new MetricsAggregator(), T0, []);
    expect(f).toMatchObject({ kind: 'soak', first: null, last: null, p95Drift: null, errorRateDrift: null });
  });
});

describe('stress breaking point', () => {
  // ramp 10 → 110 rps over 100 s; the SUT slows down past 60 rps (after 50 s)
  const profile = stress({ startRate: 10, maxRate: 110, rampMs: 100_000 });
  function ramp(slowAfterS: number | null) {
    const agg = new MetricsAggregator();
    metricLines(agg);
    for (let s = 0; s < 100; s++) {
      const n = 10 + s;
      for (let i = 0; i < n; i++) request(agg, s * 1000 + Math.floor((i * 1000) / n), slowAfterS !== null && s >= slowAfterS ? 900 : 50, false);
    }
    return agg;
  }

  it('reports the rate at which the first whole-run latency SLO broke, per 1-s window', () => {
    const [f] = profileFigures([profile], ramp(50), T0, slos([{ name: 'p95', kind: 'latency', percentile: 95, below: '500ms' }, { name: 'fault-only', kind: 'latency', phase: 'steady', percentile: 95, below: '1ms' }]));
    expect(f).toMatchObject({ kind: 'stress', brokenBy: 'p95', atMs: 50_000, achievedRps: 59, targetRps: 60, maxTargetRps: 110 });
  });

  it('says nothing broke when every window met the SLOs', () => {
    const [f] = profileFigures([profile], ramp(null), T0, slos([{ name: 'p95', kind: 'latency', percentile: 95, below: '500ms' }]));
    expect(f).toMatchObject({ kind: 'stress', brokenBy: null, atMs: null, maxTargetRps: 110 });
  });
});

describe('drift SLO', () => {
  const drill = (slo: Record<string, unknown>) =>
    Drill.parse({
      name: 'd',
      app: 'A',
      target: { kind: 'process', service: { name: 's', command: ['x'] } },
      load: { requests: [{ name: 'r', path: '/' }], profiles: [{ profile: 'soak', rate: 10, duration: '100s' }] },
      slos: [{ name: 'drift', ...slo }],
    });

  it('judges the soak drift against its objective, and no samples as no evidence', async () => {
    const { evaluateSlo } = await import('../../src/judge/evaluate.ts');
    const agg = new MetricsAggregator();
    metricLines(agg);
    for (let s = 0; s < 100; s++) for (let i = 0; i < 10; i++) request(agg, s * 1000 + i * 100, s >= 90 ? 120 : 100, false);
    const profiles = profileFigures([soak({ rate: 10, durationMs: 100_000 })], agg, T0, []);
    const ctx = { metrics: agg, t0: T0, faults: {}, figures: {}, profiles };
    const ok = evaluateSlo(drill({ kind: 'drift', metric: 'latency-p95', atMost: '25%' }).slos[0], ctx);
    expect(ok).toMatchObject({ pass: true, reason: 'met' });
    expect(ok.observed).toBeCloseTo(0.2, 2);
    expect(evaluateSlo(drill({ kind: 'drift', metric: 'latency-p95', atMost: '10%' }).slos[0], ctx)).toMatchObject({ pass: false, reason: 'breached' });
    expect(evaluateSlo(drill({ kind: 'drift', metric: 'error-rate', atMost: '1%' }).slos[0], ctx)).toMatchObject({ pass: true, observed: 0 });
    expect(evaluateSlo(drill({ kind: 'drift', metric: 'error-rate', atMost: '1%' }).slos[0], { ...ctx, profiles: [] })).toMatchObject({ pass: false, reason: 'no-evidence' });
  });

  it('a drift SLO needs a soak profile', () => {
    expect(() =>
      Drill.parse({
        name: 'd',
        app: 'A',
        target: { kind: 'process', service: { name: 's', command: ['x'] } },
        load: { requests: [{ name: 'r', path: '/' }], profiles: [{ profile: 'baseline', rate: 10, duration: '100s' }] },
        slos: [{ name: 'drift', kind: 'drift', metric: 'error-rate', atMost: '1%' }],
      }),
    ).toThrow(/add a \{ profile: soak \} to load.profiles/);
  });
});
