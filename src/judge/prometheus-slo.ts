// `kind: prometheus` SLOs, judged from what Prometheus answered (TelemetryRecord, collected after
// the load ended): the window a query covers, the reduction of its series, and the verdict. Pure.
// No series, no points, or a query that failed = "no-evidence", never a pass.
import type { PrometheusSlo, Reduction, TelemetryRecord } from '../schema/telemetry.ts';
import { TELEMETRY_FILE } from '../schema/telemetry.ts';
import { faultWords, round, verdictBase, type Verdict } from './verdict.ts';

export interface RunWindows {
  /** absolute ms */
  runStartMs: number;
  runEndMs: number;
  /** absolute ms windows of each phase of the timeline */
  phases: { phase: string; startMs: number; endMs: number }[];
  /** absolute ms at which each fault was reverted */
  revertedAtMs: Record<string, number>;
}

/** The [startMs, endMs] a PromQL SLO is judged over, or why there is none. */
export function prometheusSloWindow(slo: PrometheusSlo, w: RunWindows): { startMs: number; endMs: number } | { missing: string } {
  if (slo.afterFault) {
    const at = w.revertedAtMs[slo.afterFault];
    if (at === undefined) return { missing: `${faultWords(slo.afterFault).what} ${faultWords(slo.afterFault).neverEnded}` };
    return { startMs: at, endMs: Math.min(at + (slo.within ?? 0), Math.max(w.runEndMs, at)) };
  }
  if (slo.phase) {
    const ps = w.phases.filter((p) => p.phase === slo.phase);
    if (ps.length === 0) return { missing: `the timeline has no ${slo.phase} phase` };
    return { startMs: Math.min(...ps.map((p) => p.startMs)), endMs: Math.max(...ps.map((p) => p.endMs)) };
  }
  return { startMs: w.runStartMs, endMs: w.runEndMs };
}

/** The finite values of every series, in time order per series. */
function values(record: TelemetryRecord): number[] {
  return record.series.flatMap((s) => s.points.map(([, v]) => v)).filter((v) => Number.isFinite(v));
}

/**
 * The series reduced to one figure: max / min / avg of every point of every series, last = the
 * worst last point across series (max for atMost, min for atLeast); every = the worst point (same
 * figure as max/min, but the objective reads "every point"). Null when there are no finite points.
 */
export function reduceSeries(record: TelemetryRecord, reduce: Reduction, bound: 'atMost' | 'atLeast'): number | null {
  const worst = (xs: number[]) => (bound === 'atMost' ? Math.max(...xs) : Math.min(...xs));
  if (reduce === 'last') {
    const lasts = record.series.map((s) => s.points.filter(([, v]) => Number.isFinite(v)).at(-1)?.[1]).filter((v): v is number => v !== undefined);
    return lasts.length ? worst(lasts) : null;
  }
  const xs = values(record);
  if (xs.length === 0) return null;
  if (reduce === 'max') return Math.max(...xs);
  if (reduce === 'min') return Math.min(...xs);
  if (reduce === 'avg') return xs.reduce((a, b) => a + b, 0) / xs.length;
  return worst(xs);
}

export function evaluatePrometheusSlo(slo: PrometheusSlo, record: TelemetryRecord | undefined, windowProblem?: string): Verdict {
  const bound = slo.atMost !== undefined ? 'atMost' : 'atLeast';
  const limit = (slo.atMost ?? slo.atLeast)!;
  const op = bound === 'atMost' ? '≤' : '≥';
  const objective = slo.reduce === 'every' ? `every point of ${slo.query} ${op} ${limit}` : `${slo.reduce}(${slo.query}) ${op} ${limit}`;
  const scope = slo.afterFault ? `${slo.within} ms after ${faultWords(slo.afterFault).what} ${faultWords(slo.afterFault).wasEnded}` : slo.phase ? `the ${slo.phase} phase` : 'the whole run';
  const base = { ...verdictBase(slo, [TELEMETRY_FILE]), kind: 'prometheus' as const, phase: slo.phase ?? (slo.afterFault ? `after ${slo.afterFault}` : 'all'), request: null };
  const noEvidence = (detail: string): Verdict => ({ ...base, objective, observed: null, unit: 'count', samples: 0, pass: false, reason: 'no-evidence', detail });
  if (windowProblem) return noEvidence(`nothing to query: ${windowProblem}`);
  if (!record) return noEvidence(`the query was never asked (${scope})`);
  if (record.status !== 'ok') return noEvidence(`Prometheus ${record.server} answered ${record.status}: ${record.error ?? ''} (query ${record.query})`);
  const observed = reduceSeries(record, slo.reduce, bound);
  const points = values(record).length;
  if (observed === null) return noEvidence(`Prometheus returned no data for ${record.query} over ${scope} (${record.series.length} series, no finite point)`);
  const pass = bound === 'atMost' ? observed <= limit : observed >= limit;
  return {
    ...base,
    objective,
    observed: round(observed, 6),
    unit: 'count',
    samples: points,
    pass,
    reason: pass ? 'met' : 'breached',
    detail: `${slo.reduce === 'every' ? 'worst point' : slo.reduce} = ${round(observed, 6)} over ${scope}, ${points} points in ${record.series.length} series at ${record.stepMs} ms step`,
  };
}
