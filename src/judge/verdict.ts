// What an SLO evaluation produces. Every verdict carries a reason code; a verdict without
// evidence is failed ("no-evidence"), never passed.
import type { Slo, SloKind } from '../schema/drill.ts';
import { RUN_FILES } from '../schema/run-dir.ts';

export type VerdictReason =
  /** the objective was met */
  | 'met'
  /** the objective was not met */
  | 'breached'
  /** nothing to judge: no samples, no figure, the fault never ran or was never reverted */
  | 'no-evidence'
  /** recovery-time / backlog-drain: the SLI never came back (and stayed back) after the fault */
  | 'never-recovered'
  /** baseline: worse than the baseline median by more than the allowed share */
  | 'regressed'
  /** baseline: within the allowed share of the baseline median */
  | 'within-baseline'
  /** baseline: no earlier GO run of this drill to compare with (does not fail) */
  | 'no-baseline';

export type VerdictUnit = 'ms' | 'ratio' | 'rps' | 'count' | 'budget';

/** A multi-window burn-rate alert as evaluated over the drill. */
export interface BurnAlertResult {
  name: string;
  severity: 'page' | 'ticket';
  /** burn-rate factor both windows must exceed (14.4, 6, 3, 1) */
  factor: number;
  /** window lengths after scaling to the drill, ms */
  longWindowMs: number;
  shortWindowMs: number;
  fired: boolean;
  /** ms after t0 of the first window end where both windows exceeded the factor */
  firstFiredAtMs: number | null;
  /** the highest burn rate seen over the long window */
  maxLongBurn: number;
}

export interface Verdict {
  slo: string;
  kind: SloKind | 'baseline' | 'probe';
  phase: string;
  request: string | null;
  objective: string;
  /** in `unit`; null when there was nothing to observe */
  observed: number | null;
  unit: VerdictUnit;
  samples: number;
  pass: boolean;
  blocking: boolean;
  reason: VerdictReason;
  detail: string;
  evidence: string[];
  /** error-budget-burn: the multi-window burn-rate alerts */
  alerts?: BurnAlertResult[];
}

export const SAMPLES_FILE = RUN_FILES.samples;
export const CHAOS_FILE = RUN_FILES.chaosReport;
export const JOURNAL_FILE = RUN_FILES.journal;
/** where the orchestrator keeps the SUT metrics it polled (backlog-drain) */
export const SUT_METRICS_FILE = RUN_FILES.sutMetrics;

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function percent(ratio: number, digits = 4): string {
  return `${round(ratio * 100, digits)}%`;
}

/** "1.5 s" / "250 ms" */
export function duration(ms: number): string {
  return ms >= 1000 ? `${round(ms / 1000, 2)} s` : `${round(ms, 1)} ms`;
}

/** The fields every verdict of `slo` shares. */
export function verdictBase(slo: Slo, evidence: string[]): Pick<Verdict, 'slo' | 'kind' | 'phase' | 'request' | 'blocking' | 'evidence'> {
  return {
    slo: slo.name,
    kind: slo.kind,
    phase: ('phase' in slo && slo.phase) || 'all',
    request: ('request' in slo && slo.request) || null,
    blocking: slo.severity === 'blocking',
    evidence,
  };
}

/** How a verdict speaks of a fault window and its end: an injected fault is reverted, a partner outage ("partner:…") ends. */
export function faultWords(name: string): { what: string; ended: string; wasEnded: string; neverEnded: string; neverStarted: string } {
  return name.startsWith('partner:')
    ? { what: `outage ${name}`, ended: 'ended', wasEnded: 'ended', neverEnded: 'lasted to the end of the load', neverStarted: 'never started' }
    : { what: `fault ${name}`, ended: 'reverted', wasEnded: 'was reverted', neverEnded: 'was never reverted', neverStarted: 'was never injected' };
}
