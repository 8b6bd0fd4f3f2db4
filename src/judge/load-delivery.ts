// Did the run deliver the load it claims? An arrival-rate profile plans so many iterations a
// second; k6 drops those it has no VU for (`dropped_iterations`) — the SUT was too slow for the
// VUs given, or k6 itself was starved. A run that delivered less than its share of the planned
// arrivals did not test what it says it tested: it is invalid, with the figures. (Pure.)
import type { Profile } from '../../scenarios/profiles.ts';
import type { MetricsAggregator } from '../metrics/aggregate.ts';

export interface LoadDelivery {
  /** iterations the arrival-rate profiles planned (VU-driven profiles plan none) */
  planned: number;
  /** iterations k6 reported dropped */
  dropped: number;
  /** planned − dropped, as a share of planned; null when nothing was planned */
  deliveredShare: number | null;
  /** per second of the timeline: planned arrivals and what k6 started (planned − dropped) */
  perSecond: Array<{ second: number; planned: number; delivered: number }>;
}

const ARRIVAL_RATE = new Set(['constant-arrival-rate', 'ramping-arrival-rate']);

/** Planned vs delivered arrivals, second by second from t0 (epoch ms); up to `stoppedAtMs` (after t0) when the load was stopped early on purpose (a guard). */
export function loadDelivery(profiles: readonly Profile[], metrics: MetricsAggregator, t0: number, stoppedAtMs: number | null = null): LoadDelivery {
  const arrival = profiles.filter((p) => ARRIVAL_RATE.has(p.scenario.executor));
  const plannedEndMs = Math.max(0, ...arrival.map((p) => p.startMs + p.durationMs));
  const endMs = stoppedAtMs === null ? plannedEndMs : Math.min(plannedEndMs, Math.max(0, stoppedAtMs));
  const t0Second = Math.floor(t0 / 1000);
  const droppedAt = (second: number) => metrics.iterationsBySecond.get(t0Second + second)?.dropped ?? 0;
  const perSecond: LoadDelivery['perSecond'] = [];
  let planned = 0;
  let dropped = 0;
  for (let second = 0; second * 1000 < endMs; second++) {
    // the mean planned rate over this second (midpoint of the piecewise-linear target)
    const mid = second * 1000 + 500;
    const want = arrival.reduce((n, p) => n + (mid >= p.startMs && mid < p.startMs + p.durationMs ? p.targetAt(mid) : 0), 0);
    const lost = droppedAt(second);
    planned += want;
    dropped += lost;
    perSecond.push({ second, planned: Math.round(want * 100) / 100, delivered: Math.max(0, Math.round((want - lost) * 100) / 100) });
  }
  // drops k6 reports after the last planned second (its graceful stop) still count
  for (const [sec, it] of metrics.iterationsBySecond) if (sec - t0Second >= perSecond.length || sec < t0Second) dropped += it.dropped;
  return { planned: Math.round(planned), dropped, deliveredShare: planned > 0 ? Math.max(0, (planned - dropped) / planned) : null, perSecond };
}
