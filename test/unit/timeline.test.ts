import { describe, expect, it } from 'vitest';
import { phaseAt, phaseSpan, phaseWindows, type PhaseWindow } from '../../scenarios/lib/phase.ts';
import { behaviourAt, type PlannedPartner } from '../../simulators/behaviour.ts';
import { loadDrill, parseDrill } from '../../src/schema/load.ts';
import { planDrill } from '../../src/plan/plan.ts';
import type { Drill } from '../../src/schema/drill.ts';

const w = (phase: PhaseWindow['phase'], startMs: number, endMs: number): PhaseWindow => ({ phase, startMs, endMs });

/** The windows must tile [0, total) without gaps or overlaps. */
function expectTiling(windows: PhaseWindow[], totalMs: number) {
  let cursor = 0;
  for (const win of windows) {
    expect(win.startMs).toBe(cursor);
    expect(win.endMs).toBeGreaterThan(win.startMs);
    cursor = win.endMs;
  }
  expect(cursor).toBe(totalMs);
}

describe('phaseWindows', () => {
  it('gives one steady window without faults', () => {
    expect(phaseWindows(60_000, [])).toEqual([w('steady', 0, 60_000)]);
  });

  it('gives steady / fault / recovery around one fault with exact boundaries', () => {
    const windows = phaseWindows(60_000, [{ startMs: 20_000, endMs: 40_000 }]);
    expect(windows).toEqual([w('steady', 0, 20_000), w('fault', 20_000, 40_000), w('recovery', 40_000, 60_000)]);
    expectTiling(windows, 60_000);
  });

  it('has no recovery when the fault lasts until the end of load', () => {
    expect(phaseWindows(60_000, [{ startMs: 20_000, endMs: 60_000 }])).toEqual([w('steady', 0, 20_000), w('fault', 20_000, 60_000)]);
  });

  it('merges overlapping faults into one fault window', () => {
    const windows = phaseWindows(60_000, [
      { startMs: 10_000, endMs: 30_000 },
      { startMs: 25_000, endMs: 35_000 },
    ]);
    expect(windows).toEqual([w('steady', 0, 10_000), w('fault', 10_000, 35_000), w('recovery', 35_000, 60_000)]);
  });

  it('merges a fault contained in another one', () => {
    expect(
      phaseWindows(60_000, [
        { startMs: 10_000, endMs: 40_000 },
        { startMs: 15_000, endMs: 20_000 },
      ]),
    ).toEqual([w('steady', 0, 10_000), w('fault', 10_000, 40_000), w('recovery', 40_000, 60_000)]);
  });

  it('sorts faults by start before merging', () => {
    expect(
      phaseWindows(60_000, [
        { startMs: 25_000, endMs: 35_000 },
        { startMs: 10_000, endMs: 30_000 },
      ]),
    ).toEqual([w('steady', 0, 10_000), w('fault', 10_000, 35_000), w('recovery', 35_000, 60_000)]);
  });

  it('merges faults that touch (one ends when the next starts): no empty recovery', () => {
    const windows = phaseWindows(60_000, [
      { startMs: 10_000, endMs: 20_000 },
      { startMs: 20_000, endMs: 30_000 },
    ]);
    expect(windows).toEqual([w('steady', 0, 10_000), w('fault', 10_000, 30_000), w('recovery', 30_000, 60_000)]);
  });

  it('puts a recovery window between separate faults', () => {
    const windows = phaseWindows(60_000, [
      { startMs: 10_000, endMs: 20_000 },
      { startMs: 20_001, endMs: 30_000 },
      { startMs: 45_000, endMs: 50_000 },
    ]);
    expect(windows).toEqual([
      w('steady', 0, 10_000),
      w('fault', 10_000, 20_000),
      w('recovery', 20_000, 20_001),
      w('fault', 20_001, 30_000),
      w('recovery', 30_000, 45_000),
      w('fault', 45_000, 50_000),
      w('recovery', 50_000, 60_000),
    ]);
    expectTiling(windows, 60_000);
  });

  it('starts with the fault when it is at 0 (no steady window)', () => {
    expect(phaseWindows(60_000, [{ startMs: 0, endMs: 5_000 }])).toEqual([w('fault', 0, 5_000), w('recovery', 5_000, 60_000)]);
  });

  it('clips faults to the load', () => {
    expect(phaseWindows(10_000, [{ startMs: 5_000, endMs: 15_000 }])).toEqual([w('steady', 0, 5_000), w('fault', 5_000, 10_000)]);
    expect(phaseWindows(10_000, [{ startMs: 12_000, endMs: 15_000 }])).toEqual([w('steady', 0, 10_000)]);
  });

  it('ignores a zero-length fault at the start or the end of load', () => {
    expect(phaseWindows(10_000, [{ startMs: 0, endMs: 0 }])).toEqual([w('steady', 0, 10_000)]);
    expect(phaseWindows(10_000, [{ startMs: 10_000, endMs: 10_000 }])).toEqual([w('steady', 0, 10_000)]);
  });

  // regression: a zero-length fault makes no fault phase, and so no recovery phase after it
  it('ignores a zero-length fault in the middle of the load', () => {
    expect(phaseWindows(10_000, [{ startMs: 5_000, endMs: 5_000 }])).toEqual([w('steady', 0, 10_000)]);
  });

  it('does not modify the faults it is given', () => {
    const faults = [
      { startMs: 25_000, endMs: 35_000 },
      { startMs: 10_000, endMs: 30_000 },
    ];
    const copy = structuredClone(faults);
    phaseWindows(60_000, faults);
    expect(faults).toEqual(copy);
  });

  it('tiles the load for random fault sets, fault exactly where a fault is active', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 200; trial++) {
      const total = 1000 + Math.floor(rnd() * 9000);
      const faults = Array.from({ length: Math.floor(rnd() * 5) }, () => {
        const startMs = Math.floor(rnd() * total);
        return { startMs, endMs: Math.min(total, startMs + 1 + Math.floor(rnd() * 2000)) };
      });
      const windows = phaseWindows(total, faults);
      expectTiling(windows, total);
      for (let t = 0; t < total; t += 37) {
        const active = faults.some((f) => f.startMs <= t && t < f.endMs);
        const before = faults.every((f) => t < f.startMs);
        expect(phaseAt(windows, t)).toBe(active ? 'fault' : before ? 'steady' : 'recovery');
      }
      // neighbouring windows never share a phase
      for (let i = 1; i < windows.length; i++) expect(windows[i].phase).not.toBe(windows[i - 1].phase);
    }
  });
});

describe('phaseAt', () => {
  const windows = phaseWindows(60_000, [{ startMs: 20_000, endMs: 40_000 }]);

  it.each([
    [0, 'steady'],
    [19_999, 'steady'],
    [20_000, 'fault'],
    [39_999, 'fault'],
    [40_000, 'recovery'],
    [59_999, 'recovery'],
    [60_000, 'recovery'],
    [3_600_000, 'recovery'],
    [-1_000, 'steady'],
  ] as const)('at %d ms is %s', (t, phase) => {
    expect(phaseAt(windows, t)).toBe(phase);
  });

  it('past the end is the last phase, whatever it is', () => {
    const endsInFault = phaseWindows(10_000, [{ startMs: 5_000, endMs: 10_000 }]);
    expect(phaseAt(endsInFault, 10_000)).toBe('fault');
    expect(phaseAt(endsInFault, 99_000)).toBe('fault');
  });

  it('is steady with no windows at all', () => {
    expect(phaseAt([], 0)).toBe('steady');
    expect(phaseAt([], 5_000)).toBe('steady');
  });
});

// the k6 drill entry looks the phase up again only when the clock leaves the span it holds for
describe('phaseSpan', () => {
  it('names the phase phaseAt names, and the span around t is that phase throughout', () => {
    let seed = 11;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 200; trial++) {
      const total = 1000 + Math.floor(rnd() * 9000);
      const faults = Array.from({ length: Math.floor(rnd() * 5) }, () => {
        const startMs = Math.floor(rnd() * total);
        return { startMs, endMs: Math.min(total, startMs + 1 + Math.floor(rnd() * 2000)) };
      });
      const windows = phaseWindows(total, faults);
      for (let t = -500; t < total + 500; t += 29) {
        const span = phaseSpan(windows, t);
        expect(windows[span.index].phase).toBe(phaseAt(windows, t));
        expect(span.fromMs <= t && t < span.untilMs).toBe(true);
        for (const edge of [span.fromMs, span.untilMs - 1]) if (Number.isFinite(edge)) expect(phaseAt(windows, edge)).toBe(phaseAt(windows, t));
        if (Number.isFinite(span.untilMs)) expect(phaseAt(windows, span.untilMs)).not.toBe(phaseAt(windows, t));
      }
    }
  });

  it('holds the first phase from minus infinity and the last to infinity; one span with no windows', () => {
    const windows = phaseWindows(60_000, [{ startMs: 20_000, endMs: 40_000 }]);
    expect(phaseSpan(windows, -5)).toEqual({ index: 0, fromMs: -Infinity, untilMs: 20_000 });
    expect(phaseSpan(windows, 20_000)).toEqual({ index: 1, fromMs: 20_000, untilMs: 40_000 });
    expect(phaseSpan(windows, 99_000)).toEqual({ index: 2, fromMs: 40_000, untilMs: Infinity });
    expect(phaseSpan([], 5)).toEqual({ index: 0, fromMs: -Infinity, untilMs: Infinity });
  });
});

describe('planDrill', () => {
  it('keeps the demo drill timeline at timeScale 1', async () => {
    const { drill } = await loadDrill('examples/partner-hub/drills/baseline.ts');
    const plan = planDrill(drill);
    expect(plan.timeScale).toBe(1);
    expect(plan.totalMs).toBe(60_000);
    expect(plan.phases).toEqual([w('steady', 0, 20_000), w('fault', 20_000, 40_000), w('recovery', 40_000, 60_000)]);
    expect(plan.faults.map((f) => [f.fault.name, f.startMs, f.endMs])).toEqual([['hub-latency', 20_000, 40_000]]);
    expect(plan.partners[0].behaviours.map((b) => b.atMs)).toEqual([0, 20_000, 40_000]);
  });

  it('scales the timeline with timeScale 0.1 but not magnitudes', async () => {
    const { drill } = await loadDrill('examples/partner-hub/drills/baseline.ts');
    const before = structuredClone(drill);
    const plan = planDrill(drill, 0.1);
    expect(plan.timeScale).toBe(0.1);
    expect(plan.totalMs).toBe(6_000);
    expect(plan.phases).toEqual([w('steady', 0, 2_000), w('fault', 2_000, 4_000), w('recovery', 4_000, 6_000)]);
    expect(plan.faults).toHaveLength(1);
    expect(plan.faults[0].startMs).toBe(2_000);
    expect(plan.faults[0].endMs).toBe(4_000);
    // the injected latency is what the SUT sees: unscaled
    const fault = plan.faults[0].fault;
    if (fault.action !== 'latency') throw new Error('expected a latency fault');
    expect(fault.latency).toBe(300);
    expect(plan.partners).toEqual([
      {
        name: 'acme',
        behaviours: [
          { atMs: 0, status: 200, retryAfter: undefined, latencyMs: 20, body: undefined },
          { atMs: 2_000, status: 429, retryAfter: 1, latencyMs: 0, body: undefined },
          { atMs: 4_000, status: 200, retryAfter: undefined, latencyMs: 20, body: undefined },
        ],
      },
    ]);
    // planning is pure: the drill is untouched
    expect(drill).toEqual(before);
  });

  it('uses the drill timeScale when none is given and the argument over it', () => {
    const drill = demoLike({ timeScale: 0.5 });
    expect(planDrill(drill).totalMs).toBe(30_000);
    expect(planDrill(drill).timeScale).toBe(0.5);
    expect(planDrill(drill, 2).totalMs).toBe(120_000);
  });

  it('keeps partner latency, retryAfter and body at any scale, and scales behaviour switches', () => {
    const drill = demoLike({
      partners: [
        {
          name: 'acme',
          webhookSecret: 'whsec_abc',
          behaviours: [
            { at: '0s', latency: '750ms', body: { ok: true } },
            { at: '15s', status: 503, retryAfter: 30, latency: '2s' },
          ],
        },
      ],
    });
    const plan = planDrill(drill, 0.25);
    expect(plan.partners[0].behaviours).toEqual([
      { atMs: 0, status: 200, retryAfter: undefined, latencyMs: 750, body: { ok: true } },
      { atMs: 3_750, status: 503, retryAfter: 30, latencyMs: 2_000, body: undefined },
    ]);
  });

  it('rounds scaled points to whole milliseconds', () => {
    const drill = demoLike({ profiles: [{ profile: 'baseline', rate: 10, duration: '10s' }], faults: [{ name: 'f', action: 'down', target: 'svc', at: '1s', duration: '1s' }] });
    const plan = planDrill(drill, 1 / 3);
    expect(plan.totalMs).toBe(3_333);
    expect(plan.faults[0].startMs).toBe(333);
    expect(plan.faults[0].endMs).toBe(667);
    expect(plan.phases).toEqual([w('steady', 0, 333), w('fault', 333, 667), w('recovery', 667, 3_333)]);
  });

  it('merges overlapping faults of a drill into one fault phase but keeps them as separate faults', () => {
    const drill = demoLike({
      faults: [
        { name: 'slow', action: 'latency', latency: '100ms', target: 'svc', at: '10s', duration: '20s' },
        // a replica killed while the proxy in front of the service is slow: two targets, so allowed
        { name: 'down', driver: 'process', action: 'pod-kill', target: 'svc', at: '20s', duration: '20s' },
      ],
    });
    const plan = planDrill(drill, 1);
    expect(plan.faults.map((f) => [f.fault.name, f.startMs, f.endMs])).toEqual([
      ['slow', 10_000, 30_000],
      ['down', 20_000, 40_000],
    ]);
    expect(plan.phases).toEqual([w('steady', 0, 10_000), w('fault', 10_000, 40_000), w('recovery', 40_000, 60_000)]);
  });

  // regression: a short fault scaled by a small timeScale rounds to 0 ms; no recovery phase without a fault
  it('never plans a recovery phase without a fault phase before it', () => {
    const drill = demoLike({ faults: [{ name: 'blip', action: 'down', target: 'svc', at: '20s', duration: '400ms' }] });
    const plan = planDrill(drill, 0.001);
    expect(plan.phases.map((p) => p.phase)).not.toContain('recovery');
  });

  it('plans a drill without faults as one steady phase', () => {
    const plan = planDrill(demoLike({ faults: [] }), 0.5);
    expect(plan.phases).toEqual([w('steady', 0, 30_000)]);
    expect(plan.faults).toEqual([]);
  });
});

describe('behaviourAt', () => {
  const partner: PlannedPartner = {
    name: 'acme',
    behaviours: [
      { atMs: 0, status: 200, latencyMs: 20 },
      { atMs: 2_000, status: 429, retryAfter: 1, latencyMs: 0 },
      { atMs: 4_000, status: 200, latencyMs: 5 },
    ],
  };

  it.each([
    [0, 200, 20],
    [1_999, 200, 20],
    [2_000, 429, 0],
    [3_999, 429, 0],
    [4_000, 200, 5],
    [1_000_000, 200, 5],
  ])('at %d ms answers %d after %d ms', (t, status, latencyMs) => {
    const b = behaviourAt(partner, t);
    expect(b.status).toBe(status);
    expect(b.latencyMs).toBe(latencyMs);
  });

  it('returns the behaviour objects themselves, in the plan', () => {
    expect(behaviourAt(partner, 2_500)).toBe(partner.behaviours[1]);
    expect(behaviourAt(partner, 4_000)).toBe(partner.behaviours[2]);
  });

  it('uses the first behaviour before the start of load', () => {
    expect(behaviourAt(partner, -500)).toBe(partner.behaviours[0]);
  });

  it('follows the scaled plan of the demo drill', async () => {
    const { drill } = await loadDrill('examples/partner-hub/drills/baseline.ts');
    const [acme] = planDrill(drill, 0.1).partners;
    expect(behaviourAt(acme, 1_999).status).toBe(200);
    expect(behaviourAt(acme, 2_000).status).toBe(429);
    expect(behaviourAt(acme, 2_000).retryAfter).toBe(1);
    expect(behaviourAt(acme, 4_000).status).toBe(200);
  });
});

// A validated drill like the demo, with parts replaced.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function demoLike(over: { timeScale?: number; profiles?: any[]; partners?: any[]; faults?: any[] }): Drill {
  return parseDrill(
    {
      name: 'demo',
      app: 'APP2',
      timeScale: over.timeScale ?? 1,
      target: { kind: 'process', service: { name: 'svc', command: ['node', 'x.mjs'] } },
      load: { profiles: over.profiles ?? [{ profile: 'baseline', rate: 10, duration: '60s' }], requests: [{ name: 'offers', path: '/offers' }] },
      partners: over.partners ?? [],
      faults: over.faults ?? [{ name: 'slow', action: 'latency', latency: '300ms', target: 'svc', at: '20s', duration: '20s' }],
      slos: [{ name: 'p95', kind: 'latency', percentile: 95, below: '250ms' }],
    },
    'demo-like.yaml',
  );
}
