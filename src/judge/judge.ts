// Judging is a pure function of what a run observed: the samples, the simulator journal and the
// SUT's side effects, the chaos drivers' figures, the SUT metric series, the problems the run had,
// and (with a policy) the earlier runs it is compared with. `gameday run`, `gameday ingest` and
// the suite all come through here.
import type { PhaseWindow } from '../../scenarios/lib/phase.ts';
import type { MetricsAggregator } from '../metrics/aggregate.ts';
import type { Profile } from '../../scenarios/profiles.ts';
import type { JournalEntry } from '../schema/journal.ts';
import type { Drill } from '../schema/drill.ts';
import type { Policy } from '../schema/policy.ts';
import type { ProbeResult } from '../schema/probes.ts';
import { compareWithBaseline, type BaselineRun } from './baseline.ts';
import type { FaultTimes, MetricPoint, SloContext } from './context.ts';
import { decide, type DecisionRecord, type RunProblem } from './decide.ts';
import type { GuardTrip } from './guard.ts';
import { evaluateSlos, type Verdict } from './evaluate.ts';
import type { SideEffect } from './journal-analysis.ts';
import { journalFigures, type JournalFigureDetail } from './journal-figures.ts';
import { loadDelivery, type LoadDelivery } from './load-delivery.ts';
import { attributeFailures, describeAttribution, type Attribution } from './attribution.ts';
import { profileFigures, type ProfileFigure } from './profile-figures.ts';
import { probeVerdicts } from './probes.ts';

/** Everything a run saw that verdicts are made of. */
export interface Observations {
  metrics: MetricsAggregator;
  /** epoch ms of t = 0; null when the load never started */
  t0: number | null;
  phases: readonly PhaseWindow[];
  /** the factor every duration of the timeline was multiplied by */
  timeScale: number;
  profiles: readonly Profile[];
  durationMs: number;
  /** fault name → when it was injected and reverted (ms after t0) */
  faults: Readonly<Record<string, FaultTimes>>;
  /** simulator journal entries; null when there is no journal to judge (ingest) */
  journal: readonly JournalEntry[] | null;
  /** how often the SUT applied each replayed or accepted webhook; null when not read */
  sideEffects: readonly SideEffect[] | null;
  /** figures of the chaos drivers (broker failover time, message loss), by figure key */
  chaosFigures: Readonly<Record<string, number | null>>;
  /** SUT metric series (backlog-drain) */
  series: Readonly<Record<string, readonly MetricPoint[]>>;
  problems: readonly RunProblem[];
  /** what the drill's Prometheus answered (kind: prometheus SLOs) */
  telemetry?: SloContext['telemetry'];
  /** the guard that aborted the run, if one did */
  guardTrip?: GuardTrip | null;
  /** the load balancer's logs, when the target had one: failed requests are attributed from them */
  loadBalancer?: { accessLog: readonly string[]; errorLog: readonly string[]; replicaOf: Readonly<Record<string, string>> } | null;
  /** the steady-state probes that ran (probes.json): each "after" probe is a verdict */
  probes?: readonly ProbeResult[];
}

export interface JudgeOptions {
  policy?: Policy;
  /** the time waivers are judged at */
  now: Date;
  /** earlier GO runs of the drill (with a policy's baseline) */
  baseline?: readonly BaselineRun[];
}

export interface Judgement {
  verdicts: Verdict[];
  decision: DecisionRecord;
  figures: Record<string, number | null>;
  journalFigures: JournalFigureDetail[];
  profileFigures: ProfileFigure[];
  /** planned vs delivered arrivals; null when the load never started */
  load: LoadDelivery | null;
  /** whose error each failed request was (load balancer or service), from the load balancer's logs */
  attribution: Attribution | null;
}

/** SLOs whose failures a load balancer can cause as well as the service. */
const ATTRIBUTED = new Set(['error-rate', 'availability', 'recovery-time', 'error-budget-burn']);

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function judge(o: Observations, drill: Pick<Drill, 'slos'> & { load?: Pick<Drill['load'], 'minDelivered'>; probes?: Drill['probes'] }, opts: JudgeOptions): Judgement {
  const journalDetails = o.journal ? journalFigures(drill.slos, o.journal, o.sideEffects) : [];
  const figures: Record<string, number | null> = { ...Object.fromEntries(journalDetails.map((f) => [f.key, f.value])), ...o.chaosFigures };
  const profiles = o.t0 === null ? [] : profileFigures(o.profiles, o.metrics, o.t0, drill.slos);
  let verdicts = evaluateSlos(drill.slos, {
    metrics: o.metrics,
    t0: o.t0 ?? 0,
    faults: o.t0 === null ? {} : o.faults,
    figures,
    phases: o.phases,
    durationMs: o.durationMs,
    series: o.series,
    profiles,
    timeScale: o.timeScale,
    ...(o.telemetry ? { telemetry: o.telemetry } : {}),
  });
  const attribution = o.loadBalancer && o.t0 !== null ? attributeFailures({ ...o.loadBalancer, t0: o.t0, phases: o.phases }) : null;
  if (attribution) {
    verdicts = verdicts.map((v) => {
      if (!ATTRIBUTED.has(v.kind)) return v;
      const byCause = v.phase in attribution.byPhase || ['steady', 'fault', 'recovery'].includes(v.phase) ? (attribution.byPhase[v.phase] ?? {}) : attribution.byCause;
      return { ...v, detail: `${v.detail}; through the load balancer${v.request ? ' (all requests)' : ''}: ${describeAttribution(byCause)}` };
    });
  }
  if (opts.policy && opts.baseline) verdicts = [...verdicts, ...compareWithBaseline(verdicts, opts.baseline, opts.policy.baseline)];
  if (drill.probes?.length) verdicts = [...verdicts, ...probeVerdicts(drill.probes, o.probes ?? [])];
  // a guard stopped the load: what was planned after it was never asked for
  const load = o.t0 === null ? null : loadDelivery(o.profiles, o.metrics, o.t0, o.guardTrip?.atMs ?? null);
  const problems = [...o.problems];
  const minDelivered = drill.load?.minDelivered ?? 0.99;
  if (load?.deliveredShare != null && load.deliveredShare < minDelivered) {
    problems.push({
      code: 'load-not-delivered',
      message: `k6 started ${pct(load.deliveredShare)} of the ${load.planned} planned arrivals (${load.dropped} dropped: too few VUs for how slowly the SUT answered, or k6 was starved), below the ${pct(minDelivered)} the run needs: it did not apply the load it claims`,
    });
  }
  const decision = decide(verdicts, problems, { policy: opts.policy, now: opts.now, abortedBy: o.guardTrip });
  return { verdicts, decision, figures, journalFigures: journalDetails, profileFigures: profiles, load, attribution };
}
