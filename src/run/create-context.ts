// The run context before any task ran: the drill checked against its environment (secrets,
// placeholders), planned, its run directory, journal, metrics and fault schedule made; nothing
// started yet.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaultDriver } from '../../chaos/driver.ts';
import type { DriverName } from '../../chaos/registry.ts';
import { openJournal, type Journal, type JournalEntry } from '../../simulators/journal.ts';
import type { RunProblem } from '../judge/decide.ts';
import { sloThresholds } from '../judge/evaluate.ts';
import { segmentFiles } from '../k6/segments.ts';
import { MetricsAggregator } from '../metrics/aggregate.ts';
import { Ledger } from '../platform/ledger.ts';
import { ProcessGroup } from '../platform/processes.ts';
import { newRunId } from '../platform/run-id.ts';
import { requireTool } from '../platform/toolchain.mjs';
import { planDrill } from '../plan/plan.ts';
import { preflight } from '../plan/preflight.ts';
import { prepareRunDir } from '../platform/run-setup.ts';
import type { LoadedDrill } from '../schema/load.ts';
import { RUN_FILES } from '../schema/run-dir.ts';
import type { RunContext, RunOptions } from './context.ts';
import { FaultSchedule, faultTargets } from './faults.ts';
import { partnerRotations } from './rotation.ts';

/** The run context before any task ran: nothing started yet. */
export function createContext(loaded: LoadedDrill, opts: RunOptions): RunContext {
  const { drill } = loaded;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // checks that need the environment, before anything starts (a DrillError: exit 3)
  const { secrets, headerSecrets } = preflight(loaded);
  const plan = planDrill(drill, opts.timeScale ?? drill.timeScale);
  const rotations = partnerRotations(loaded, plan.timeScale);
  const k6Tool = requireTool('k6');
  if (!k6Tool.compatible) log(`warning: k6 ${k6Tool.version ?? '(unknown version)'} at ${k6Tool.path}; gameday is pinned to ${k6Tool.pinned}`);

  const runId = newRunId();
  const runDir = path.resolve(opts.outDir ?? path.join(opts.reportsRoot ?? 'reports', drill.app, runId));
  prepareRunDir(runDir);
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
  let resolveAborted!: () => void;
  const aborted = new Promise<void>((resolve) => (resolveAborted = resolve));
  const onAbort = () => {
    runAbort.abort(opts.signal?.reason);
    resolveAborted();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
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
    headerSecrets,
    rotations,
    log,
    problems,
    problem,
    aborted,
    abortReason: () => String(opts.signal?.reason ?? 'aborted'),
    detachSignal: () => opts.signal?.removeEventListener('abort', onAbort),
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
    fis: null,
    t0: null,
    k6: null,
    k6Outcome: null,
    sending: null,
    senderRuns: [],
    sutSeries: {},
    sideEffects: null,
    telemetry: null,
    prometheus: null,
    guardTrip: null,
    probes: [],
    keepLedger: false,
    finishing: [],
  };
  return ctx;
}

function driverOf(ctx: RunContext, name: DriverName): FaultDriver {
  const d = ctx.drivers[name];
  if (!d) throw new Error(`the ${name} driver is not available in this environment`);
  return d;
}

