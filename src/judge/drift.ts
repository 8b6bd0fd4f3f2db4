// The drift SLO of a soak (pure): the last tenth of the profile against the first, from the
// profile figures. No samples in either tenth = no evidence.
import type { Slo } from '../schema/drill.ts';
import type { SloContext } from './context.ts';
import type { SoakDrift } from './profile-figures.ts';
import { percent, round, SAMPLES_FILE, verdictBase, type Verdict } from './verdict.ts';
import { RUN_FILES } from '../schema/run-dir.ts';

type DriftSlo = Extract<Slo, { kind: 'drift' }>;

export function evaluateDrift(slo: DriftSlo, ctx: SloContext): Verdict {
  const base = verdictBase(slo, [SAMPLES_FILE, RUN_FILES.sloResults]);
  const latency = slo.metric === 'latency-p95';
  const objective = latency ? `p95 of the last tenth at most ${percent(slo.atMost, 2)} above the first tenth's` : `error rate of the last tenth at most ${percent(slo.atMost, 2)} above the first tenth's`;
  const soaks = (ctx.profiles ?? []).filter((f): f is SoakDrift => f.kind === 'soak');
  const f = slo.profile === undefined ? soaks[0] : soaks.find((s) => s.profile === slo.profile);
  const observed = f ? (latency ? f.p95Drift : f.errorRateDrift) : null;
  if (!f || observed === null) {
    return { ...base, objective, observed: null, unit: 'ratio', samples: 0, pass: false, reason: 'no-evidence', detail: f ? 'no samples in the first or the last tenth of the soak' : 'the run has no soak profile figures' };
  }
  const pass = observed <= slo.atMost;
  const first = latency ? `${f.first!.p95} ms` : percent(f.first!.errorRate!, 3);
  const last = latency ? `${f.last!.p95} ms` : percent(f.last!.errorRate!, 3);
  return {
    ...base,
    objective,
    observed: round(observed, 6),
    unit: 'ratio',
    samples: f.first!.requests + f.last!.requests,
    pass,
    reason: pass ? 'met' : 'breached',
    detail: `${latency ? 'p95' : 'error rate'} ${first} in the first tenth, ${last} in the last (${latency ? `${observed >= 0 ? '+' : ''}${percent(observed, 2)}` : `${observed >= 0 ? '+' : ''}${round(observed * 100, 3)} points`}) of soak profile ${f.profile}`,
  };
}
