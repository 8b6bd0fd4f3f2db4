// Baseline comparison: this run's observed values against the median of the last N GO runs of
// the same drill (reports/<app>/<run-id>/). Worse than the median by more than the policy's
// share → a "regressed" verdict (advisory or blocking per policy); no earlier GO run → a
// "no-baseline" verdict that does not fail.
//
// Compared: values where "worse" has a direction and a relative change means something —
// latency, recovery-time and backlog-drain (higher is worse), throughput (lower is worse).
// Ratios near zero (error rate, availability, budget burn) and the journal/chaos figures are not.
import type { BaselinePolicy } from '../schema/policy.ts';
import { percent, round, type Verdict } from './verdict.ts';
import { RUN_FILES } from '../schema/run-dir.ts';

/** The part of an earlier run a baseline needs. */
export interface BaselineRun {
  runId: string;
  verdicts: ReadonlyArray<{ slo: string; kind: string; unit: string; observed: number | null }>;
}

const DIRECTION: Record<string, 'higher-is-worse' | 'lower-is-worse'> = {
  latency: 'higher-is-worse',
  'recovery-time': 'higher-is-worse',
  'backlog-drain': 'higher-is-worse',
  throughput: 'lower-is-worse',
};

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Baseline verdicts for this run's verdicts (pure). */
export function compareWithBaseline(current: readonly Verdict[], runs: readonly BaselineRun[], policy: BaselinePolicy): Verdict[] {
  const blocking = policy.severity === 'blocking';
  const comparable = current.filter((v) => DIRECTION[v.kind] !== undefined && v.observed !== null);
  const objectiveText = (dir: string) => `no more than ${percent(policy.maxRegression, 2)} ${dir === 'higher-is-worse' ? 'above' : 'below'} the median of the last ${policy.runs} GO runs`;
  if (runs.length === 0) {
    return [
      {
        slo: 'baseline',
        kind: 'baseline',
        phase: 'all',
        request: null,
        objective: `each compared SLO within ${percent(policy.maxRegression, 2)} of the median of the last ${policy.runs} GO runs`,
        observed: null,
        unit: 'count',
        samples: 0,
        pass: true,
        blocking,
        reason: 'no-baseline',
        detail: `no earlier GO run of this drill to compare with: this run${comparable.length ? ` (${comparable.length} comparable SLO(s))` : ''} can become the baseline`,
        evidence: [RUN_FILES.sloResults],
      },
    ];
  }
  return comparable.map((v) => {
    const direction = DIRECTION[v.kind];
    const history = runs.flatMap((r) => r.verdicts.filter((h) => h.slo === v.slo && h.kind === v.kind && h.unit === v.unit && h.observed !== null).map((h) => h.observed as number));
    const base = { slo: `baseline:${v.slo}`, kind: 'baseline' as const, phase: v.phase, request: v.request, objective: objectiveText(direction), unit: v.unit, blocking, evidence: [RUN_FILES.sloResults] };
    if (history.length === 0) {
      return { ...base, observed: v.observed, samples: 0, pass: true, reason: 'no-baseline' as const, detail: `${v.slo}: none of the last ${runs.length} GO run(s) observed it: nothing to compare with` };
    }
    const m = median(history);
    const observed = v.observed as number;
    const worseBy = direction === 'higher-is-worse' ? observed - m : m - observed;
    const limit = m * policy.maxRegression;
    const regressed = worseBy > limit;
    const change = m === 0 ? (observed === 0 ? '±0%' : 'from 0') : `${observed >= m ? '+' : '−'}${percent(Math.abs(observed - m) / m, 2)}`;
    const ids = runs.map((r) => r.runId);
    return {
      ...base,
      objective: `${objectiveText(direction)} (median ${round(m, 3)} ${v.unit})`,
      observed,
      samples: history.length,
      pass: !regressed,
      reason: regressed ? ('regressed' as const) : ('within-baseline' as const),
      detail: `${v.slo}: ${round(observed, 3)} ${v.unit} against a baseline median of ${round(m, 3)} ${v.unit} over ${history.length} GO run(s) (${change}; ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})`,
    };
  });
}
