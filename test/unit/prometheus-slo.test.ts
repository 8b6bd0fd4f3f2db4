import { describe, expect, it } from 'vitest';
import { evaluatePrometheusSlo, prometheusSloWindow, reduceSeries } from '../../src/judge/prometheus-slo.ts';
import { PrometheusSlo, type TelemetryRecord } from '../../src/schema/telemetry.ts';
import { resolveHeaders } from '../../src/targets/telemetry.ts';

const record = (series: [number, number][][], status: TelemetryRecord['status'] = 'ok'): TelemetryRecord => ({
  for: 'x',
  query: 'q',
  server: 'http://127.0.0.1:9090',
  startMs: 0,
  endMs: 10_000,
  stepMs: 1000,
  status,
  series: series.map((points, i) => ({ labels: { replica: String(i) }, points })),
});

const slo = (extra: Record<string, unknown>) => PrometheusSlo.parse({ name: 'server-5xx', kind: 'prometheus', query: 'sum(rate(x[5s]))', ...extra });

describe('PrometheusSlo schema', () => {
  it('defaults step 1s and reduce max, and asks for exactly one bound', () => {
    expect(slo({ atMost: 0.05 })).toMatchObject({ step: 1000, reduce: 'max', severity: 'blocking' });
    expect(PrometheusSlo.safeParse({ name: 'a', kind: 'prometheus', query: 'up' }).error?.issues[0]?.message).toMatch(/exactly one bound/);
    expect(PrometheusSlo.safeParse({ name: 'a', kind: 'prometheus', query: 'up', atMost: 1, afterFault: 'f' }).error?.issues[0]?.message).toMatch(/afterFault and within/);
  });
});

describe('reduceSeries', () => {
  const r = record([[[0, 1], [1000, 5], [2000, 3]], [[0, 2], [1000, NaN], [2000, 4]]]);
  it('reduces every finite point of every series', () => {
    expect(reduceSeries(r, 'max', 'atMost')).toBe(5);
    expect(reduceSeries(r, 'min', 'atMost')).toBe(1);
    expect(reduceSeries(r, 'avg', 'atMost')).toBe(3);
    expect(reduceSeries(r, 'every', 'atLeast')).toBe(1);
    expect(reduceSeries(r, 'last', 'atMost')).toBe(4);
    expect(reduceSeries(r, 'last', 'atLeast')).toBe(3);
  });
  it('is null without a finite point', () => {
    expect(reduceSeries(record([]), 'max', 'atMost')).toBeNull();
    expect(reduceSeries(record([[[0, NaN]]]), 'avg', 'atMost')).toBeNull();
  });
});

describe('evaluatePrometheusSlo', () => {
  it('passes and breaches on the reduction', () => {
    expect(evaluatePrometheusSlo(slo({ atMost: 5 }), record([[[0, 5]]]))).toMatchObject({ pass: true, reason: 'met', observed: 5, kind: 'prometheus' });
    expect(evaluatePrometheusSlo(slo({ atMost: 0.05, reduce: 'avg' }), record([[[0, 0], [1, 0.2]]]))).toMatchObject({ pass: false, reason: 'breached', observed: 0.1 });
  });
  it('is no-evidence for no data, a failed query, a query never asked, or no window', () => {
    expect(evaluatePrometheusSlo(slo({ atMost: 1 }), record([]))).toMatchObject({ pass: false, reason: 'no-evidence' });
    const failed = { ...record([]), status: 'unreachable' as const, error: 'connect ECONNREFUSED' };
    expect(evaluatePrometheusSlo(slo({ atMost: 1 }), failed).detail).toMatch(/unreachable: connect ECONNREFUSED/);
    expect(evaluatePrometheusSlo(slo({ atMost: 1 }), undefined)).toMatchObject({ reason: 'no-evidence' });
    expect(evaluatePrometheusSlo(slo({ atMost: 1 }), record([[[0, 0]]]), 'fault f was never reverted')).toMatchObject({ reason: 'no-evidence', pass: false });
  });
});

describe('prometheusSloWindow', () => {
  const w = { runStartMs: 1000, runEndMs: 61_000, phases: [{ phase: 'steady', startMs: 1000, endMs: 21_000 }, { phase: 'fault', startMs: 21_000, endMs: 41_000 }, { phase: 'recovery', startMs: 41_000, endMs: 61_000 }], revertedAtMs: { 'kill-db': 41_000 } };
  it('covers a phase, the recovery window after a fault, or the run', () => {
    expect(prometheusSloWindow(slo({ atMost: 1, phase: 'fault' }), w)).toEqual({ startMs: 21_000, endMs: 41_000 });
    expect(prometheusSloWindow(slo({ atMost: 1, afterFault: 'kill-db', within: '10s' }), w)).toEqual({ startMs: 41_000, endMs: 51_000 });
    expect(prometheusSloWindow(slo({ atMost: 1 }), w)).toEqual({ startMs: 1000, endMs: 61_000 });
    expect(prometheusSloWindow(slo({ atMost: 1, afterFault: 'other', within: '10s' }), w)).toEqual({ missing: 'fault other was never reverted' });
  });
});

describe('resolveHeaders', () => {
  it('reads env: values and names a missing variable', () => {
    expect(resolveHeaders({ authorization: 'env:TOKEN', 'x-org': 'a' }, { TOKEN: 'Bearer t' })).toEqual({ authorization: 'Bearer t', 'x-org': 'a' });
    expect(() => resolveHeaders({ authorization: 'env:NOPE' }, {})).toThrow(/NOPE is not set/);
  });
});

describe('the drill schema', () => {
  it('knows the same phases as the drill and takes kind: prometheus SLOs and telemetry', async () => {
    const { PHASES, Slo, SLO_KINDS } = await import('../../src/schema/drill.ts');
    const { TELEMETRY_PHASES, Telemetry } = await import('../../src/schema/telemetry.ts');
    expect([...TELEMETRY_PHASES]).toEqual([...PHASES]);
    expect(SLO_KINDS).toContain('prometheus');
    expect(Slo.parse({ name: 'p95', kind: 'prometheus', query: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[30s])))', atMost: 0.25, phase: 'fault' })).toMatchObject({ kind: 'prometheus', reduce: 'max' });
    expect(Telemetry.parse({ prometheus: { managed: true } })).toEqual({ prometheus: { managed: true, scrapeInterval: 1000, metricsPath: '/metrics' } });
    expect(Telemetry.safeParse({ prometheus: { managed: true, url: 'http://x' } }).success).toBe(false);
  });
});

describe('the run windows and requests', () => {
  it('are the plan windows in epoch ms, cut where the load ended, and one range query per PromQL SLO', async () => {
    const { runWindows, telemetryRequests } = await import('../../src/run/telemetry.ts');
    const w = runWindows(1_000_000, [{ phase: 'steady', startMs: 0, endMs: 5000 }, { phase: 'fault', startMs: 5000, endMs: 10_000 }, { phase: 'recovery', startMs: 10_000, endMs: 20_000 }], { f: { revertedAtMs: 10_000 }, g: { revertedAtMs: null } }, 20_000, 1_012_000);
    expect(w).toEqual({ runStartMs: 1_000_000, runEndMs: 1_012_000, phases: [{ phase: 'steady', startMs: 1_000_000, endMs: 1_005_000 }, { phase: 'fault', startMs: 1_005_000, endMs: 1_010_000 }, { phase: 'recovery', startMs: 1_010_000, endMs: 1_012_000 }], revertedAtMs: { f: 1_010_000 } });
    const drill = { slos: [slo({ atMost: 1, phase: 'fault' }), { ...slo({ atMost: 1, afterFault: 'g', within: '5s' }), name: 'after-g' }] } as unknown as import('../../src/schema/drill.ts').Drill;
    expect(telemetryRequests(drill, w)).toEqual({ requests: [{ for: 'server-5xx', query: 'sum(rate(x[5s]))', startMs: 1_005_000, endMs: 1_010_000, stepMs: 1000 }], windowProblems: { 'after-g': 'fault g was never reverted' } });
  });
});
