// Task: the steady-state hypothesis (Chaos Toolkit's). Once the system under test and its
// Prometheus are up, and before the load and the first fault, every "before" probe must hold: if
// one does not, the run stops here — invalid (`not-steady`, the reason first in decisions.json),
// nothing injected. Its teardown runs once every fault is reverted and the load has stopped (and
// before Prometheus and the system stop): the "after" probes, each a verdict `probe:<name>`.
// What each probe asked and got goes to probes.json.
import fs from 'node:fs';
import path from 'node:path';
import { writeJson } from '../../evidence/files.ts';
import { runsAt, type ProbeResult } from '../../schema/probes.ts';
import { RUN_FILES } from '../../schema/run-dir.ts';
import type { RunContext } from '../context.ts';
import { probesLog, runProbes, type ProbeDeps } from '../probes.ts';
import type { Task } from '../tasks.ts';

/** The system was not steady before the drill: the run ends before anything is injected (not a harness error). */
export class NotSteady extends Error {}

function record(ctx: RunContext, results: readonly ProbeResult[]): void {
  ctx.probes.push(...results);
  writeJson(path.join(ctx.runDir, RUN_FILES.probes), { results: ctx.probes });
  for (const r of results) ctx.log(`probe ${r.probe} (${r.when}): ${r.steady ? 'steady' : 'NOT steady'} — ${r.detail}`);
}

export const probesTask: Task<RunContext> = {
  title: 'steady-state probes (before)',
  async setup(ctx, teardown) {
    const probes = ctx.drill.probes;
    if (probes.length === 0) return;
    fs.mkdirSync(ctx.logDir, { recursive: true });
    const deps: ProbeDeps = { entryUrl: ctx.env!.entryUrls[0], prometheus: ctx.prometheus, logFile: probesLog(ctx.logDir), cwd: ctx.loaded.dir };
    const before = await runProbes(probes.filter((p) => runsAt(p, 'before')), 'before', deps);
    record(ctx, before);
    const unsteady = before.filter((r) => !r.steady);
    if (unsteady.length) {
      const why = unsteady.map((r) => `probe ${r.probe}: ${r.detail}`).join('; ');
      ctx.problem('not-steady', `the system was not steady before the drill, so no load was started and no fault injected: ${why}`);
      throw new NotSteady(why);
    }
    const after = probes.filter((p) => runsAt(p, 'after'));
    if (after.length === 0) return;
    teardown('steady-state probes (after)', async () => {
      // only after a drill that ran: a stopped or interrupted run has no "after" to probe
      if (ctx.t0 === null || ctx.opts.signal?.aborted) return;
      record(ctx, await runProbes(after, 'after', deps));
    });
  },
};
