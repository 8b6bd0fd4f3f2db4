import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { baseline, loadLength, soak, spike, stagesTargetAt, stress, toScenarios, vuRamp } from '../../scenarios/profiles.ts';
import { k8sManifests, TestRun } from '../../src/k6/k8s.ts';
import { parseDrill } from '../../src/schema/load.ts';
import { planDrill } from '../../src/plan/plan.ts';
import { segmentFiles } from '../../src/k6/segments.ts';

const drill = (profiles: unknown[], faults: unknown[] = []) =>
  parseDrill(
    {
      name: 'p',
      app: 'T',
      target: { kind: 'process', service: { name: 'svc', command: ['node', 'x.mjs'] } },
      load: { requests: [{ name: 'a', path: '/a' }, { name: 'b', path: '/b' }], profiles },
      partners: [{ name: 'acme', behaviours: [{ at: '0s', status: 200 }, { at: '30s', status: 429, retryAfter: 2 }] }],
      faults,
      slos: [{ name: 's', kind: 'latency', percentile: 95, below: '1s' }],
    },
    'test.yaml',
  );

describe('load profiles', () => {
  it('baseline is a constant arrival rate for its duration', () => {
    const p = baseline({ rate: 40, durationMs: 60_000, startMs: 5000 });
    expect(p.scenario).toMatchObject({ executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '60000ms', startTime: '5000ms' });
    expect(p.targetAt(4999)).toBe(0);
    expect(p.targetAt(5000)).toBe(40);
    expect(p.targetAt(64_999)).toBe(40);
    expect(p.targetAt(65_000)).toBe(0);
  });

  it('spike warms up at the base rate, jumps to the peak, holds, drops back and observes recovery', () => {
    const p = spike({ baseRate: 20, peakRate: 300, warmupMs: 30_000, rampUpMs: 10_000, holdMs: 60_000, rampDownMs: 10_000, recoveryMs: 30_000 });
    expect(p.scenario).toMatchObject({
      executor: 'ramping-arrival-rate',
      startRate: 20,
      stages: [
        { duration: '30000ms', target: 20 },
        { duration: '10000ms', target: 300 },
        { duration: '60000ms', target: 300 },
        { duration: '10000ms', target: 20 },
        { duration: '30000ms', target: 20 },
      ],
    });
    expect(p.durationMs).toBe(140_000);
    expect(p.targetAt(15_000)).toBe(20);
    expect(p.targetAt(35_000)).toBe(160);
    expect(p.targetAt(70_000)).toBe(300);
    expect(p.targetAt(130_000)).toBe(20);
    // enough VUs for the peak
    expect((p.scenario.maxVUs as number) >= 300).toBe(true);
  });

  it('soak is a long constant load tagged as a soak', () => {
    const p = soak({ rate: 10, durationMs: 3_600_000 });
    expect(p.kind).toBe('soak');
    expect(p.scenario).toMatchObject({ executor: 'constant-arrival-rate', duration: '3600000ms' });
  });

  it('stress ramps from the start rate to the max rate', () => {
    const p = stress({ startRate: 10, maxRate: 500, rampMs: 100_000 });
    expect(p.scenario).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 10, stages: [{ duration: '100000ms', target: 500 }] });
    expect(p.targetAt(50_000)).toBe(255);
  });

  it('vu-ramp ramps VUs through stages (the seeds ramp to 400)', () => {
    const p = vuRamp({ stages: [{ durationMs: 60_000, target: 400 }, { durationMs: 120_000, target: 400 }, { durationMs: 30_000, target: 0 }] });
    expect(p.scenario).toMatchObject({ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '60000ms', target: 400 }, { duration: '120000ms', target: 400 }, { duration: '30000ms', target: 0 }] });
    expect(p.targetAt(30_000)).toBe(200);
    expect(p.durationMs).toBe(210_000);
  });

  it('piecewise-linear targets', () => {
    expect(stagesTargetAt(0, [{ durationMs: 10, target: 100 }], 5)).toBe(50);
    expect(stagesTargetAt(0, [{ durationMs: 10, target: 100 }], 50)).toBe(100);
  });

  it('composes profiles on one timeline and names the scenarios', () => {
    const a = baseline({ rate: 10, durationMs: 10_000 });
    const b = spike({ baseRate: 10, peakRate: 50, warmupMs: 1000, rampUpMs: 1000, holdMs: 1000, rampDownMs: 1000, recoveryMs: 1000, startMs: 10_000 });
    expect(loadLength([a, b])).toBe(15_000);
    expect(Object.keys(toScenarios([a, b]))).toEqual(['baseline-0', 'spike-1']);
  });
});

describe('drill load planning', () => {
  it('runs profiles in sequence unless they name their start', () => {
    const d = drill([
      { profile: 'baseline', rate: 10, duration: '20s' },
      { profile: 'spike', baseRate: 10, peakRate: 50, warmup: '5s', rampUp: '5s', hold: '10s', rampDown: '5s', recovery: '5s' },
      { profile: 'vu-ramp', at: '0s', stages: [{ duration: '50s', target: 20 }], requests: ['b'] },
    ]);
    const plan = planDrill(d, 1);
    expect(plan.profiles.map((p) => [p.kind, p.startMs, p.durationMs])).toEqual([
      ['baseline', 0, 20_000],
      ['spike', 20_000, 30_000],
      ['vu-ramp', 0, 50_000],
    ]);
    expect(plan.totalMs).toBe(50_000);
    expect(plan.profiles[2].scenario.env).toEqual({ GAMEDAY_PROFILE: '2' });
  });

  it('time-scale multiplies every duration on the timeline and nothing else', () => {
    const d = drill(
      [
        { profile: 'baseline', rate: 10, duration: '20s' },
        { profile: 'spike', baseRate: 10, peakRate: 50, warmup: '5s', rampUp: '5s', hold: '10s', rampDown: '5s', recovery: '5s' },
        { profile: 'vu-ramp', at: '10s', stages: [{ duration: '40s', target: 20 }] },
      ],
      [{ name: 'f', action: 'latency', target: 'svc', at: '20s', duration: '10s', latency: '300ms' }],
    );
    const full = planDrill(d, 1);
    const fast = planDrill(d, 0.1);
    expect(fast.totalMs).toBe(full.totalMs / 10);
    expect(fast.profiles.map((p) => [p.startMs, p.durationMs])).toEqual(full.profiles.map((p) => [p.startMs / 10, p.durationMs / 10]));
    expect(fast.profiles[1].scenario.stages).toEqual([
      { duration: '500ms', target: 10 },
      { duration: '500ms', target: 50 },
      { duration: '1000ms', target: 50 },
      { duration: '500ms', target: 10 },
      { duration: '500ms', target: 10 },
    ]);
    // rates and VU targets are not durations
    expect(fast.profiles[0].scenario.rate).toBe(10);
    expect(fast.profiles[2].scenario.stages).toEqual([{ duration: '4000ms', target: 20 }]);
    expect(fast.faults[0]).toMatchObject({ startMs: 2000, endMs: 3000 });
    expect(fast.faults[0].fault).toMatchObject({ latency: 300 });
    expect(fast.partners[0].behaviours.map((b) => b.atMs)).toEqual([0, 3000]);
    expect(fast.partners[0].behaviours[1].retryAfter).toBe(2);
    expect(fast.phases).toEqual(full.phases.map((w) => ({ ...w, startMs: w.startMs / 10, endMs: w.endMs / 10 })));
  });

  it('rejects a profile naming an unknown request, and a spike that does not go up', () => {
    expect(() => drill([{ profile: 'baseline', rate: 1, duration: '1s', requests: ['zzz'] }])).toThrow(/load\.profiles\[0\]\.requests\[0\]: no request named "zzz"/);
    expect(() => drill([{ profile: 'spike', baseRate: 10, peakRate: 5, warmup: '1s', rampUp: '1s', hold: '1s', rampDown: '1s', recovery: '1s' }])).toThrow(/load\.profiles\[0\]\.peakRate/);
  });
});

describe('execution segments', () => {
  it('splits 0..1 into N contiguous segments with the full sequence', () => {
    expect(segmentFiles(1)).toEqual([{ args: [], samples: 'k6_samples.ndjson.gz', summary: 'k6_summary.json', stderr: 'k6_stderr.log' }]);
    const three = segmentFiles(3);
    expect(three.map((s) => s.args)).toEqual([
      ['--execution-segment', '0:1/3', '--execution-segment-sequence', '0,1/3,2/3,1'],
      ['--execution-segment', '1/3:2/3', '--execution-segment-sequence', '0,1/3,2/3,1'],
      ['--execution-segment', '2/3:1', '--execution-segment-sequence', '0,1/3,2/3,1'],
    ]);
    expect(new Set(three.map((s) => s.samples)).size).toBe(3);
  });
});

describe('k6-operator manifests', () => {
  it('writes a TestRun with the parallelism, the script ConfigMap and arguments that keep the samples', () => {
    const m = k8sManifests({ name: 'Partner Hub', parallelism: 4, script: 'export default function () {}', secretEnv: ['GAMEDAY_WEBHOOK_SECRET_ACME'] });
    const tr = TestRun.parse(YAML.parse(m.testRun));
    expect(tr.spec.parallelism).toBe(4);
    expect(tr.metadata.name).toBe('partner-hub');
    const cm = YAML.parse(m.configMap);
    expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: tr.spec.script.configMap.name } });
    expect(cm.data[tr.spec.script.configMap.file]).toBe('export default function () {}');
    expect(tr.spec.arguments).toMatch(/--out json=\/output\/k6_samples\.ndjson\.gz/);
    expect(tr.spec.runner?.env?.[0]).toMatchObject({ name: 'GAMEDAY_WEBHOOK_SECRET_ACME', valueFrom: { secretKeyRef: { key: 'GAMEDAY_WEBHOOK_SECRET_ACME' } } });
    // no secret value is written into the manifests
    expect(m.testRun + m.configMap).not.toMatch(/whsec_/);
  });

  it('the CRD schema rejects what the operator would reject', () => {
    const ok = TestRun.parse(YAML.parse(k8sManifests({ name: 'x', parallelism: 1, script: '' }).testRun));
    expect(() => TestRun.parse({ ...ok, spec: { ...ok.spec, parallelism: 0 } })).toThrow();
    expect(() => TestRun.parse({ ...ok, spec: { ...ok.spec, cleanup: 'always' } })).toThrow();
    expect(() => TestRun.parse({ ...ok, spec: { ...ok.spec, script: { configMap: { name: 'x' } } } })).toThrow();
    expect(() => TestRun.parse({ ...ok, apiVersion: 'k6.io/v1' })).toThrow();
  });
});
