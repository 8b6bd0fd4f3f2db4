// Recovery after a fault: from the fault's revert, how long until an SLI is back within its
// objective and stays there for a hold period. Used for recovery-time (a windowed SLI of the
// load: error rate or a latency percentile per 1-s window) and backlog-drain (a SUT metric
// read during the run). Pure.
import type { Slo } from '../schema/drill.ts';
import type { SloContext } from './context.ts';
import { CHAOS_FILE, duration, faultWords, round, SAMPLES_FILE, SUT_METRICS_FILE, verdictBase, type Verdict } from './verdict.ts';

/** One observation of an SLI: a window [tMs, tMs + windowMs) or an instant (windowMs 0). */
export interface SliPoint {
  /** ms after t0 */
  tMs: number;
  /** within objective; null: no data in this window (neither good nor bad) */
  good: boolean | null;
}

export type RecoveryResult =
  | { recovered: true; recoveredAtMs: number; recoveryMs: number; relapses: number }
  | {
      recovered: false;
      /** never-good: never within objective after the revert; relapsed: good, then bad within the hold; not-held: good until the data ended, shorter than the hold */
      why: 'never-good' | 'relapsed' | 'not-held';
      relapses: number;
      /** start of the last good stretch, when there was one */
      lastGoodFromMs: number | null;
      /** how long the last good stretch lasted before the data ended or it relapsed */
      lastGoodForMs: number;
      /** the last observation considered */
      dataEndMs: number | null;
    };

/**
 * Scans `points` (ascending) from `fromMs`: the SLI has recovered at the start of the first
 * stretch of good observations that lasts at least `holdMs` with no bad one in it. Gaps (null)
 * neither break nor extend a stretch by themselves. With `windowMs` > 0 the window containing
 * `fromMs` counts (recovery time 0 if it is already good).
 */
export function recoveryAfter(points: readonly SliPoint[], fromMs: number, holdMs: number, windowMs: number): RecoveryResult {
  let candidate: number | null = null;
  let relapses = 0;
  let lastGoodFrom: number | null = null;
  let lastGoodFor = 0;
  let dataEnd: number | null = null;
  let sawGood = false;
  let relapsedLast = false;
  for (const p of points) {
    const relevant = windowMs > 0 ? p.tMs + windowMs > fromMs : p.tMs >= fromMs;
    if (!relevant || p.good === null) continue;
    dataEnd = p.tMs + windowMs;
    if (p.good) {
      sawGood = true;
      relapsedLast = false;
      if (candidate === null) candidate = Math.max(p.tMs, fromMs);
      lastGoodFrom = candidate;
      lastGoodFor = p.tMs + windowMs - candidate;
      if (lastGoodFor >= holdMs) return { recovered: true, recoveredAtMs: candidate, recoveryMs: candidate - fromMs, relapses };
    } else if (candidate !== null) {
      relapses++;
      relapsedLast = true;
      candidate = null;
    }
  }
  return {
    recovered: false,
    why: !sawGood ? 'never-good' : relapsedLast ? 'relapsed' : 'not-held',
    relapses,
    lastGoodFromMs: lastGoodFrom,
    lastGoodForMs: lastGoodFor,
    dataEndMs: dataEnd,
  };
}

function describeFailure(r: Extract<RecoveryResult, { recovered: false }>, holdMs: number, what: string): string {
  if (r.why === 'never-good') return `${what} was never within objective after the revert${r.dataEndMs !== null ? ` (data until +${duration(r.dataEndMs)})` : ''}`;
  if (r.why === 'relapsed') return `${what} came back ${r.relapses} time(s) but relapsed each time within the ${duration(holdMs)} hold`;
  return `${what} was within objective from +${duration(r.lastGoodFromMs ?? 0)} but the data ended after ${duration(r.lastGoodForMs)}, before the ${duration(holdMs)} hold${r.relapses ? ` (${r.relapses} relapse(s) before)` : ''}`;
}

type RecoverySlo = Extract<Slo, { kind: 'recovery-time' }>;

/** The windowed SLI of a recovery-time SLO, one point per 1-s window with samples, ms after t0. */
export function recoverySli(slo: RecoverySlo, ctx: SloContext): SliPoint[] {
  const sli = slo.sli;
  const windows = ctx.metrics.windows.series({ request: slo.request, percentiles: sli.metric === 'latency' ? [sli.percentile] : [] });
  return windows.map((w) => {
    let good: boolean | null;
    if (sli.metric === 'error-rate') good = w.errorRate === null ? null : w.errorRate < sli.below;
    else good = w.percentiles === null ? null : w.percentiles[0] < sli.below;
    return { tMs: w.second * 1000 - ctx.t0, good };
  });
}

function sliText(slo: RecoverySlo): string {
  return slo.sli.metric === 'error-rate' ? `error rate < ${round(slo.sli.below * 100, 4)}%` : `p(${slo.sli.percentile}) < ${slo.sli.below} ms`;
}

/** The fault's revert time, or why there is none. */
function revertOf(fault: string, ctx: SloContext): { ms: number } | { missing: string } {
  const times = ctx.faults[fault];
  const w = faultWords(fault);
  if (!times) return { missing: `${w.what} is not in the run's fault records` };
  if (times.injectedAtMs === null) return { missing: `${w.what} ${w.neverStarted}` };
  if (times.revertedAtMs === null) return { missing: `${w.what} ${w.neverEnded}` };
  return { ms: times.revertedAtMs };
}

/**
 * The hold, on the run's clock: it is a stretch of the timeline, so a compressed run holds for
 * the compressed time (the recovery objective itself, `within`, is the system's and is not scaled).
 */
function holdOf(slo: { hold: number }, ctx: SloContext): { ms: number; text: string } {
  const scale = ctx.timeScale ?? 1;
  const ms = Math.round(slo.hold * scale);
  return { ms, text: scale === 1 ? duration(ms) : `${duration(ms)} (${duration(slo.hold)} declared, time-scale ${scale})` };
}

export function evaluateRecoveryTime(slo: RecoverySlo, ctx: SloContext): Verdict {
  const base = verdictBase(slo, [SAMPLES_FILE, CHAOS_FILE]);
  const what = `${sliText(slo)} per 1-s window${slo.request ? ` (request ${slo.request})` : ''}`;
  const hold = holdOf(slo, ctx);
  const f = faultWords(slo.fault);
  const objective = `${what} within ${duration(slo.within)} of ${f.what} ${f.ended}, held ${hold.text}`;
  const revert = revertOf(slo.fault, ctx);
  if ('missing' in revert) return { ...base, objective, observed: null, unit: 'ms', samples: 0, pass: false, reason: 'no-evidence', detail: revert.missing };
  const points = recoverySli(slo, ctx);
  const after = points.filter((p) => p.tMs + 1000 > revert.ms && p.good !== null);
  if (after.length === 0) return { ...base, objective, observed: null, unit: 'ms', samples: 0, pass: false, reason: 'no-evidence', detail: `no samples after ${f.what} ${f.wasEnded} at +${duration(revert.ms)}` };
  const r = recoveryAfter(points, revert.ms, hold.ms, 1000);
  if (!r.recovered) {
    return { ...base, objective, observed: null, unit: 'ms', samples: after.length, pass: false, reason: 'never-recovered', detail: `${describeFailure(r, hold.ms, sliText(slo))}; ${f.what} ${f.ended} at +${duration(revert.ms)}` };
  }
  const pass = r.recoveryMs <= slo.within;
  return {
    ...base,
    objective,
    observed: r.recoveryMs,
    unit: 'ms',
    samples: after.length,
    pass,
    reason: pass ? 'met' : 'breached',
    detail: `back within objective ${duration(r.recoveryMs)} after ${f.what} ${f.wasEnded} (+${duration(revert.ms)}), held ${hold.text}${r.relapses ? ` after ${r.relapses} relapse(s)` : ''}; 1-s windows`,
  };
}

type BacklogSlo = Extract<Slo, { kind: 'backlog-drain' }>;

export function evaluateBacklogDrain(slo: BacklogSlo, ctx: SloContext): Verdict {
  const base = verdictBase(slo, [SUT_METRICS_FILE, CHAOS_FILE]);
  const hold = holdOf(slo, ctx);
  const f = faultWords(slo.fault);
  const objective = `${slo.metric} ≤ ${slo.atMost} within ${duration(slo.within)} of ${f.what} ${f.ended}${slo.hold ? `, held ${hold.text}` : ''}`;
  const revert = revertOf(slo.fault, ctx);
  if ('missing' in revert) return { ...base, objective, observed: null, unit: 'ms', samples: 0, pass: false, reason: 'no-evidence', detail: revert.missing };
  const readings = ctx.series?.[slo.metric];
  if (!readings || readings.length === 0) return { ...base, objective, observed: null, unit: 'ms', samples: 0, pass: false, reason: 'no-evidence', detail: `no readings of ${slo.metric} from ${slo.path}` };
  const points: SliPoint[] = [...readings].sort((a, b) => a.timeMs - b.timeMs).map((p) => ({ tMs: p.timeMs, good: Number.isFinite(p.value) ? p.value <= slo.atMost : null }));
  const after = points.filter((p) => p.tMs >= revert.ms && p.good !== null);
  if (after.length === 0) return { ...base, objective, observed: null, unit: 'ms', samples: 0, pass: false, reason: 'no-evidence', detail: `no readings of ${slo.metric} after ${f.what} ${f.wasEnded} at +${duration(revert.ms)}` };
  const r = recoveryAfter(points, revert.ms, hold.ms, 0);
  if (!r.recovered) {
    return { ...base, objective, observed: null, unit: 'ms', samples: after.length, pass: false, reason: 'never-recovered', detail: `${describeFailure(r, hold.ms, `${slo.metric} ≤ ${slo.atMost}`)}; ${f.what} ${f.ended} at +${duration(revert.ms)}` };
  }
  const pass = r.recoveryMs <= slo.within;
  const peak = readings.reduce((m, p) => (p.timeMs >= revert.ms && p.value > m ? p.value : m), -Infinity);
  return {
    ...base,
    objective,
    observed: r.recoveryMs,
    unit: 'ms',
    samples: after.length,
    pass,
    reason: pass ? 'met' : 'breached',
    detail: `${slo.metric} drained to ≤ ${slo.atMost} ${duration(r.recoveryMs)} after ${f.what} ${f.wasEnded} (peak after revert ${round(peak, 3)})`,
  };
}
