import { describe, expect, it } from 'vitest';
import { loadDrill, parseDrill } from '../../src/schema/load.ts';
import { k6Options, thresholdFor, thresholds } from '../../src/k6/options.ts';
import { planDrill } from '../../src/plan/plan.ts';
import type { Drill, K6ThresholdSlo } from '../../src/schema/drill.ts';

function drillWith(slos: unknown[], profile: Record<string, unknown> = {}): Drill {
  return parseDrill(
    {
      name: 'd',
      app: 'APP2',
      target: { kind: 'process', service: { name: 'svc', command: ['node', 'x.mjs'] } },
      load: {
        profiles: [{ profile: 'baseline', rate: 25, duration: '2m', ...profile }],
        requests: [
          { name: 'offers', path: '/offers' },
          { name: 'webhook', path: '/webhook' },
        ],
      },
      faults: [{ name: 'f', action: 'down', target: 'svc', at: '20s', duration: '20s' }],
      slos,
    },
    'k6-options-test.yaml',
  );
}
const slo = (s: unknown): K6ThresholdSlo => drillWith([s]).slos[0] as K6ThresholdSlo;

describe('thresholdFor', () => {
  it('maps a latency SLO on a phase and request to a tagged http_req_duration sub-metric', () => {
    expect(thresholdFor(slo({ name: 'a', kind: 'latency', phase: 'fault', request: 'offers', percentile: 95, below: '300ms' }))).toEqual([
      'http_req_duration{phase:fault,request:offers}',
      'p(95)<300',
    ]);
  });

  it('renders durations in milliseconds and keeps fractional percentiles', () => {
    expect(thresholdFor(slo({ name: 'a', kind: 'latency', phase: 'steady', percentile: 99.9, below: '1.5s' }))).toEqual(['http_req_duration{phase:steady}', 'p(99.9)<1500']);
    expect(thresholdFor(slo({ name: 'a', kind: 'latency', request: 'webhook', percentile: 50, below: '1m' }))).toEqual(['http_req_duration{request:webhook}', 'p(50)<60000']);
  });

  it('maps an error-rate SLO to http_req_failed with the ratio', () => {
    expect(thresholdFor(slo({ name: 'e', kind: 'error-rate', phase: 'fault', below: '2%' }))).toEqual(['http_req_failed{phase:fault}', 'rate<0.02']);
    expect(thresholdFor(slo({ name: 'e', kind: 'error-rate', phase: 'recovery', request: 'offers', below: 0.005 }))).toEqual([
      'http_req_failed{phase:recovery,request:offers}',
      'rate<0.005',
    ]);
  });

  it('maps whole-run SLOs to the bare metric', () => {
    expect(thresholdFor(slo({ name: 'a', kind: 'latency', percentile: 95, below: '250ms' }))).toEqual(['http_req_duration', 'p(95)<250']);
    expect(thresholdFor(slo({ name: 'e', kind: 'error-rate', below: '1%' }))).toEqual(['http_req_failed', 'rate<0.01']);
  });
});

describe('thresholds', () => {
  it('groups expressions by metric key, without duplicates', () => {
    const drill = drillWith([
      { name: 'a', kind: 'latency', phase: 'fault', request: 'offers', percentile: 95, below: '300ms' },
      { name: 'b', kind: 'latency', phase: 'fault', request: 'offers', percentile: 99, below: '800ms' },
      { name: 'c', kind: 'latency', phase: 'fault', request: 'offers', percentile: 95, below: '300ms', severity: 'advisory' },
      { name: 'd', kind: 'error-rate', phase: 'fault', below: '2%' },
      { name: 'e', kind: 'error-rate', below: '1%' },
      { name: 'f', kind: 'latency', percentile: 95, below: '250ms' },
    ]);
    expect(thresholds(drill.slos)).toEqual({
      'http_req_duration{phase:fault,request:offers}': ['p(95)<300', 'p(99)<800'],
      'http_req_failed{phase:fault}': ['rate<0.02'],
      'http_req_failed': ['rate<0.01'],
      'http_req_duration': ['p(95)<250'],
    });
  });

  it('is empty without SLOs', () => {
    expect(thresholds([])).toEqual({});
  });

  it('gives the demo drill one threshold per SLO', async () => {
    const { drill } = await loadDrill('examples/partner-hub/drills/baseline.ts');
    expect(thresholds(drill.slos)).toEqual({
      'http_req_duration{phase:steady,request:offers}': ['p(95)<250'],
      'http_req_duration{phase:steady,request:webhook}': ['p(95)<1500'],
      'http_req_failed{phase:fault}': ['rate<0.02'],
      'http_req_failed{phase:recovery}': ['rate<0.01'],
      'http_req_duration{phase:fault,request:offers}': ['p(95)<1000'],
    });
  });
});

type Scenario = Record<string, unknown>;

/** The constant-arrival-rate scenarios of k6 options (one per baseline profile). */
function constantArrival(options: Record<string, unknown>): Scenario[] {
  return Object.values(options.scenarios as Record<string, Scenario>).filter((s) => s.executor === 'constant-arrival-rate');
}

describe('k6Options', () => {
  it('runs the demo drill planned with timeScale 0.5 as a 30 s constant-arrival-rate scenario at the drill rate', async () => {
    const { drill } = await loadDrill('examples/partner-hub/drills/baseline.ts');
    const options = k6Options(drill, planDrill(drill, 0.5));
    expect(Object.keys(options.scenarios as object)).toHaveLength(1);
    const [scenario] = constantArrival(options);
    expect(scenario).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 40,
      timeUnit: '1s',
      duration: '30000ms',
      preAllocatedVUs: 30,
      startTime: '0ms',
    });
    expect(scenario.maxVUs as number).toBeGreaterThanOrEqual(30);
    expect(options.thresholds).toEqual(thresholds(drill.slos));
    expect(options.discardResponseBodies).toBe(true);
    expect(options.setupTimeout).toBe('60s');
    expect(options.summaryTrendStats).toEqual(expect.arrayContaining(['p(95)', 'p(99)']));
  });

  it('uses the planned length, not the drill one', async () => {
    const { drill } = await loadDrill('examples/partner-hub/drills/baseline.ts');
    const duration = (ts: number) => constantArrival(k6Options(drill, planDrill(drill, ts)))[0].duration;
    expect(duration(1)).toBe('60000ms');
    expect(duration(0.1)).toBe('6000ms');
    expect(duration(0.3)).toBe('18000ms');
  });

  it('passes the drill rate and VU counts to k6', () => {
    const drill = drillWith([{ name: 'p', kind: 'latency', percentile: 95, below: '1s' }], { rate: 12.5, preAllocatedVUs: 10, maxVUs: 50 });
    const [scenario] = constantArrival(k6Options(drill, planDrill(drill)));
    expect(scenario).toMatchObject({ rate: 12.5, preAllocatedVUs: 10, maxVUs: 50, duration: '120000ms' });
  });

  it('is plain JSON (it is written to the k6 plan file)', async () => {
    const { drill } = await loadDrill('examples/partner-hub/drills/baseline.ts');
    const options = k6Options(drill, planDrill(drill, 0.5));
    expect(JSON.parse(JSON.stringify(options))).toEqual(options);
  });
});
