// k6 options for a drill: the load profile as scenarios, and the drill's SLOs as k6
// thresholds on phase/request sub-metrics, so plain k6 enforces what gameday judges.
import { toScenarios } from '../../scenarios/profiles.ts';
import { isK6ThresholdSlo, type Drill, type K6ThresholdSlo, type Slo } from '../schema/drill.ts';
import type { Plan } from '../plan/plan.ts';

export function thresholdFor(slo: K6ThresholdSlo): [string, string] {
  const tags = [slo.phase && `phase:${slo.phase}`, slo.request && `request:${slo.request}`].filter(Boolean).join(',');
  const metric = slo.kind === 'latency' ? 'http_req_duration' : 'http_req_failed';
  const expr = slo.kind === 'latency' ? `p(${slo.percentile})<${slo.below}` : `rate<${slo.below}`;
  return [tags ? `${metric}{${tags}}` : metric, expr];
}

export function thresholds(slos: readonly Slo[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const slo of slos.filter(isK6ThresholdSlo)) {
    const [metric, expr] = thresholdFor(slo);
    (out[metric] ??= []).includes(expr) || out[metric].push(expr);
  }
  return out;
}

export function k6Options(drill: Drill, plan: Plan): Record<string, unknown> {
  return {
    scenarios: toScenarios(plan.profiles),
    thresholds: thresholds(drill.slos),
    // setup() waits for t0; leave it room
    setupTimeout: '60s',
    discardResponseBodies: true,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  };
}
