// One drill, as a list of tasks over one run context: sweep → scratch → journal → partners →
// system under test → telemetry → guards → load → timeline (senders, SUT metrics, faults) → progress →
// the load's end. Teardowns run in reverse whatever happens — every fault reverted and verified, every
// process stopped — then the run is concluded: judged from what it observed, its evidence
// written and sealed, with the reason when it failed midway.
import { DrillError, type LoadedDrill } from '../schema/load.ts';
import { concludeRun, type RunResult } from './conclude.ts';
import { createContext } from './create-context.ts';
import type { RunContext, RunOptions } from './context.ts';
import { runTasks, type Task } from './tasks.ts';
import { guardsTask } from './tasks/guards.ts';
import { journalTask, scratchTask } from './tasks/journal.ts';
import { loadTask } from './tasks/load.ts';
import { loadEndsTask } from './tasks/load-ends.ts';
import { partnersTask } from './tasks/partners.ts';
import { NotSteady, probesTask } from './tasks/probes.ts';
import { progressTask } from './tasks/progress.ts';
import { sweepTask } from './tasks/sweep.ts';
import { targetTask } from './tasks/target.ts';
import { telemetryTask } from './tasks/telemetry.ts';
import { timelineTask } from './tasks/timeline.ts';

export type { RunOptions, RunResult };

/** The tasks of a run, in order. */
export const RUN_TASKS: ReadonlyArray<Task<RunContext>> = [sweepTask, scratchTask, journalTask, partnersTask, targetTask, telemetryTask, probesTask, guardsTask, loadTask, timelineTask, progressTask, loadEndsTask];

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runDrill(loaded: LoadedDrill, opts: RunOptions = {}): Promise<RunResult> {
  const ctx = createContext(loaded, opts);

  try {
    return await runAndConclude(ctx, opts);
  } finally {
    ctx.detachSignal();
  }
}

async function runAndConclude(ctx: RunContext, opts: RunOptions): Promise<RunResult> {
  const run = await runTasks(RUN_TASKS, ctx);
  if (run.failed?.error instanceof DrillError) throw run.failed.error;
  const interrupted = () => ctx.problems.some((p) => p.code === 'interrupted');
  // not steady before the drill: its own problem says so, nothing was meant to be injected
  const notSteady = run.failed?.error instanceof NotSteady;
  if (run.failed && !notSteady) {
    if (opts.signal?.aborted && !interrupted()) ctx.problem('interrupted', `the drill was interrupted (${ctx.abortReason()})`);
    ctx.problem('harness-error', message(run.failed.error));
  }
  for (const t of run.teardownErrors) ctx.problem('teardown-failed', `${t.title}: ${message(t.error)}`);
  for (const r of ctx.faults.records) {
    // a fault a guard's abort, or an unsteady system, came before was rightly never injected
    if (r.outcome === 'not-started' && !interrupted() && !notSteady && !ctx.guardTrip) ctx.problem('fault-not-injected', `fault ${r.name} was never injected`);
  }

  // the harness error first: it is why the verdicts after it have no evidence
  ctx.problems.sort((a, b) => Number(b.code === 'harness-error') - Number(a.code === 'harness-error'));
  try {
    return await concludeRun(ctx, run.timings);
  } finally {
    await Promise.all(ctx.finishing);
  }
}
