// What the tasks of one run share: the drill and its plan, where evidence goes, what the run
// started so far, and what it observed. Tasks fill it in; judging and evidence read it.
import type { FaultDriver } from '../../chaos/driver.ts';
import type { DriverName } from '../../chaos/registry.ts';
import type { Journal, JournalEntry } from '../../simulators/journal.ts';
import type { PartnerServer } from '../../simulators/partner-server.ts';
import type { MetricPoint } from '../judge/context.ts';
import type { RunProblem } from '../judge/decide.ts';
import type { GuardTrip } from '../judge/guard.ts';
import type { SideEffect } from '../judge/journal-analysis.ts';
import type { K6Outcome } from '../k6/runner.ts';
import type { MetricsAggregator } from '../metrics/aggregate.ts';
import type { Ledger } from '../platform/ledger.ts';
import type { FisRun } from '../targets/fis.ts';
import type { ProcessGroup } from '../platform/processes.ts';
import type { Plan } from '../plan/plan.ts';
import type { Drill } from '../schema/drill.ts';
import type { LoadedDrill } from '../schema/load.ts';
import type { Policy } from '../schema/policy.ts';
import type { ProbeResult } from '../schema/probes.ts';
import type { TelemetryRecord } from '../schema/telemetry.ts';
import type { PromEndpoint } from '../targets/promql.ts';
import type { Environment, TemplateVars } from '../targets/target.ts';
import type { FaultSchedule } from './faults.ts';
import type { PartnerRotation } from './rotation.ts';
import type { SenderRun } from './senders.ts';
import type { SweepReport } from './sweep.ts';

export interface RunOptions {
  outDir?: string;
  timeScale?: number;
  reportsRoot?: string;
  /** run N k6 processes on k6 execution segments; their samples merge into one verdict */
  segments?: number;
  /** aborting it stops the drill: faults reverted, evidence written, NO-GO */
  signal?: AbortSignal;
  progress?: boolean;
  log?: (line: string) => void;
  /** severities, waivers and the baseline comparison; without one, the drill's severities and no baseline */
  policy?: Policy;
  /** the time waivers are judged at (default: now) */
  now?: Date;
}

export interface ToolFound {
  path: string;
  version: string | null;
  source: string;
  pinned: string;
  compatible: boolean;
}

export interface RunContext {
  readonly loaded: LoadedDrill;
  readonly drill: Drill;
  readonly plan: Plan;
  readonly opts: RunOptions;
  readonly runId: string;
  readonly runDir: string;
  readonly logDir: string;
  /** the run's own temp folder (k6's FIFO, DATA_DIR): in the ledger before it exists */
  readonly scratch: string;
  readonly startedAt: Date;
  readonly k6Tool: ToolFound;
  /** partner name → its webhook secret (resolved from env: before anything started) */
  readonly secrets: Record<string, string>;
  /** an external target's header values from env: (tokens): sent by k6, searched for in the evidence */
  readonly headerSecrets: readonly string[];
  /** partners whose webhook key rotates during the run: the previous secret and the moments */
  readonly rotations: Record<string, PartnerRotation>;
  readonly log: (line: string) => void;
  readonly problems: RunProblem[];
  problem(code: string, message: string): void;
  /** the user's stop (Ctrl-C, a suite's abort): resolves once it is asked for */
  readonly aborted: Promise<void>;
  abortReason(): string;
  /**
   * stops listening to the user's stop signal: a suite or matrix hands one signal to every drill,
   * and each run's listener (holding its whole context) would otherwise stay on it to the end
   */
  detachSignal(): void;
  /** stops what runs on the timeline (senders) when the run is over or the load ended */
  readonly runAbort: AbortController;
  readonly group: ProcessGroup;
  readonly ledger: Ledger;
  /** all samples; with segments, `segmentMetrics` feed it after the run */
  readonly metrics: MetricsAggregator;
  readonly segmentMetrics: MetricsAggregator[];
  /** the simulator journal: written to the run directory and kept for judging */
  readonly journal: Journal;
  readonly journalEntries: JournalEntry[];
  readonly faults: FaultSchedule;

  // filled in by the tasks
  sweep: SweepReport | null;
  partners: PartnerServer[];
  partnerVars: TemplateVars['partners'];
  env: Environment | null;
  drivers: Partial<Record<DriverName, FaultDriver>>;
  /** the drill's AWS FIS faults (driver fis), once planned */
  fis: FisRun | null;
  /** epoch ms of t = 0 of the timeline; null until the load is planned */
  t0: number | null;
  k6: { done: Promise<K6Outcome>; kill(signal: NodeJS.Signals): void } | null;
  k6Outcome: K6Outcome | null;
  sending: Promise<SenderRun[]> | null;
  senderRuns: SenderRun[];
  sutSeries: Record<string, MetricPoint[]>;
  sideEffects: { effects: SideEffect[]; errors: string[] } | null;
  /** what the drill's Prometheus answered (kind: prometheus SLOs) */
  telemetry: { records: TelemetryRecord[]; windowProblems: Record<string, string> } | null;
  /** the drill's Prometheus once it is up (what guards and PromQL probes ask) */
  prometheus: PromEndpoint | null;
  /** the guard that aborted the run, if one did */
  guardTrip: GuardTrip | null;
  /** the steady-state probes that ran, before and after (probes.json) */
  probes: ProbeResult[];
  /** something could not be undone (a proxy, a mount): the ledger stays for `gameday cleanup` */
  keepLedger: boolean;
  /** what a teardown left running while the run is judged and sealed (the scratch folder's removal); the run waits for it */
  readonly finishing: Array<Promise<void>>;
}

/** The longest k6 may take to initialise its VUs before t = 0 (it starts paused, then is resumed). */
export const K6_INIT_TIMEOUT_MS = 60_000;
