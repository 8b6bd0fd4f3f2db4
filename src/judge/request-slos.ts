// SLOs over the load's own samples, per phase and request: latency, error rate, availability,
// throughput. Pure.
import type { PhaseWindow } from '../../scenarios/lib/phase.ts';
import type { JsHistogram } from 'hdr-histogram-js';
import type { MetricsAggregator, SeriesFilter, TrendThreshold } from '../metrics/aggregate.ts';
import { TREND_RESOLUTION } from '../metrics/histogram.ts';
import type { Slo } from '../schema/drill.ts';
import { percent, round, SAMPLES_FILE, verdictBase, type Verdict } from './verdict.ts';

type RequestSlo = Extract<Slo, { kind: 'latency' | 'error-rate' | 'availability' | 'throughput' }>;

function filterOf(slo: RequestSlo): SeriesFilter {
  return { phase: slo.phase, request: slo.request };
}

function scopeOf(slo: RequestSlo): string {
  return `${slo.request ? `request ${slo.request}` : 'all requests'}, ${slo.phase ? `phase ${slo.phase}` : 'whole run'}`;
}

/**
 * The trend thresholds the SLOs judge, for MetricsAggregator's `thresholds` option: with them a
 * latency SLO is judged on the raw values, not on the histogram's 0.1%-wide buckets.
 */
export function sloThresholds(slos: readonly Slo[]): TrendThreshold[] {
  return slos.flatMap((s) => (s.kind === 'latency' ? [{ metric: 'http_req_duration', below: s.below }] : []));
}

/** Nearest rank of a percentile over `count` samples, as HdrHistogram counts it. */
function rankOf(percentile: number, count: number): number {
  return Math.max(1, Math.ceil((percentile / 100) * count - 1e-9));
}

export function evaluateLatency(slo: Extract<Slo, { kind: 'latency' }>, metrics: MetricsAggregator): Verdict {
  const base = verdictBase(slo, [SAMPLES_FILE]);
  const scope = scopeOf(slo);
  const objective = `p(${slo.percentile}) < ${slo.below} ms`;
  const histogram = metrics.trendHistogram('http_req_duration', filterOf(slo));
  if (!histogram) return { ...base, objective, observed: null, unit: 'ms', samples: 0, pass: false, reason: 'no-evidence', detail: `no http_req_duration samples (${scope})` };
  const count = histogram.totalCount;
  const recorded = histogram.getValueAtPercentile(slo.percentile);
  let value = recorded / TREND_RESOLUTION;
  let pass = value < slo.below;
  // exact when the threshold was counted: the percentile is below it iff at least rank samples are
  const exact = metrics.countBelow('http_req_duration', slo.below, filterOf(slo));
  if (exact && exact.total === count) {
    pass = exact.below >= rankOf(slo.percentile, count);
    // the histogram reports the top of the sample's bucket (up to 0.1% above it): report its bottom when that is what agrees
    if (pass && value >= slo.below) value = (histogram as unknown as JsHistogram).lowestEquivalentValue(recorded) / TREND_RESOLUTION;
  }
  return {
    ...base,
    objective,
    observed: round(value),
    unit: 'ms',
    samples: count,
    pass,
    reason: pass ? 'met' : 'breached',
    detail: `p(${slo.percentile}) = ${round(value, 1)} ms over ${count} requests (${scope})`,
  };
}

export function evaluateErrorRate(slo: Extract<Slo, { kind: 'error-rate' }>, metrics: MetricsAggregator): Verdict {
  const base = verdictBase(slo, [SAMPLES_FILE]);
  const scope = scopeOf(slo);
  const objective = `error rate < ${percent(slo.below)}`;
  const observed = metrics.rate('http_req_failed', filterOf(slo));
  if (!observed) return { ...base, objective, observed: null, unit: 'ratio', samples: 0, pass: false, reason: 'no-evidence', detail: `no http_req_failed samples (${scope})` };
  const pass = observed.value < slo.below;
  return {
    ...base,
    objective,
    observed: round(observed.value, 6),
    unit: 'ratio',
    samples: observed.total,
    pass,
    reason: pass ? 'met' : 'breached',
    detail: `${observed.nonZero} of ${observed.total} requests failed = ${percent(observed.value, 3)} (${scope})`,
  };
}

/** successful / total ≥ objective, where a request succeeded when k6 did not mark it http_req_failed. */
export function evaluateAvailability(slo: Extract<Slo, { kind: 'availability' }>, metrics: MetricsAggregator): Verdict {
  const base = verdictBase(slo, [SAMPLES_FILE]);
  const scope = scopeOf(slo);
  const objective = `availability ≥ ${percent(slo.objective)}`;
  const failed = metrics.rate('http_req_failed', filterOf(slo));
  if (!failed) return { ...base, objective, observed: null, unit: 'ratio', samples: 0, pass: false, reason: 'no-evidence', detail: `no http_req_failed samples (${scope})` };
  const succeeded = failed.total - failed.nonZero;
  const availability = succeeded / failed.total;
  const pass = availability >= slo.objective;
  return {
    ...base,
    objective,
    observed: round(availability, 6),
    unit: 'ratio',
    samples: failed.total,
    pass,
    reason: pass ? 'met' : 'breached',
    detail: `${succeeded} of ${failed.total} requests succeeded = ${percent(availability, 3)} (${scope})`,
  };
}

/** Length of the phase's windows (a phase may occur more than once: recovery), ms. */
export function phaseLengthMs(phases: readonly PhaseWindow[], phase: string): number {
  return phases.filter((w) => w.phase === phase).reduce((sum, w) => sum + Math.max(0, w.endMs - w.startMs), 0);
}

export interface ThroughputInputs {
  phases?: readonly PhaseWindow[];
  durationMs?: number;
}

/** Requests per second over the phase (its scheduled length) or the run (scheduled length, else the sampled span) ≥ atLeast. */
export function evaluateThroughput(slo: Extract<Slo, { kind: 'throughput' }>, metrics: MetricsAggregator, inputs: ThroughputInputs = {}): Verdict {
  const base = verdictBase(slo, [SAMPLES_FILE]);
  const scope = scopeOf(slo);
  const objective = `throughput ≥ ${slo.atLeast} req/s`;
  const requests = metrics.count('http_reqs', filterOf(slo));
  if (requests === 0) return { ...base, objective, observed: null, unit: 'rps', samples: 0, pass: false, reason: 'no-evidence', detail: `no http_reqs samples (${scope})` };
  let lengthMs: number | null;
  let over: string;
  if (slo.phase) {
    lengthMs = inputs.phases ? phaseLengthMs(inputs.phases, slo.phase) : null;
    over = `the ${slo.phase} phase`;
  } else if (inputs.durationMs !== undefined) {
    lengthMs = inputs.durationMs;
    over = 'the run';
  } else {
    const { firstSampleMs, lastSampleMs } = metrics.stats;
    lengthMs = firstSampleMs !== null && lastSampleMs !== null ? lastSampleMs - firstSampleMs : null;
    over = 'the sampled span';
  }
  if (!lengthMs || lengthMs <= 0) {
    return { ...base, objective, observed: null, unit: 'rps', samples: requests, pass: false, reason: 'no-evidence', detail: `${requests} requests but the length of ${over} is unknown (${scope})` };
  }
  const rps = requests / (lengthMs / 1000);
  const pass = rps >= slo.atLeast;
  return {
    ...base,
    objective,
    observed: round(rps, 3),
    unit: 'rps',
    samples: requests,
    pass,
    reason: pass ? 'met' : 'breached',
    detail: `${requests} requests in ${round(lengthMs / 1000, 3)} s of ${over} = ${round(rps, 2)} req/s (${scope})`,
  };
}
