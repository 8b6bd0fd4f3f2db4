// One drill, as a list of tasks over one run context: sweep → scratch → journal → partners →
// system under test → load → timeline (senders, SUT metrics, faults) → progress → the load's
// end. Teardowns run in reverse whatever happens — every fault reverted and verified, every
// process stopped — then the run is judged from what it observed and its evidence written
// and sealed, with the reason when it failed midway.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaultDriver } from '../../chaos/driver.ts';
import type { DriverName } from '../../chaos/registry.ts';
import { openJournal, type Journal, type JournalEntry } from '../../simulators/journal.ts';
import { readBaselineRuns } from '../evidence/baseline-runs.ts';
import { writeJudgedEvidence, writeObservedEvidence, type ChaosReport } from '../evidence/run-evidence.ts';
import { sealRun } from '../evidence/seal.ts';
import { scrubSecrets } from '../evidence/secrets.ts';
import type { DecisionRecord, RunProblem } from '../judge/decide.ts';
import { faultTimesFromRecords, sloThresholds } from '../judge/evaluate.ts';
import { judge } from '../judge/judge.ts';
import { segmentFiles } from '../k6/segments.ts';
import { MetricsAggregator } from '../metrics/aggregate.ts';
import { Ledger } from '../platform/ledger.ts';
import { ProcessGroup } from '../platform/processes.ts';
import { GAMEDAY_VERSION, newRunId } from '../platform/run-id.ts';
import { requireTool } from '../platform/toolchain.mjs';
import { planDrill } from '../plan/plan.ts';
import { DrillError, type LoadedDrill } from '../schema/load.ts';
import { RUN_FILES } from '../schema/run-dir.ts';
import type { RunContext, RunOptions } from './context.ts';
import { FaultSchedule, faultTargets } from './faults.ts';
import { checkTemplates, partnerSecrets } from './preflight.ts';
import { runTasks, type Task, type TaskTiming } from './tasks.ts';
import { journalTask, scratchTask } from './tasks/journal.ts';
import { loadTask } from './tasks/load.ts';
import { loadEndsTask } from './tasks/load-ends.ts';
import { partnersTask } from './tasks/partners.ts';
import { progressTask } from './tasks/progress.ts';
import { sweepTask } from './tasks/sweep.ts';
import { targetTask } from './tasks/target.ts';
import { timelineTask } from './tasks/timeline.ts';

export type { RunOptions };

export interface RunResult {
  runId: string;
  runDir: string;
  decision: DecisionRecord;
  /** the signed evidence_bundle_<app>.zip */
  bundle: string;
  /** the drill's timeline after time-scaling, ms */
  scheduledMs: number;
  startedAt: string;
  endedAt: string;
  /** how long each task's setup and teardown took (the harness benchmark reads it) */
  timings: TaskTiming[];
}

/** The tasks of a run, in order. */
export const RUN_TASKS: ReadonlyArray<Task<RunContext>> = [sweepTask, scratchTask, journalTask, partnersTask, targetTask, loadTask, timelineTask, progressTask, loadEndsTask];

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The run context before any task ran: nothing started yet. */
function createContext(loaded: LoadedDrill, opts: RunOptions): RunContext {
  const { drill } = loaded;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // checks that need the environment, before anything starts (a DrillError: exit 3)
  const secrets = partnerSecrets(loaded);
  checkTemplates(loaded);
  const plan = planDrill(drill, opts.timeScale ?? drill.timeScale);
  const k6Tool = requireTool('k6');
  if (!k6Tool.compatible) log(`warning: k6 ${k6Tool.version ?? '(unknown version)'} at ${k6Tool.path}; gameday is pinned to ${k6Tool.pinned}`);

  const runId = newRunId();
  const runDir = path.resolve(opts.outDir ?? path.join(opts.reportsRoot ?? 'reports', drill.app, runId));
  const logDir = path.join(runDir, RUN_FILES.logs);
  fs.mkdirSync(logDir, { recursive: true });
  const problems: RunProblem[] = [];
  const thresholds = sloThresholds(drill.slos);
  const metrics = new MetricsAggregator({ thresholds });
  const segments = opts.segments ?? 1;
  // one aggregator per k6 process (their byte streams interleave), merged after the run
  const segmentMetrics = segments <= 1 ? [metrics] : segmentFiles(segments).map(() => new MetricsAggregator({ thresholds }));
  const fileJournal = openJournal(path.join(runDir, RUN_FILES.journal));
  const journalEntries: JournalEntry[] = [];
  const journal: Journal = {
    record: (e) => {
      journalEntries.push(e);
      fileJournal.record(e);
    },
    close: () => fileJournal.close(),
    get count() {
      return fileJournal.count;
    },
  };
  const runAbort = new AbortController();
  opts.signal?.addEventListener('abort', () => runAbort.abort(opts.signal?.reason), { once: true });
  const aborted = new Promise<void>((resolve) => {
    if (opts.signal?.aborted) resolve();
    opts.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  const problem = (code: string, text: string) => {
    problems.push({ code, message: text });
    log(`problem: ${text}`);
  };
  const ctx: RunContext = {
    loaded,
    drill,
    plan,
    opts,
    runId,
    runDir,
    logDir,
    scratch: path.join(os.tmpdir(), `gameday-${runId}`),
    startedAt: new Date(),
    k6Tool,
    secrets,
    log,
    problems,
    problem,
    aborted,
    abortReason: () => String(opts.signal?.reason ?? 'aborted'),
    runAbort,
    group: new ProcessGroup(runId),
    ledger: new Ledger(runId),
    metrics,
    segmentMetrics,
    journal,
    journalEntries,
    faults: new FaultSchedule({
      faults: plan.faults,
      timeScale: plan.timeScale,
      driver: (name) => driverOf(ctx, name),
      targets: (fault) => faultTargets(fault, ctx.env!),
      stopping: () => opts.signal?.aborted ?? false,
      log,
      problem,
    }),
    sweep: null,
    partners: [],
    partnerVars: {},
    env: null,
    drivers: {},
    t0: null,
    k6: null,
    k6Outcome: null,
    sending: null,
    senderRuns: [],
    sutSeries: {},
    sideEffects: null,
    keepLedger: false,
  };
  return ctx;
}

function driverOf(ctx: RunContext, name: DriverName): FaultDriver {
  const d = ctx.drivers[name];
  if (!d) throw new Error(`the ${name} driver is not available in this environment`);
  return d;
}

export async function runDrill(loaded: LoadedDrill, opts: RunOptions = {}): Promise<RunResult> {
  const ctx = createContext(loaded, opts);
  const { drill, plan, runDir, runId } = ctx;

  const run = await runTasks(RUN_TASKS, ctx);
  if (run.failed?.error instanceof DrillError) throw run.failed.error;
  const interrupted = () => ctx.problems.some((p) => p.code === 'interrupted');
  if (run.failed) {
    if (opts.signal?.aborted && !interrupted()) ctx.problem('interrupted', `the drill was interrupted (${ctx.abortReason()})`);
    ctx.problem('harness-error', message(run.failed.error));
  }
  for (const t of run.teardownErrors) ctx.problem('teardown-failed', `${t.title}: ${message(t.error)}`);
  for (const r of ctx.faults.records) {
    if (r.outcome === 'not-started' && !interrupted()) ctx.problem('fault-not-injected', `fault ${r.name} was never injected`);
  }

  // evidence of what was observed, whatever happened above
  const { env, t0, metrics } = ctx;
  const chaos: ChaosReport = {
    runId,
    toxiproxy: env ? { url: env.toxiproxy.apiUrl, version: env.toxiproxyVersion, source: env.toxiproxySource } : null,
    t0: t0 === null ? null : new Date(t0).toISOString(),
    faults: ctx.faults.records,
    environment: env?.chaosEvidence() ?? null,
    sweptBeforeRun: ctx.sweep,
  };
  const segments = segmentFiles(opts.segments ?? 1);
  writeObservedEvidence(
    runDir,
    chaos,
    segments.map((s) => s.summary),
    ctx.k6Outcome?.message ?? 'k6 did not run',
  );
  // a secret in any artifact makes the evidence unshippable: the run is invalid
  const scan = await scrubSecrets(runDir, Object.values(ctx.secrets));
  for (const f of scan.findings) ctx.problem('secret-in-evidence', `a secret (${f.form}) appears in ${f.file}`);
  if (ctx.segmentMetrics[0] !== metrics) for (const m of ctx.segmentMetrics) metrics.merge(m);
  if (metrics.stats.truncated) ctx.log('warning: the k6 output ended mid-line: k6 was cut off; the evidence says so (samples.truncated)');

  const reportsRoot = path.resolve(opts.reportsRoot ?? 'reports');
  const baseline = opts.policy ? readBaselineRuns(path.join(reportsRoot, drill.app), drill.name, { limit: opts.policy.baseline.runs, excludeRunId: runId }) : null;
  for (const s of baseline?.skipped ?? []) ctx.log(`warning: baseline: ${s.problem}`);
  const judgement = judge(
    {
      metrics,
      t0,
      phases: plan.phases,
      profiles: plan.profiles,
      durationMs: plan.totalMs,
      faults: t0 === null ? {} : faultTimesFromRecords(ctx.faults.records, t0),
      journal: ctx.journalEntries,
      sideEffects: ctx.sideEffects?.effects ?? null,
      chaosFigures: env?.chaosFigures() ?? {},
      series: ctx.sutSeries,
      problems: ctx.problems,
    },
    drill,
    { policy: opts.policy, now: opts.now ?? new Date(), baseline: baseline?.runs },
  );
  logProfiles(ctx, judgement.profileFigures);

  const endedAt = new Date();
  const records = writeJudgedEvidence(runDir, {
    drill,
    drillFile: loaded.file,
    runId,
    startedAt: ctx.startedAt,
    endedAt,
    timeScale: plan.timeScale,
    scheduledMs: plan.totalMs,
    chaos,
    results: {
      runId,
      drill: drill.name,
      timeScale: plan.timeScale,
      phases: plan.phases,
      samples: { ...metrics.stats, requests: metrics.count('http_reqs') },
      k6: ctx.k6Outcome,
      verdicts: judgement.verdicts,
      figures: judgement.figures,
      journal: { entries: ctx.journalEntries.length, figures: judgement.journalFigures, sideEffects: ctx.sideEffects ? { read: ctx.sideEffects.effects.length, errors: ctx.sideEffects.errors } : null },
      senders: ctx.senderRuns,
      profiles: judgement.profileFigures,
      sutMetrics: Object.fromEntries(Object.entries(ctx.sutSeries).map(([k, v]) => [k, { readings: v.length, last: v.at(-1) ?? null }])),
      baselineSkipped: baseline?.skipped ?? [],
    },
    decision: judgement.decision,
    journal: ctx.journalEntries,
    metrics,
    partners: plan.partners,
    tools: {
      gameday: GAMEDAY_VERSION,
      node: process.version,
      k6: { version: ctx.k6Tool.version, source: ctx.k6Tool.source, pinned: ctx.k6Tool.pinned },
      toxiproxy: env ? { version: env.toxiproxyVersion, source: env.toxiproxySource } : null,
    },
  });
  const sealed = await sealRun({ runDir, reportsRoot, app: drill.app, runId, records });
  return {
    runId,
    runDir,
    decision: judgement.decision,
    bundle: sealed.bundle.file,
    scheduledMs: plan.totalMs,
    startedAt: ctx.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    timings: run.timings,
  };
}

function logProfiles(ctx: RunContext, profiles: ReturnType<typeof judge>['profileFigures']): void {
  for (const f of profiles) {
    if (f.kind === 'soak') ctx.log(`soak (profile ${f.profile}): p95 drift ${f.p95Drift === null ? 'unknown' : `${(f.p95Drift * 100).toFixed(1)}%`}, error-rate drift ${f.errorRateDrift === null ? 'unknown' : `${(f.errorRateDrift * 100).toFixed(2)} points`} (last tenth against the first)`);
    else ctx.log(f.brokenBy ? `stress (profile ${f.profile}): broke at ${f.targetRps} rps asked (${f.achievedRps ?? '?'} rps achieved): ${f.brokenBy}` : `stress (profile ${f.profile}): no SLO broke up to ${f.maxTargetRps} rps`);
  }
}

