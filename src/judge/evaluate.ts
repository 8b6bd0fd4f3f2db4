// SLO verdicts. Pure: everything evaluation reads is in the SloContext (samples, fault times,
// phases, figures from other evidence). Missing evidence is a failed verdict ("no-evidence"),
// never a pass — unlike a k6 threshold on an empty metric.
import { MetricsAggregator } from '../metrics/aggregate.ts';
import type { Slo } from '../schema/drill.ts';
import { evaluateErrorBudgetBurn } from './burn.ts';
import type { SloContext } from './context.ts';
import { evaluateChaos, evaluateJournal } from './external.ts';
import { evaluateDrift } from './drift.ts';
import { evaluatePrometheusSlo } from './prometheus-slo.ts';
import { evaluateBacklogDrain, evaluateRecoveryTime } from './recovery.ts';
import { evaluateAvailability, evaluateErrorRate, evaluateLatency, evaluateThroughput } from './request-slos.ts';

export type { BurnAlertResult, Verdict, VerdictReason, VerdictUnit } from './verdict.ts';
export type { FaultTimes, MetricPoint, SloContext } from './context.ts';
export { figureKey, requiredFigures, sutMetricsToCollect, faultTimesFromRecords, timelineFaultTimes } from './context.ts';
export { sloThresholds } from './request-slos.ts';
import type { Verdict } from './verdict.ts';

/** A context with nothing but the samples (the faults, figures and series are empty). */
function contextOf(input: MetricsAggregator | SloContext): SloContext {
  return input instanceof MetricsAggregator ? { metrics: input, t0: 0, faults: {}, figures: {} } : input;
}

export function evaluateSlo(slo: Slo, input: MetricsAggregator | SloContext): Verdict {
  const ctx = contextOf(input);
  switch (slo.kind) {
    case 'latency':
      return evaluateLatency(slo, ctx.metrics);
    case 'error-rate':
      return evaluateErrorRate(slo, ctx.metrics);
    case 'availability':
      return evaluateAvailability(slo, ctx.metrics);
    case 'throughput':
      return evaluateThroughput(slo, ctx.metrics, { phases: ctx.phases, durationMs: ctx.durationMs });
    case 'recovery-time':
      return evaluateRecoveryTime(slo, ctx);
    case 'error-budget-burn':
      return evaluateErrorBudgetBurn(slo, ctx);
    case 'backlog-drain':
      return evaluateBacklogDrain(slo, ctx);
    case 'journal':
      return evaluateJournal(slo, ctx);
    case 'chaos':
      return evaluateChaos(slo, ctx);
    case 'drift':
      return evaluateDrift(slo, ctx);
    case 'prometheus':
      return evaluatePrometheusSlo(slo, ctx.telemetry?.records.find((r) => r.for === slo.name), ctx.telemetry?.windowProblems?.[slo.name]);
  }
}

/**
 * Verdicts of every SLO, in order. `input` is the full context (recovery-time, burn alerts,
 * backlog-drain, journal and chaos figures need it) or, as before, only the aggregated samples.
 */
export function evaluateSlos(slos: readonly Slo[], input: MetricsAggregator | SloContext): Verdict[] {
  const ctx = contextOf(input);
  return slos.map((slo) => evaluateSlo(slo, ctx));
}
