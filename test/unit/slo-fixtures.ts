// Shared fixtures of the SLO tests: drills through the real schema, k6 lines into a real aggregator.
import { parseDrill } from '../../src/schema/load.ts';
import { MetricsAggregator } from '../../src/metrics/aggregate.ts';
import type { Slo } from '../../src/schema/drill.ts';

/** A valid drill around `slos` (one fault "f" at 20–40 s, partner "acme"), through the real schema. */
export function drillWith(slos: unknown[], extra: Record<string, unknown> = {}) {
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
      partners: [{ name: 'acme', behaviours: [{ at: '0s', status: 200 }] }],
      faults: [{ name: 'f', action: 'down', target: 'svc', at: '20s', duration: '20s' }],
      slos,
      ...extra,
    },
    'slo-test.yaml',
  );
}

export function slos(list: unknown[]): Slo[] {
  return drillWith(list).slos;
}

export const slo = (s: unknown): Slo => slos([s])[0];

/** t0 of the synthetic runs: on a second boundary, so that 1-s windows start at t0 + k s. */
export const T0 = Date.UTC(2026, 10, 23, 19, 14, 0);

export function newAggregator(opts: ConstructorParameters<typeof MetricsAggregator>[0] = {}): MetricsAggregator {
  const agg = new MetricsAggregator(opts);
  for (const [name, type] of [
    ['http_req_duration', 'trend'],
    ['http_req_failed', 'rate'],
    ['http_reqs', 'counter'],
  ]) {
    agg.ingestLine(JSON.stringify({ type: 'Metric', data: { name, type, contains: type === 'trend' ? 'time' : 'default', thresholds: [], submetrics: null }, metric: name }));
  }
  return agg;
}

export interface Req {
  /** ms after T0 */
  atMs: number;
  phase?: string;
  request?: string;
  durationMs?: number;
  failed?: boolean;
}

/** One k6 request as its three Point lines. */
export function addRequest(agg: MetricsAggregator, r: Req): void {
  const time = new Date(T0 + r.atMs).toISOString();
  const tags: Record<string, string> = { status: r.failed ? '503' : '200' };
  if (r.phase) tags.phase = r.phase;
  if (r.request) tags.request = r.request;
  for (const [metric, value] of [
    ['http_reqs', 1],
    ['http_req_duration', r.durationMs ?? 10],
    ['http_req_failed', r.failed ? 1 : 0],
  ] as const) {
    agg.ingestLine(JSON.stringify({ metric, type: 'Point', data: { time, value, tags } }));
  }
}

export function phaseAtMs(ms: number): string {
  return ms < 20_000 ? 'steady' : ms < 40_000 ? 'fault' : 'recovery';
}

export const PHASES = [
  { phase: 'steady' as const, startMs: 0, endMs: 20_000 },
  { phase: 'fault' as const, startMs: 20_000, endMs: 40_000 },
  { phase: 'recovery' as const, startMs: 40_000, endMs: 60_000 },
];

/**
 * A 60-s run at `perSecond` requests/s; `second → { failedShare, durationMs }` says how each
 * second behaves (default: no failure, 20 ms).
 */
export function run(perSecond: number, shape: (second: number) => { failedShare?: number; durationMs?: number }, seconds = 60, request = 'offers'): MetricsAggregator {
  const agg = newAggregator();
  for (let s = 0; s < seconds; s++) {
    const { failedShare = 0, durationMs = 20 } = shape(s);
    const failures = Math.round(perSecond * failedShare);
    for (let i = 0; i < perSecond; i++) {
      const atMs = s * 1000 + Math.floor((i * 1000) / perSecond);
      addRequest(agg, { atMs, phase: phaseAtMs(atMs), request, durationMs, failed: i < failures });
    }
  }
  return agg;
}
