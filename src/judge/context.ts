// What SLO evaluation reads: the aggregated samples, the faults' times, the phases, and the
// figures other evidence produced (simulator journal analysis, chaos report, SUT metrics).
// The orchestrator builds it; evaluation stays pure.
import type { PhaseWindow } from '../../scenarios/lib/phase.ts';
import type { MetricsAggregator } from '../metrics/aggregate.ts';
import type { Slo } from '../schema/drill.ts';
import type { TelemetryRecord } from '../schema/telemetry.ts';
import type { ProfileFigure } from './profile-figures.ts';

/** A fault's actual times, ms after t0; null when it did not happen. */
export interface FaultTimes {
  injectedAtMs: number | null;
  revertedAtMs: number | null;
}

/** One reading of a SUT metric, ms after t0. */
export interface MetricPoint {
  timeMs: number;
  value: number;
}

export interface SloContext {
  metrics: MetricsAggregator;
  /** epoch ms of t = 0 of the timeline */
  t0: number;
  /** fault name → its actual times */
  faults: Readonly<Record<string, FaultTimes>>;
  /** figure key (see figureKey) → value; null when the analysis ran but could not tell */
  figures: Readonly<Record<string, number | null>>;
  /** the phase windows of the plan (ms after t0): throughput per phase needs their length */
  phases?: readonly PhaseWindow[];
  /** the scheduled length of the load, ms (burn-rate windows scale to it); the sampled span otherwise */
  durationMs?: number;
  /** SUT metric name → its readings (backlog-drain) */
  series?: Readonly<Record<string, readonly MetricPoint[]>>;
  /** the run's time-scale: windows on the timeline (a recovery's hold) are scaled with it */
  timeScale?: number;
  /** figures of the load profiles (soak drift, stress breaking point) */
  profiles?: readonly ProfileFigure[];
  /** kind: prometheus SLOs: the range queries asked after the load (TelemetryRecord.for = the SLO name), and why an SLO had no window to query */
  telemetry?: { records: readonly TelemetryRecord[]; windowProblems?: Readonly<Record<string, string>> };
}

type FigureSlo = Extract<Slo, { kind: 'journal' | 'chaos' }>;

/**
 * The key under which the orchestrator puts a figure in `SloContext.figures`:
 * "journal/<figure>" or "journal/<partner>/<figure>"; "chaos/<figure>" or "chaos/<fault>/<figure>".
 */
export function figureKey(slo: FigureSlo): string {
  if (slo.kind === 'journal') return slo.partner ? `journal/${slo.partner}/${slo.figure}` : `journal/${slo.figure}`;
  return slo.fault ? `chaos/${slo.fault}/${slo.figure}` : `chaos/${slo.figure}`;
}

/** Every figure the SLOs need, by key: what the orchestrator has to compute. */
export function requiredFigures(slos: readonly Slo[]): Array<{ key: string; source: 'journal' | 'chaos'; figure: string; partner?: string; fault?: string }> {
  const out = new Map<string, { key: string; source: 'journal' | 'chaos'; figure: string; partner?: string; fault?: string }>();
  for (const slo of slos) {
    if (slo.kind === 'journal') out.set(figureKey(slo), { key: figureKey(slo), source: 'journal', figure: slo.figure, partner: slo.partner });
    else if (slo.kind === 'chaos') out.set(figureKey(slo), { key: figureKey(slo), source: 'chaos', figure: slo.figure, fault: slo.fault });
  }
  return [...out.values()];
}

/** The SUT metrics to poll during the run (backlog-drain SLOs): path and metric name. */
export function sutMetricsToCollect(slos: readonly Slo[]): Array<{ path: string; metric: string }> {
  const out = new Map<string, { path: string; metric: string }>();
  for (const slo of slos) if (slo.kind === 'backlog-drain') out.set(`${slo.path} ${slo.metric}`, { path: slo.path, metric: slo.metric });
  return [...out.values()];
}

/** Fault times from chaos_report.json-style records (ISO times) relative to t0. */
export function faultTimesFromRecords(records: ReadonlyArray<{ name: string; injectedAt: string | null; revertedAt: string | null; outcome?: string }>, t0: number): Record<string, FaultTimes> {
  const out: Record<string, FaultTimes> = {};
  for (const r of records) {
    const injected = r.injectedAt && r.outcome !== 'inject-failed' ? Date.parse(r.injectedAt) - t0 : null;
    const reverted = r.revertedAt && r.outcome !== 'revert-failed' && injected !== null ? Date.parse(r.revertedAt) - t0 : null;
    out[r.name] = { injectedAtMs: injected, revertedAtMs: reverted };
  }
  return out;
}

/**
 * Partner outages as fault times (ms after t0): the simulators switch behaviour on the same clock
 * as the phase tags, so the planned window is when it happened. One still going when the load
 * ended was never "reverted".
 */
export function partnerOutageTimes(outages: ReadonlyArray<{ name: string; startMs: number; endMs: number; lastsToEnd: boolean }>): Record<string, FaultTimes> {
  return Object.fromEntries(outages.map((o) => [o.name, { injectedAtMs: o.startMs, revertedAtMs: o.lastsToEnd ? null : o.endMs }]));
}

/** Every fault window of a run by name, ms after t0: the injected faults as recorded, and the partner outages. */
export function timelineFaultTimes(
  records: Parameters<typeof faultTimesFromRecords>[0],
  outages: Parameters<typeof partnerOutageTimes>[0],
  t0: number,
): Record<string, FaultTimes> {
  return { ...faultTimesFromRecords(records, t0), ...partnerOutageTimes(outages) };
}
