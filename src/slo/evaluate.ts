// SLO verdicts from aggregated samples. Pure. A metric with no samples is a failed verdict
// ("no evidence") — never a pass, unlike a k6 threshold on an empty metric.
import type { MetricsAggregator } from '../metrics/aggregate.ts';
import type { Slo } from '../schema/drill.ts';

export type VerdictReason = 'met' | 'breached' | 'no-evidence';

export interface Verdict {
  slo: string;
  kind: Slo['kind'];
  phase: string;
  request: string | null;
  objective: string;
  /** in `unit`; null when there were no samples */
  observed: number | null;
  unit: 'ms' | 'ratio';
  samples: number;
  pass: boolean;
  blocking: boolean;
  reason: VerdictReason;
  detail: string;
  evidence: string[];
}

const SAMPLES_FILE = 'k6_samples.ndjson.gz';

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function evaluateSlo(slo: Slo, metrics: MetricsAggregator): Verdict {
  const filter = { phase: slo.phase, request: slo.request };
  const scope = `${slo.request ? `request ${slo.request}` : 'all requests'}, ${slo.phase ? `phase ${slo.phase}` : 'whole run'}`;
  const base = {
    slo: slo.name,
    kind: slo.kind,
    phase: slo.phase ?? 'all',
    request: slo.request ?? null,
    blocking: slo.severity === 'blocking',
    evidence: [SAMPLES_FILE],
  };
  if (slo.kind === 'latency') {
    const objective = `p(${slo.percentile}) < ${slo.below} ms`;
    const observed = metrics.trendPercentile('http_req_duration', slo.percentile, filter);
    if (!observed) return { ...base, objective, observed: null, unit: 'ms', samples: 0, pass: false, reason: 'no-evidence', detail: `no http_req_duration samples (${scope})` };
    const pass = observed.value < slo.below;
    return {
      ...base,
      objective,
      observed: round(observed.value),
      unit: 'ms',
      samples: observed.count,
      pass,
      reason: pass ? 'met' : 'breached',
      detail: `p(${slo.percentile}) = ${round(observed.value, 1)} ms over ${observed.count} requests (${scope})`,
    };
  }
  const objective = `error rate < ${round(slo.below * 100, 4)}%`;
  const observed = metrics.rate('http_req_failed', filter);
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
    detail: `${observed.nonZero} of ${observed.total} requests failed = ${round(observed.value * 100, 3)}% (${scope})`,
  };
}

export function evaluateSlos(slos: readonly Slo[], metrics: MetricsAggregator): Verdict[] {
  return slos.map((slo) => evaluateSlo(slo, metrics));
}
