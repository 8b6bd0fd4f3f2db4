// Partner outages: which behaviours are not healthy, and the fault windows they make on the
// timeline (src/schema/partner-outages.ts), through the planner into phases and fault times.
import { describe, expect, it } from 'vitest';
import { partnerOutageTimes, timelineFaultTimes } from '../../src/judge/context.ts';
import { evaluateSlos } from '../../src/judge/evaluate.ts';
import { planDrill } from '../../src/plan/plan.ts';
import { parseDrill } from '../../src/schema/load.ts';
import { partnerOutages, unhealthyBecause, type BehaviourHealthFacts } from '../../src/schema/partner-outages.ts';
import { planPartner } from '../../simulators/behaviour.ts';
import { drillWith, run, T0 } from './slo-fixtures.ts';

const b = (facts: Partial<BehaviourHealthFacts>): BehaviourHealthFacts => ({ latencyMs: 0, ...facts });

describe('unhealthyBecause', () => {
  it.each([
    [b({ status: 200 }), null],
    [b({ status: 204 }), null],
    [b({ status: 404 }), null],
    [b({ status: 429 }), 'status 429'],
    [b({ status: 500 }), 'status 500'],
    [b({ status: 503 }), 'status 503'],
    [b({ kind: 'respond', status: 599 }), 'status 599'],
    [b({ kind: 'hang' }), 'hang'],
    [b({ kind: 'reset' }), 'reset'],
    [b({ kind: 'close-mid-body', status: 200 }), 'close-mid-body'],
    [b({ kind: 'truncated', status: 200 }), 'truncated'],
    [b({ kind: 'slow-dribble', status: 200 }), 'slow-dribble'],
    [b({ kind: 'malformed-json', status: 200 }), 'malformed-json'],
    [b({ kind: 'sequence', steps: [200, 200] }), null],
    [b({ kind: 'sequence', steps: [503, 200] }), 'sequence with 503'],
    [b({ kind: 'sequence', steps: [{ status: 429 }, 503, 429, { status: 200 }] }), 'sequence with 429, 503'],
    [b({ kind: 'sequence', steps: [{}] }), null],
    // a quota refuses only clients above it: not an outage
    [b({ kind: 'rate-limit', status: 200 }), null],
  ])('%j → %s', (behaviour, why) => {
    expect(unhealthyBecause(behaviour)).toBe(why);
  });

  it('calls a partner slow when its median latency is above the bound (default 1 s)', () => {
    expect(unhealthyBecause(b({ status: 200, latencyMs: 1000 }))).toBeNull();
    expect(unhealthyBecause(b({ status: 200, latencyMs: 1001 }))).toBe('median latency 1001 ms above 1000 ms');
    expect(unhealthyBecause(b({ status: 200, latencyMs: 300 }), 250)).toBe('median latency 300 ms above 250 ms');
    expect(unhealthyBecause(b({ latencyMs: { dist: 'fixed', value: 2000 } }))).toMatch(/^median latency 2000 ms/);
    // uniform: the middle of the range; log-normal: its p50, whatever its tail
    expect(unhealthyBecause(b({ latencyMs: { dist: 'uniform', min: 500, max: 1400 } }))).toBeNull();
    expect(unhealthyBecause(b({ latencyMs: { dist: 'uniform', min: 800, max: 1400 } }))).toMatch(/^median latency 1100 ms/);
    expect(unhealthyBecause(b({ latencyMs: { dist: 'lognormal', p50: 20, p99: 5000 } }))).toBeNull();
    expect(unhealthyBecause(b({ latencyMs: { dist: 'lognormal', p50: 1500, p99: 5000 } }))).toMatch(/^median latency 1500 ms/);
    // a rate limit that answers slowly is slow
    expect(unhealthyBecause(b({ kind: 'rate-limit', latencyMs: 3000 }))).toMatch(/^median latency 3000 ms/);
  });
});

describe('partnerOutages', () => {
  const partner = planPartner({
    name: 'acme',
    routes: [
      {
        method: 'GET',
        path: '/offers',
        behaviours: [
          { at: '0s', status: 200, latency: '10ms' },
          { at: '40s', kind: 'sequence', scope: 'call', steps: [503, 200] },
          { at: '100s', status: 429, retryAfter: 1 },
          { at: '160s', kind: 'hang' },
          { at: '220s', status: 200 },
          { at: '250s', kind: 'reset' },
        ],
      },
      { name: 'charge', method: 'POST', path: '/charge', behaviours: [{ at: '0s', status: 201 }] },
    ],
    behaviours: [
      { at: '0s', status: 200 },
      { at: '30s', status: 200, latency: '2s' },
      { at: '60s', status: 200 },
    ],
  });

  it('merges back-to-back unhealthy behaviours of a route into one window until a healthy one, and numbers the later ones', () => {
    expect(partnerOutages(partner, 280_000)).toEqual([
      { name: 'partner:acme GET /offers', partner: 'acme', route: 'GET /offers', startMs: 40_000, endMs: 220_000, lastsToEnd: false, reasons: ['sequence with 503', 'status 429', 'hang'] },
      { name: 'partner:acme GET /offers #2', partner: 'acme', route: 'GET /offers', startMs: 250_000, endMs: 280_000, lastsToEnd: true, reasons: ['reset'] },
      { name: 'partner:acme', partner: 'acme', route: null, startMs: 30_000, endMs: 60_000, lastsToEnd: false, reasons: ['median latency 2000 ms above 1000 ms'] },
    ]);
  });

  it('clips to the end of the load and drops what starts after it', () => {
    const out = partnerOutages(partner, 200_000);
    expect(out.map((o) => [o.name, o.startMs, o.endMs, o.lastsToEnd])).toEqual([
      ['partner:acme GET /offers', 40_000, 200_000, true],
      ['partner:acme', 30_000, 60_000, false],
    ]);
    expect(partnerOutages(partner, 20_000)).toEqual([]);
  });

  it('takes the partner’s own bound for slow answers', () => {
    expect(partnerOutages(partner, 280_000, 5000).map((o) => o.name)).toEqual(['partner:acme GET /offers', 'partner:acme GET /offers #2']);
  });

  it('gives fault times: from the first unhealthy switch to the healthy one; never reverted when it lasts to the end', () => {
    const outages = partnerOutages(partner, 280_000);
    expect(partnerOutageTimes(outages)).toEqual({
      'partner:acme GET /offers': { injectedAtMs: 40_000, revertedAtMs: 220_000 },
      'partner:acme GET /offers #2': { injectedAtMs: 250_000, revertedAtMs: null },
      'partner:acme': { injectedAtMs: 30_000, revertedAtMs: 60_000 },
    });
    const t0 = Date.parse('2026-12-05T18:00:00Z');
    const records = [{ name: 'hub-latency', injectedAt: new Date(t0 + 5_000).toISOString(), revertedAt: new Date(t0 + 9_000).toISOString(), outcome: 'reverted' }];
    expect(timelineFaultTimes(records, outages, t0)).toMatchObject({ 'hub-latency': { injectedAtMs: 5_000, revertedAtMs: 9_000 }, 'partner:acme': { injectedAtMs: 30_000 } });
  });
});

describe('partner outages on the planned timeline', () => {
  const drill = (faults: unknown[] = []) =>
    parseDrill(
      {
        name: 'storm',
        app: 'T',
        target: { kind: 'process', service: { name: 'svc', command: ['node', 'x.mjs'] } },
        load: { requests: [{ name: 'a', path: '/a' }], profiles: [{ profile: 'baseline', rate: 10, duration: '100s' }] },
        partners: [{ name: 'payments', routes: [{ method: 'POST', path: '/charge', behaviours: [{ at: '0s', status: 200 }, { at: '20s', status: 429, retryAfter: 1 }, { at: '50s', status: 200 }] }] }],
        faults,
        slos: [{ name: 'errors-in-storm', kind: 'error-rate', phase: 'fault', below: '2%' }],
      },
      'storm.yaml',
    );

  it('makes the fault phase of a drill without faults, time-scaled with the timeline', () => {
    const plan = planDrill(drill(), 0.1);
    expect(plan.faults).toEqual([]);
    expect(plan.partnerOutages).toMatchObject([{ name: 'partner:payments POST /charge', startMs: 2_000, endMs: 5_000 }]);
    expect(plan.phases).toEqual([
      { phase: 'steady', startMs: 0, endMs: 2_000 },
      { phase: 'fault', startMs: 2_000, endMs: 5_000 },
      { phase: 'recovery', startMs: 5_000, endMs: 10_000 },
    ]);
  });

  it('merges with an injected fault it overlaps into one fault phase', () => {
    const plan = planDrill(drill([{ name: 'slow', action: 'latency', target: 'svc', at: '40s', duration: '20s', latency: '300ms' }]), 1);
    expect(plan.phases.map((p) => [p.phase, p.startMs, p.endMs])).toEqual([
      ['steady', 0, 20_000],
      ['fault', 20_000, 60_000],
      ['recovery', 60_000, 100_000],
    ]);
  });
});

describe('a recovery-time SLO after a partner outage', () => {
  const STORM = { name: 'acme', routes: [{ method: 'GET', path: '/offers', behaviours: [{ at: '0s', status: 200 }, { at: '20s', status: 429, retryAfter: 1 }, { at: '40s', status: 200 }] }] };
  const drill = drillWith([{ name: 'back', kind: 'recovery-time', fault: 'partner:acme GET /offers', sli: { metric: 'error-rate', below: '1%' }, within: '10s', hold: '3s' }], { partners: [STORM], faults: [] });
  // errors while the partner throttles (20–40 s) and for 2 s after it answers again
  const metrics = run(10, (s) => (s >= 20 && s < 42 ? { failedShare: 0.5 } : {}));

  it('counts from the moment the partner answers again, and says it was an outage that ended', () => {
    const plan = planDrill(drill, 1);
    const [v] = evaluateSlos(drill.slos, { metrics, t0: T0, faults: partnerOutageTimes(plan.partnerOutages), figures: {}, phases: plan.phases, durationMs: plan.totalMs });
    expect(v).toMatchObject({ kind: 'recovery-time', pass: true, observed: 2_000, reason: 'met' });
    expect(v.objective).toBe('error rate < 1% per 1-s window within 10 s of outage partner:acme GET /offers ended, held 3 s');
    expect(v.detail).toContain('back within objective 2 s after outage partner:acme GET /offers ended (+40 s)');
  });

  it('is no evidence when the outage lasts to the end of the load', () => {
    const endless = drillWith(drill.slos.map(() => ({ name: 'back', kind: 'recovery-time', fault: 'partner:acme GET /offers', sli: { metric: 'error-rate', below: '1%' }, within: '10s' })), {
      partners: [{ ...STORM, routes: [{ ...STORM.routes[0], behaviours: STORM.routes[0].behaviours.slice(0, 2) }] }],
      faults: [],
    });
    const plan = planDrill(endless, 1);
    const [v] = evaluateSlos(endless.slos, { metrics, t0: T0, faults: partnerOutageTimes(plan.partnerOutages), figures: {}, phases: plan.phases, durationMs: plan.totalMs });
    expect(v).toMatchObject({ pass: false, reason: 'no-evidence', detail: 'outage partner:acme GET /offers lasted to the end of the load' });
  });
});
