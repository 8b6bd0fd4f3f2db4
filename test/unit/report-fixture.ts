// A finished run for the report tests: real aggregator, real verdicts and decision.
import { decide } from '../../src/judge/decide.ts';
import { parsePolicy } from '../../src/judge/policy.ts';
import { buildReportData, type ReportData } from '../../src/report/data.ts';
import { evaluateSlos } from '../../src/judge/evaluate.ts';
import { PHASES, run, slos, T0 } from './slo-fixtures.ts';

/** `partnerRoutes`: the partner is defined with routes, and its 429 storm on GET /offers is a partner outage. */
export function finishedRun(opts: { timeScale?: number; title?: string; partnerRoutes?: boolean } = {}): ReportData {
  // 20 req/s; the fault (20–40 s) slows requests to 300 ms and fails 20% of them; 3 s to recover
  const metrics = run(20, (s) => (s >= 20 && s < 43 ? { failedShare: 0.2, durationMs: 300 + (s % 3) * 40 } : { durationMs: 20 + (s % 5) }));
  const list = slos([
    { name: 'offers-p95-steady', kind: 'latency', phase: 'steady', request: 'offers', percentile: 95, below: '250ms' },
    { name: 'errors-during-fault', kind: 'error-rate', phase: 'fault', below: '2%' },
    { name: 'offers-recovers', kind: 'recovery-time', fault: 'f', sli: { metric: 'error-rate', below: '1%' }, within: '10s' },
    { name: 'budget', kind: 'error-budget-burn', objective: '99%', maxBurn: '100%', severity: 'advisory' },
  ]);
  const faults = {
    f: { injectedAtMs: 20_050, revertedAtMs: 40_020 },
  };
  const verdicts = evaluateSlos(list, { metrics, t0: T0, faults, figures: {}, phases: PHASES, durationMs: 60_000 });
  const policy = parsePolicy({ waivers: [{ slo: 'errors-during-fault', owner: 'sre-oncall@acme.test', reason: 'PERF-9 <fallback> not deployed yet', expires: '2026-12-31' }] }, 'policy.yaml');
  const decision = decide(verdicts, [], { policy, now: new Date(T0) });
  return buildReportData({
    drill: { name: opts.title ?? 'partner-hub-baseline', app: 'APP2', description: 'March 2024 rate-limit storm replay' },
    runId: '20261123T191400Z-abc123',
    startedAt: new Date(T0 - 5000).toISOString(),
    endedAt: new Date(T0 + 62_000).toISOString(),
    decision,
    timeScale: opts.timeScale ?? 1,
    durationMs: 60_000,
    phases: PHASES,
    t0: T0,
    faults: [
      {
        name: 'f',
        action: 'down',
        driver: 'toxiproxy',
        target: { service: 'partner-hub' },
        params: {},
        scheduled: { startMs: 20_000, endMs: 40_000 },
        injectedAt: new Date(T0 + 20_050).toISOString(),
        revertedAt: new Date(T0 + 40_020).toISOString(),
        outcome: 'reverted',
        error: null,
      },
      {
        name: 'slow',
        action: 'latency',
        driver: 'toxiproxy',
        target: { service: 'partner-hub' },
        params: { latency: 300, jitter: 0 },
        scheduled: { startMs: 45_000, endMs: 50_000 },
        injectedAt: null,
        revertedAt: null,
        outcome: 'not-started',
        error: null,
      },
    ],
    partners: opts.partnerRoutes ? [ROUTED_PARTNER] : [{ name: 'acme', behaviours: STORM }],
    partnerOutages: opts.partnerRoutes ? [{ name: 'partner:acme GET /offers', partner: 'acme', route: 'GET /offers', reasons: ['status 429'], scheduled: { startMs: 20_000, endMs: 40_000 }, lastsToEnd: false }] : [],
    metrics,
    tools: { gameday: '0.1.0', node: 'v20.20.2', k6: 'v1.7.1', toxiproxy: '2.12.0' },
  });
}

const STORM = [
  { atMs: 0, status: 200, latencyMs: 20 },
  { atMs: 20_000, status: 429, retryAfter: 1 },
  { atMs: 40_000, status: 200 },
];

/** A partner with routes only (no timeline for every other path), as the catalogue's partners are. */
const ROUTED_PARTNER = {
  name: 'acme',
  behaviours: [],
  routes: [
    { name: 'GET /offers', behaviours: STORM },
    { name: 'charge', behaviours: [{ atMs: 0, status: 201 }, { atMs: 45_000, kind: 'hang' }, { atMs: 45_500, status: 201 }] },
  ],
};
