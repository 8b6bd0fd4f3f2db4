// Figures of the load profiles themselves (pure): the drift of a soak between its first and its
// last tenth, and the breaking point of a stress ramp — the arrival rate at which the first
// latency or error-rate SLO of the drill broke, per 1-s window.
import type { Profile } from '../../scenarios/profiles.ts';
import type { MetricsAggregator } from '../metrics/aggregate.ts';
import type { Slo } from '../schema/drill.ts';
import { round } from './verdict.ts';

interface TenthFigures {
  requests: number;
  errorRate: number | null;
  p95: number | null;
}

export interface SoakDrift {
  profile: number;
  kind: 'soak';
  first: TenthFigures | null;
  last: TenthFigures | null;
  /** last p95 / first p95 − 1 (0.1 = 10% slower at the end); null without samples in either tenth */
  p95Drift: number | null;
  /** last error rate − first error rate (a difference of ratios); null without samples */
  errorRateDrift: number | null;
}

export interface BreakingPoint {
  profile: number;
  kind: 'stress';
  /** the SLO whose windowed SLI broke first; null when none broke during the ramp */
  brokenBy: string | null;
  /** ms after t0 of the first broken window */
  atMs: number | null;
  /** requests k6 completed in the last whole window before it (rps) */
  achievedRps: number | null;
  /** the arrival rate the ramp asked for then */
  targetRps: number | null;
  /** the highest rate the ramp asked for (when nothing broke: the SUT held up to it) */
  maxTargetRps: number;
}

export type ProfileFigure = SoakDrift | BreakingPoint;

function tenth(metrics: MetricsAggregator, fromSecond: number, toSecond: number): TenthFigures | null {
  const s = metrics.windows.summary({ fromSecond, toSecond, percentiles: [95] });
  return s ? { requests: s.requests, errorRate: s.errorRate === null ? null : round(s.errorRate, 6), p95: s.percentiles ? round(s.percentiles[0]) : null } : null;
}

/** The windowed SLIs a stress ramp is judged on: the drill's whole-run latency and error-rate SLOs. */
type WindowSlo = Extract<Slo, { kind: 'latency' | 'error-rate' }>;

export function profileFigures(profiles: readonly Profile[], metrics: MetricsAggregator, t0: number, slos: readonly Slo[]): ProfileFigure[] {
  const out: ProfileFigure[] = [];
  profiles.forEach((p, index) => {
    const startS = Math.floor((t0 + p.startMs) / 1000);
    const endS = Math.ceil((t0 + p.startMs + p.durationMs) / 1000) - 1;
    if (p.kind === 'soak') {
      const span = Math.max(1, Math.floor((endS - startS + 1) / 10));
      const first = tenth(metrics, startS, startS + span - 1);
      const last = tenth(metrics, endS - span + 1, endS);
      out.push({
        profile: index,
        kind: 'soak',
        first,
        last,
        p95Drift: first?.p95 && last?.p95 !== null && last?.p95 !== undefined ? round(last.p95 / first.p95 - 1, 4) : null,
        errorRateDrift: first?.errorRate !== null && first?.errorRate !== undefined && last?.errorRate !== null && last?.errorRate !== undefined ? round(last.errorRate - first.errorRate, 6) : null,
      });
    }
    if (p.kind === 'stress') {
      const judged = slos.filter((s): s is WindowSlo => (s.kind === 'latency' || s.kind === 'error-rate') && !s.phase);
      let broken: { slo: string; second: number } | null = null;
      for (const slo of judged) {
        const series = metrics.windows.series({ request: slo.request, fromSecond: startS, toSecond: endS, percentiles: slo.kind === 'latency' ? [slo.percentile] : [] });
        const bad = series.find((w) => (slo.kind === 'latency' ? w.percentiles !== null && w.percentiles[0] >= slo.below : w.errorRate !== null && w.errorRate >= slo.below));
        if (bad && (!broken || bad.second < broken.second)) broken = { slo: slo.name, second: bad.second };
      }
      const maxTargetRps = Math.max(p.targetAt(p.startMs), p.targetAt(p.startMs + p.durationMs - 1));
      if (!broken) {
        out.push({ profile: index, kind: 'stress', brokenBy: null, atMs: null, achievedRps: null, targetRps: null, maxTargetRps: round(maxTargetRps, 1) });
        return;
      }
      const before = metrics.windows.series({ fromSecond: broken.second - 1, toSecond: broken.second - 1 })[0];
      const atMs = broken.second * 1000 - t0;
      out.push({
        profile: index,
        kind: 'stress',
        brokenBy: broken.slo,
        atMs,
        achievedRps: before ? before.requests : null,
        targetRps: round(p.targetAt(atMs), 1),
        maxTargetRps: round(maxTargetRps, 1),
      });
    }
  });
  return out;
}
