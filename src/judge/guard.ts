// Guards, judged (pure): what one reading of a guard's window, PromQL answer or HTTP probe says —
// tripped or not, and what was observed, in words — and the reason a tripped guard gives the
// decision. The run's guard task (src/run/guards.ts) takes the readings; this only judges them.
import type { GuardHttp, GuardPrometheus, GuardWindow } from '../schema/guards.ts';

export interface GuardReading {
  tripped: boolean;
  /** what was observed, for the decision and the evidence */
  observed: string;
  /** the figure compared with the bound; null when there was none to compare */
  value: number | null;
}

/** One series of a PromQL answer (src/targets/promql.ts PromSeries): its labels and [unix ms, value] points. */
export interface GuardSeries {
  labels: Readonly<Record<string, string>>;
  points: ReadonlyArray<readonly [number, number]>;
}

/** The guard that aborted the run: when (ms after t0) and on what. */
export interface GuardTrip {
  guard: string;
  kind: 'window' | 'prometheus' | 'http';
  /** ms after t0 of the reading that tripped it */
  atMs: number;
  observed: string;
  /** ms after t0 when every fault had been reverted (and verified) after the trip; null when a revert failed */
  revertedAtMs: number | null;
}

/** Figures of a window of 1-s buckets (WindowStore.summary), and its percentile when asked. */
export interface WindowFigures {
  /** http_req_failed samples */
  total: number;
  failed: number;
  /** http_req_duration samples */
  durations: number;
  /** the window's latency percentile in ms (latency guards); null without samples */
  percentileMs: number | null;
}

/** The epoch seconds a window guard reads at `nowMs`: the last `overMs`, whole seconds, the current (partial) one included. */
export function windowSeconds(nowMs: number, overMs: number): { fromSecond: number; toSecond: number } {
  return { fromSecond: Math.floor((nowMs - overMs) / 1000), toSecond: Math.floor(nowMs / 1000) };
}

const pct = (x: number) => `${(x * 100).toFixed(1).replace(/\.0$/, '')}%`;
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2).replace(/\.?0+$/, '')} s` : `${Math.round(x)} ms`);
const secs = (x: number) => `${(x / 1000).toFixed(1).replace(/\.0$/, '')} s`;

export function judgeWindow(w: GuardWindow, f: WindowFigures): GuardReading {
  const scope = `over the last ${secs(w.over)}${w.request ? ` (request ${w.request})` : ''}`;
  if (w.metric === 'error-rate') {
    if (f.total < w.minSamples) return { tripped: false, observed: `${f.total} requests ${scope}, fewer than minSamples ${w.minSamples}: not judged`, value: null };
    const rate = f.failed / f.total;
    return { tripped: rate > w.above, observed: `error rate ${pct(rate)} ${scope} (${f.failed} of ${f.total} requests failed); threshold ${pct(w.above)}`, value: rate };
  }
  const label = `p(${w.percentile})`;
  if (f.durations < w.minSamples || f.percentileMs === null) return { tripped: false, observed: `${f.durations} samples ${scope}, fewer than minSamples ${w.minSamples}: not judged`, value: null };
  return { tripped: f.percentileMs > w.above, observed: `${label} ${ms(f.percentileMs)} ${scope} (${f.durations} samples); threshold ${ms(w.above)}`, value: f.percentileMs };
}

/** An instant query's answer: trips when any series is beyond the bound; no series is no data (not tripped). */
export function judgePrometheus(p: GuardPrometheus, series: readonly GuardSeries[]): GuardReading {
  const points = series.flatMap((s) => s.points.slice(-1).map(([, v]) => ({ v, labels: s.labels }))).filter((x) => Number.isFinite(x.v));
  if (points.length === 0) return { tripped: false, observed: `${p.query}: no data`, value: null };
  const above = p.above !== undefined;
  const worst = points.reduce((a, b) => ((above ? b.v > a.v : b.v < a.v) ? b : a));
  const labels = Object.entries(worst.labels).map(([k, v]) => `${k}="${v}"`).join(',');
  const bound = above ? `> ${p.above}` : `< ${p.below}`;
  return { tripped: above ? worst.v > p.above! : worst.v < p.below!, observed: `${p.query} = ${worst.v}${labels ? ` {${labels}}` : ''}; trips at ${bound}`, value: worst.v };
}

/** One HTTP probe: its status (null: no answer) and how long it took. */
export interface HttpProbe {
  url: string;
  status: number | null;
  ms: number;
  error?: string;
}

export function judgeHttp(h: GuardHttp, probe: HttpProbe): GuardReading {
  const expected = `expected ${h.status} within ${ms(h.within)}`;
  if (probe.status === null) return { tripped: true, observed: `GET ${probe.url}: no answer after ${ms(probe.ms)} (${probe.error ?? 'no response'}); ${expected}`, value: null };
  return { tripped: probe.status !== h.status || probe.ms > h.within, observed: `GET ${probe.url} answered ${probe.status} in ${ms(probe.ms)}; ${expected}`, value: probe.ms };
}

/** The first line of the decision of a run a guard aborted. */
export function guardReason(trip: Pick<GuardTrip, 'guard' | 'atMs' | 'observed'>): string {
  return `aborted by guard ${trip.guard} at +${(trip.atMs / 1000).toFixed(1)}s: ${trip.observed}`;
}

/**
 * When an error-rate window guard's condition first held, replayed over the run's samples
 * (http_req_failed: epoch ms and failed or not, any order): the same window as the live guard,
 * at the instant of each sample. Epoch ms, or null when it never held. The benchmark and the
 * integration test measure the guard's reaction from here.
 */
export function firstErrorRateCrossing(w: Extract<GuardWindow, { metric: 'error-rate' }>, samples: ReadonlyArray<{ timeMs: number; failed: boolean }>): number | null {
  const sorted = [...samples].sort((a, b) => a.timeMs - b.timeMs);
  const perSecond = new Map<number, { total: number; failed: number }>();
  for (const s of sorted) {
    const second = Math.floor(s.timeMs / 1000);
    const b = perSecond.get(second) ?? { total: 0, failed: 0 };
    b.total++;
    if (s.failed) b.failed++;
    perSecond.set(second, b);
    const { fromSecond, toSecond } = windowSeconds(s.timeMs, w.over);
    let total = 0;
    let failed = 0;
    for (let sec = fromSecond; sec <= toSecond; sec++) {
      const x = perSecond.get(sec);
      if (x) (total += x.total), (failed += x.failed);
    }
    if (judgeWindow(w, { total, failed, durations: 0, percentileMs: null }).tripped) return s.timeMs;
  }
  return null;
}
