// Guards: the schema, the pure judging of a reading (window, PromQL, HTTP), the watch over a real
// aggregator (grace period, one trip), the decision a trip makes, and the mark on the report.
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/judge/decide.ts';
import { loadDelivery } from '../../src/judge/load-delivery.ts';
import { planDrill } from '../../src/plan/plan.ts';
import { firstErrorRateCrossing, guardReason, judgeHttp, judgePrometheus, judgeWindow, windowSeconds } from '../../src/judge/guard.ts';
import { renderReport } from '../../src/report/html.ts';
import { GuardWatch, windowFigures, type GuardEvaluation } from '../../src/run/guards.ts';
import { DrillError } from '../../src/schema/load.ts';
import type { Guard, GuardWindow } from '../../src/schema/guards.ts';
import { finishedRun } from './report-fixture.ts';
import { addRequest, drillWith, newAggregator, T0 } from './slo-fixtures.ts';

const SLOS = [{ name: 'e', kind: 'error-rate', below: '1%' }];
const guards = (list: unknown[], extra: Record<string, unknown> = {}): Guard[] => drillWith(SLOS, { guards: list, ...extra }).guards;
const issues = (list: unknown[], extra: Record<string, unknown> = {}): string => {
  try {
    guards(list, extra);
  } catch (err) {
    if (err instanceof DrillError) return err.message;
    throw err;
  }
  throw new Error('the drill was valid');
};
const errorWindow = (w: Record<string, unknown> = {}) => guards([{ name: 'g', window: { metric: 'error-rate', above: '50%', ...w } }])[0].window as Extract<GuardWindow, { metric: 'error-rate' }>;

describe('guards: the schema', () => {
  it('reads each kind, with defaults', () => {
    const [w, p, h] = guards(
      [
        { name: 'errors', gracePeriod: '10s', window: { metric: 'error-rate', over: '5s', above: '20%' } },
        { name: 'server-5xx', prometheus: { query: 'sum(rate(http_requests_total{code=~"5.."}[10s]))', above: 5 } },
        { name: 'health', http: { path: '/healthz', within: '300ms' } },
      ],
      { telemetry: { prometheus: { managed: true } } },
    );
    expect(w).toEqual({ name: 'errors', gracePeriod: 10_000, window: { metric: 'error-rate', over: 5000, above: 0.2, minSamples: 10 } });
    expect(p.gracePeriod).toBe(0);
    expect(h.http).toEqual({ path: '/healthz', status: 200, within: 300 });
    expect(drillWith(SLOS).guards).toEqual([]);
  });

  it('refuses a guard that watches nothing or two things, duplicate names, unknown keys', () => {
    expect(issues([{ name: 'g' }])).toMatch(/guards\[0\].*say what the guard watches: window, prometheus or http/s);
    expect(issues([{ name: 'g', window: { metric: 'error-rate', above: 0.5 }, http: { path: '/h' } }])).toMatch(/guards\[0\]\.http.*watches one thing/s);
    expect(issues([{ name: 'g', window: { metric: 'error-rate', above: 0.5 } }, { name: 'g', http: { path: '/h' } }])).toMatch(/guards\[1\]\.name.*"g" is also guards\[0\]\.name/s);
    expect(issues([{ name: 'g', grace: '1s', http: { path: '/h' } }])).toMatch(/guards\[0\]\.grace/);
    expect(issues([{ name: 'g', window: { metric: 'error-rate', above: '150%' } }])).toMatch(/guards\[0\]\.window\.above.*not a ratio/s);
  });

  it('checks what the guard needs from the drill: the request, a Prometheus, loopback', () => {
    expect(issues([{ name: 'g', window: { metric: 'error-rate', above: 0.5, request: 'ofers' } }])).toMatch(/guards\[0\]\.window\.request.*no request named "ofers"/s);
    expect(issues([{ name: 'g', prometheus: { query: 'up', below: 1 } }])).toMatch(/guards\[0\]\.prometheus.*add telemetry\.prometheus/s);
    expect(issues([{ name: 'g', prometheus: { query: 'up', below: 1, above: 2 } }], { telemetry: { prometheus: { managed: true } } })).toMatch(/exactly one bound/);
    expect(issues([{ name: 'g', http: { url: 'http://example.com/health' } }])).toMatch(/guards\[0\]\.http\.url.*not on loopback/s);
    expect(issues([{ name: 'g', http: { url: 'http://127.0.0.1:1/h', path: '/h' } }])).toMatch(/give url or path, not both/);
  });
});

describe('guards: judging a reading', () => {
  it('a window\'s error rate trips strictly above the threshold, and only on enough samples', () => {
    const w = errorWindow({ over: '3s', minSamples: 10 });
    expect(judgeWindow(w, { total: 20, failed: 11, durations: 20, percentileMs: null })).toMatchObject({ tripped: true, value: 0.55 });
    expect(judgeWindow(w, { total: 20, failed: 10, durations: 20, percentileMs: null }).tripped).toBe(false);
    const few = judgeWindow(w, { total: 9, failed: 9, durations: 9, percentileMs: null });
    expect(few).toMatchObject({ tripped: false, value: null });
    expect(few.observed).toMatch(/9 requests over the last 3 s, fewer than minSamples 10/);
    expect(judgeWindow(w, { total: 20, failed: 11, durations: 20, percentileMs: null }).observed).toBe('error rate 55% over the last 3 s (11 of 20 requests failed); threshold 50%');
  });

  it('a window\'s latency percentile trips above its bound', () => {
    const w = guards([{ name: 'g', window: { metric: 'latency', percentile: 99, over: '2s', above: '1s', request: 'offers' } }])[0].window!;
    const r = judgeWindow(w, { total: 30, failed: 0, durations: 30, percentileMs: 1250 });
    expect(r).toMatchObject({ tripped: true, value: 1250 });
    expect(r.observed).toBe('p(99) 1.25 s over the last 2 s (request offers) (30 samples); threshold 1 s');
    expect(judgeWindow(w, { total: 30, failed: 0, durations: 30, percentileMs: 1000 }).tripped).toBe(false);
    expect(judgeWindow(w, { total: 0, failed: 0, durations: 0, percentileMs: null }).tripped).toBe(false);
  });

  it('PromQL: the worst series against the bound; no data or NaN never trips', () => {
    const above = { query: 'q', above: 0.5 };
    const series = [
      { labels: { instance: 'a' }, points: [[1, 0.9], [2, 0.2]] as [number, number][] },
      { labels: { instance: 'b' }, points: [[2, 0.7]] as [number, number][] },
    ];
    expect(judgePrometheus(above, series)).toEqual({ tripped: true, value: 0.7, observed: 'q = 0.7 {instance="b"}; trips at > 0.5' });
    expect(judgePrometheus({ query: 'q', below: 0.5 }, series)).toMatchObject({ tripped: true, value: 0.2 });
    expect(judgePrometheus({ query: 'q', below: 0.1 }, series).tripped).toBe(false);
    expect(judgePrometheus(above, [])).toEqual({ tripped: false, value: null, observed: 'q: no data' });
    expect(judgePrometheus(above, [{ labels: {}, points: [[1, NaN]] }]).tripped).toBe(false);
  });

  it('HTTP: another status, a slow answer or none trips', () => {
    const h = { path: '/h', status: 200, within: 500 };
    expect(judgeHttp(h, { url: 'u', status: 200, ms: 20 }).tripped).toBe(false);
    expect(judgeHttp(h, { url: 'u', status: 503, ms: 20 })).toMatchObject({ tripped: true, observed: 'GET u answered 503 in 20 ms; expected 200 within 500 ms' });
    expect(judgeHttp(h, { url: 'u', status: 200, ms: 501 }).tripped).toBe(true);
    expect(judgeHttp(h, { url: 'u', status: null, ms: 3, error: 'ECONNREFUSED' }).observed).toBe('GET u: no answer after 3 ms (ECONNREFUSED); expected 200 within 500 ms');
  });

  it('the window reaches back whole seconds, the current one included', () => {
    expect(windowSeconds(10_400, 3000)).toEqual({ fromSecond: 7, toSecond: 10 });
    expect(windowSeconds(10_000, 1000)).toEqual({ fromSecond: 9, toSecond: 10 });
  });

  it('replays the window over samples to find when the condition first held', () => {
    const w = errorWindow({ over: '1s', minSamples: 4 });
    // 10 ok a second for 3 s, then every request fails from 3.0 s
    const samples = Array.from({ length: 60 }, (_, i) => ({ timeMs: T0 + i * 100, failed: i >= 30 }));
    const crossed = firstErrorRateCrossing(w, samples);
    // through second 3 the window (seconds 2 and 3) holds 10 ok and at most 10 failed: not above
    // 50%; at 4.0 s it holds seconds 3 and 4, all failed
    expect(crossed).toBe(T0 + 4000);
    expect(firstErrorRateCrossing(errorWindow({ over: '1s', minSamples: 4, above: '40%' }), samples)).toBe(T0 + 3600);
    expect(firstErrorRateCrossing(w, samples.slice(0, 30))).toBeNull();
  });
});

describe('guards: the watch over a live aggregator', () => {
  it('reads each guard once its grace is over, trips once, and keeps every reading', async () => {
    const agg = newAggregator();
    const now = Date.now();
    const t0 = now - 5000;
    // the last seconds all failed (times relative to the fixtures' T0)
    for (let i = 0; i < 40; i++) addRequest(agg, { atMs: now - T0 - 1900 + i * 50, failed: true, request: 'offers' });
    const trips: GuardEvaluation[] = [];
    const list = guards([
      { name: 'late', gracePeriod: '60s', window: { metric: 'error-rate', above: '10%' } },
      { name: 'errors', gracePeriod: '2s', window: { metric: 'error-rate', over: '2s', above: '10%' } },
    ]);
    const watch = new GuardWatch({ guards: list, timeScale: 1, t0: () => t0, running: () => true, metrics: () => [agg], prometheus: () => null, entryUrl: () => null, onTrip: (e) => trips.push(e), log: () => {} });
    const first = watch.tick();
    await watch.tick(); // the first reading is still under way: not read twice
    await first;
    await watch.tick(); // tripped: nothing more is read
    await watch.stop();
    expect(trips).toHaveLength(1);
    expect(trips[0]).toMatchObject({ guard: 'errors', kind: 'window', tripped: true, value: 1 });
    expect(trips[0].atMs).toBeGreaterThanOrEqual(5000);
    // "late" is still in its grace period; after the trip nothing more is read
    expect(watch.evaluations.map((e) => e.guard)).toEqual(['errors']);
  });

  it('reads nothing once the load has ended: a run that ran to its end is not aborted', async () => {
    const agg = newAggregator();
    const now = Date.now();
    for (let i = 0; i < 40; i++) addRequest(agg, { atMs: now - T0 - 1900 + i * 50, failed: true });
    let running = true;
    const trips: GuardEvaluation[] = [];
    const list = guards([{ name: 'errors', window: { metric: 'error-rate', over: '2s', above: '10%' } }]);
    const watch = new GuardWatch({ guards: list, timeScale: 1, t0: () => now - 5000, running: () => running, metrics: () => [agg], prometheus: () => null, entryUrl: () => null, onTrip: (e) => trips.push(e), log: () => {} });
    running = false;
    await watch.tick();
    expect(watch.evaluations).toEqual([]);
    // a reading under way when the load ends trips nothing either
    running = true;
    const reading = watch.tick();
    running = false;
    await reading;
    expect(trips).toEqual([]);
    expect(watch.evaluations).toMatchObject([{ guard: 'errors', tripped: false, value: 1 }]);
  });

  it('scales the grace period with the timeline', async () => {
    const agg = newAggregator();
    const t0 = Date.now() - 5000;
    const list = guards([{ name: 'g', gracePeriod: '20s', window: { metric: 'error-rate', above: '10%' } }]);
    const make = (timeScale: number) => new GuardWatch({ guards: list, timeScale, t0: () => t0, running: () => true, metrics: () => [agg], prometheus: () => null, entryUrl: () => null, onTrip: () => {}, log: () => {} });
    const full = make(1);
    full.tick();
    await full.stop();
    expect(full.evaluations).toEqual([]);
    const compressed = make(0.2);
    compressed.tick();
    await compressed.stop();
    expect(compressed.evaluations).toHaveLength(1);
    expect(compressed.evaluations[0]).toMatchObject({ tripped: false, value: null });
  });

  it('adds the windows of every k6 process', () => {
    const a = newAggregator();
    const b = newAggregator();
    for (let i = 0; i < 10; i++) addRequest(a, { atMs: 1000 + i * 10, failed: i < 2 });
    for (let i = 0; i < 10; i++) addRequest(b, { atMs: 1000 + i * 10, failed: i < 8, durationMs: 400 });
    const w = guards([{ name: 'g', window: { metric: 'latency', percentile: 50, over: '1s', above: '1s' } }])[0].window!;
    const f = windowFigures([a, b], w, T0 + 1500);
    expect(f).toMatchObject({ total: 20, failed: 10, durations: 20 });
    expect(f.percentileMs).toBeCloseTo(400, 0);
  });
});

describe('guards: what a trip makes of the run', () => {
  const trip = { guard: 'error-storm', kind: 'window' as const, atMs: 4456, observed: 'error rate 80.4% over the last 1 s (41 of 51 requests failed); threshold 50%', revertedAtMs: 4463 };

  it('NO-GO, the guard\'s reason first, even when every SLO passed; the run itself is not invalid', () => {
    const pass = { slo: 's', kind: 'error-rate', phase: 'all', request: null, objective: '< 1%', observed: 0, unit: 'ratio', samples: 10, pass: true, blocking: true, reason: 'met', detail: '', evidence: [] };
    const d = decide([pass as never], [], { abortedBy: trip });
    expect(d).toMatchObject({ decision: 'NO-GO', exitCode: 1, invalid: false, abortedBy: trip });
    expect(d.reasons[0]).toBe('aborted by guard error-storm at +4.5s: error rate 80.4% over the last 1 s (41 of 51 requests failed); threshold 50%');
    expect(guardReason(trip)).toBe(d.reasons[0]);
    expect(decide([pass as never], []).decision).toBe('GO');
  });

  it('the load planned after the trip was never asked for: not counted as delivered', () => {
    const plan = planDrill(drillWith(SLOS), 1);
    const agg = newAggregator();
    expect(loadDelivery(plan.profiles, agg, T0).planned).toBe(600);
    const stopped = loadDelivery(plan.profiles, agg, T0, trip.atMs);
    expect(stopped).toMatchObject({ planned: 50, dropped: 0, deliveredShare: 1 });
    expect(stopped.perSecond).toHaveLength(5);
  });

  it('the report marks the moment on every chart', () => {
    const data = { ...finishedRun(), guardTrip: { guard: 'error-storm', atMs: 30_000, observed: trip.observed } };
    const html = renderReport(data);
    const marks = html.match(/<line class="marker guard-trip" x1="([\d.]+)"/g) ?? [];
    expect(marks).toHaveLength(2);
    expect(html).toContain('guard error-storm tripped');
    expect(renderReport(finishedRun())).not.toContain('<line class="marker');
  });
});
