// What the HTML report shows, gathered from a run (pure): the decision and verdicts, per-second
// latency percentiles and error rate, fault windows as they really happened, partner outages,
// partner behaviour switches per route, tools, time-scale, and what the run did not cover.
import type { ProbeResult } from '../schema/probes.ts';
import type { PhaseWindow } from '../../scenarios/lib/phase.ts';
import type { DecisionRecord } from '../judge/decide.ts';
import type { MetricsAggregator } from '../metrics/aggregate.ts';
import { FAULT_ACTIONS } from '../../chaos/registry.ts';
import { SLO_KINDS } from '../schema/drill.ts';
import type { Latency } from '../schema/partner.ts';
import { unhealthyBecause } from '../schema/partner-outages.ts';

/** Fault kinds of gameday's catalogue (DESIGN.md) beyond the drill schema's actions today. */
/** Every fault a drill can ask for (the fault registry): what the report lists as not exercised. */
export const FAULT_CATALOGUE: readonly string[] = FAULT_ACTIONS;

export interface TimelinePoint {
  /** start of the 1-s window, ms after t0 */
  tMs: number;
  requests: number;
  /** failed / judged in the window; null without http_req_failed samples */
  errorRate: number | null;
  /** http_req_duration percentiles in the window, ms */
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface ReportFault {
  name: string;
  action: string;
  driver: string;
  target: string;
  scheduledStartMs: number;
  scheduledEndMs: number;
  /** ms after t0; null when it did not happen */
  injectedAtMs: number | null;
  revertedAtMs: number | null;
  outcome: string;
  error: string | null;
  params: Record<string, unknown>;
}

export interface ReportBehaviourSwitch {
  atMs: number;
  label: string;
  /** "ok" (2xx), "throttled" (429), "error" (5xx), "other" */
  tone: 'ok' | 'throttled' | 'error' | 'other';
}

export interface ReportData {
  drill: { name: string; app: string; description?: string };
  runId: string;
  startedAt: string;
  endedAt: string;
  decision: DecisionRecord;
  /** the factor every duration of the timeline was multiplied by; below 1 the run was compressed */
  timeScale: number;
  /** scheduled length of the load, ms after t0 */
  durationMs: number;
  phases: ReadonlyArray<{ phase: string; startMs: number; endMs: number }>;
  faults: readonly ReportFault[];
  /** fault windows no driver injected: a partner was not healthy (not counted as fault kinds exercised) */
  partnerOutages: readonly ReportPartnerOutage[];
  /** one timeline per partner route (route null: the partner's timeline of every other path) */
  partners: ReadonlyArray<{ name: string; route: string | null; switches: readonly ReportBehaviourSwitch[] }>;
  timeline: readonly TimelinePoint[];
  /** planned vs delivered arrivals per second of the timeline (arrival-rate profiles); null: none planned */
  load: { planned: number; dropped: number; deliveredShare: number | null; perSecond: ReadonlyArray<{ second: number; planned: number; delivered: number }> } | null;
  /** failed requests by whose error (load balancer or service), from the load balancer's logs; null without one */
  attribution: { failed: number; byCause: Readonly<Record<string, number>>; byPhase: Readonly<Record<string, Readonly<Record<string, number>>>> } | null;
  /** the guard that aborted the run: the moment it tripped (ms after t0) and what it saw */
  guardTrip: { guard: string; atMs: number; observed: string } | null;
  /** the steady-state probes, before the first fault and after the last recovery (probes.json) */
  probes: ReadonlyArray<Pick<ProbeResult, 'probe' | 'when' | 'kind' | 'asked' | 'steady' | 'answered' | 'detail' | 'ms'>>;
  /** tool → version (gameday, node, k6, toxiproxy, ...) */
  tools: Readonly<Record<string, string | null>>;
  samples: { lines: number; points: number; corrupt: number; truncated: boolean; requests: number };
  coverage: {
    faultKindsExercised: string[];
    faultKindsNotExercised: string[];
    sloKindsEvaluated: string[];
    sloKindsNotEvaluated: string[];
  };
}

/** Per-second points of the run, ms after t0. */
export function timelineFromMetrics(metrics: MetricsAggregator, t0: number): TimelinePoint[] {
  return metrics.windows.series({ percentiles: [50, 95, 99] }).map((w) => ({
    tMs: w.second * 1000 - t0,
    requests: w.requests,
    errorRate: w.errorRate,
    p50: w.percentiles?.[0] ?? null,
    p95: w.percentiles?.[1] ?? null,
    p99: w.percentiles?.[2] ?? null,
  }));
}

/** A planned behaviour as the report reads it (simulators/behaviour.ts PlannedBehaviour). */
export interface ReportBehaviour {
  atMs: number;
  kind?: string;
  status?: number;
  retryAfter?: number;
  steps?: ReadonlyArray<number | { status?: number }>;
  latencyMs?: Latency;
}

/** The tone and label of a partner behaviour; "healthy" is the partner outages' own test (src/schema/partner-outages.ts). */
export function describeBehaviour(b: Omit<ReportBehaviour, 'atMs'>, slowAboveMs?: number): { label: string; tone: ReportBehaviourSwitch['tone'] } {
  const status = b.status;
  const parts: string[] = [];
  if (b.kind && b.kind !== 'respond') parts.push(b.kind);
  if (b.steps) parts.push(b.steps.map((s) => (typeof s === 'number' ? s : (s.status ?? 200))).join(', '));
  if (status !== undefined) parts.push(String(status));
  if (b.retryAfter !== undefined) parts.push(`Retry-After ${b.retryAfter}s`);
  if (typeof b.latencyMs === 'number' && b.latencyMs > 0) parts.push(`+${b.latencyMs} ms`);
  const unhealthy = unhealthyBecause({ ...b, latencyMs: b.latencyMs ?? 0 }, slowAboveMs);
  const tone: ReportBehaviourSwitch['tone'] = unhealthy !== null ? (status === 429 ? 'throttled' : 'error') : status === undefined || status < 400 ? 'ok' : 'other';
  return { label: parts.join(' ') || 'default', tone };
}

/** One partner outage on the report's timeline, ms after t0. */
export interface ReportPartnerOutage {
  name: string;
  partner: string;
  route: string | null;
  reasons: readonly string[];
  startMs: number;
  endMs: number;
  lastsToEnd: boolean;
}

export interface ReportInput {
  drill: { name: string; app: string; description?: string };
  runId: string;
  startedAt: string;
  endedAt: string;
  decision: DecisionRecord;
  timeScale: number;
  durationMs: number;
  phases: readonly PhaseWindow[];
  /** epoch ms of t = 0; null when the run never reached it */
  t0: number | null;
  /** chaos_report.json's fault records */
  faults: ReadonlyArray<{
    name: string;
    action: string;
    driver: string;
    target: { service: string };
    params?: Record<string, unknown>;
    scheduled: { startMs: number; endMs: number };
    injectedAt: string | null;
    revertedAt: string | null;
    outcome: string;
    error: string | null;
  }>;
  /** chaos_report.json's partner outages */
  partnerOutages?: ReadonlyArray<{ name: string; partner: string; route: string | null; reasons: readonly string[]; scheduled: { startMs: number; endMs: number }; lastsToEnd: boolean }>;
  /** the planned partners (their behaviour timelines, ms after t0) */
  partners: ReadonlyArray<{ name: string; slowAboveMs?: number; behaviours: readonly ReportBehaviour[]; routes?: ReadonlyArray<{ name: string; behaviours: readonly ReportBehaviour[] }> }>;
  metrics: MetricsAggregator;
  load?: ReportData['load'];
  attribution?: ReportData['attribution'];
  guardTrip?: ReportData['guardTrip'];
  /** probes.json's results */
  probes?: ReportData['probes'];
  tools: Readonly<Record<string, string | null>>;
  /** every fault kind gameday knows, for "not covered" (FAULT_CATALOGUE by default) */
  knownFaultKinds?: readonly string[];
}

export function buildReportData(input: ReportInput): ReportData {
  const t0 = input.t0;
  const rel = (iso: string | null) => (iso === null || t0 === null ? null : Date.parse(iso) - t0);
  const faults: ReportFault[] = input.faults.map((f) => ({
    name: f.name,
    action: f.action,
    driver: f.driver,
    target: f.target.service,
    scheduledStartMs: f.scheduled.startMs,
    scheduledEndMs: f.scheduled.endMs,
    injectedAtMs: f.outcome === 'inject-failed' ? null : rel(f.injectedAt),
    revertedAtMs: f.outcome === 'revert-failed' ? null : rel(f.revertedAt),
    outcome: f.outcome,
    error: f.error,
    params: f.params ?? {},
  }));
  const exercised = [...new Set(faults.filter((f) => f.injectedAtMs !== null).map((f) => f.action))].sort();
  const known = input.knownFaultKinds ?? FAULT_CATALOGUE;
  const evaluated = [...new Set(input.decision.verdicts.map((v) => v.kind as string).filter((k) => k !== 'baseline'))].sort();
  return {
    drill: { name: input.drill.name, app: input.drill.app, description: input.drill.description },
    runId: input.runId,
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    decision: input.decision,
    timeScale: input.timeScale,
    durationMs: input.durationMs,
    phases: input.phases,
    faults,
    partnerOutages: (input.partnerOutages ?? []).map((o) => ({ name: o.name, partner: o.partner, route: o.route, reasons: o.reasons, startMs: o.scheduled.startMs, endMs: o.scheduled.endMs, lastsToEnd: o.lastsToEnd })),
    partners: input.partners.flatMap((p) =>
      [...(p.routes ?? []).map((r) => ({ route: r.name as string | null, behaviours: r.behaviours })), { route: null, behaviours: p.behaviours }]
        .filter((t) => t.behaviours.length > 0)
        .map((t) => ({ name: p.name, route: t.route, switches: t.behaviours.map(({ atMs, ...b }) => ({ atMs, ...describeBehaviour(b, p.slowAboveMs) })) })),
    ),
    timeline: t0 === null ? [] : timelineFromMetrics(input.metrics, t0),
    load: input.load && input.load.planned > 0 ? input.load : null,
    attribution: input.attribution ?? null,
    guardTrip: input.guardTrip ? { guard: input.guardTrip.guard, atMs: input.guardTrip.atMs, observed: input.guardTrip.observed } : null,
    probes: (input.probes ?? []).map(({ probe, when, kind, asked, steady, answered, detail, ms }) => ({ probe, when, kind, asked, steady, answered, detail, ms })),
    tools: input.tools,
    samples: {
      lines: input.metrics.stats.lines,
      points: input.metrics.stats.points,
      corrupt: input.metrics.stats.corrupt,
      truncated: input.metrics.stats.truncated,
      requests: input.metrics.count('http_reqs'),
    },
    coverage: {
      faultKindsExercised: exercised,
      faultKindsNotExercised: known.filter((k) => !exercised.includes(k)),
      sloKindsEvaluated: evaluated,
      sloKindsNotEvaluated: SLO_KINDS.filter((k) => !evaluated.includes(k)),
    },
  };
}
