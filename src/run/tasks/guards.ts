// Task: the drill's guards (stop conditions), read every second from t = 0 (src/run/guards.ts).
// The first that trips aborts the drill at once: every fault reverted and verified, the load
// stopped, the webhook senders and partner simulators stopped — the tasks after it then end as
// they do at the end of a run, and the evidence is complete. The trip is kept for the judge
// (NO-GO, "aborted by guard ..."), chaos_report.json and the report; every reading goes to
// guards.ndjson. A prometheus guard's query is checked by Prometheus before the load starts.
import fs from 'node:fs';
import path from 'node:path';
import type { GuardTrip } from '../../judge/guard.ts';
import { RUN_FILES } from '../../schema/run-dir.ts';
import { checkQuery } from '../../targets/promql.ts';
import type { RunContext } from '../context.ts';
import { GuardWatch, type GuardEvaluation } from '../guards.ts';
import { watchedLocally } from '../../schema/guards.ts';
import type { Task } from '../tasks.ts';
import { stopK6 } from './load.ts';

/** Everything a trip does, at once; resolves when the faults are reverted and the load has stopped. */
async function abortRun(ctx: RunContext, e: GuardEvaluation): Promise<void> {
  const trip: GuardTrip = { guard: e.guard, kind: e.kind, atMs: e.atMs, observed: e.observed, revertedAtMs: null };
  ctx.guardTrip = trip;
  ctx.log(`guard ${e.guard} tripped at +${(e.atMs / 1000).toFixed(1)}s: ${e.observed} — reverting every fault, stopping the load`);
  ctx.runAbort.abort(`aborted by guard ${e.guard}`);
  const load = ctx.k6 && !ctx.k6Outcome ? stopK6(ctx.k6) : null;
  await ctx.faults.stop();
  const t0 = ctx.t0!;
  if (ctx.faults.records.every((r) => r.outcome !== 'revert-failed')) trip.revertedAtMs = Date.now() - t0;
  await Promise.all([load, ...ctx.partners.map((p) => p.close())]);
}

export const guardsTask: Task<RunContext> = {
  title: 'guards (stop conditions)',
  async setup(ctx, teardown) {
    // a guard with only a CloudWatch alarm is FIS's to watch (a stop condition of its experiments)
    const guards = ctx.drill.guards.filter(watchedLocally);
    if (guards.length === 0) return;
    for (const g of guards) {
      if (!g.prometheus) continue;
      if (!ctx.prometheus) throw new Error(`guards.${g.name}.prometheus: the drill's Prometheus is not running`);
      const problem = await checkQuery(ctx.prometheus, g.prometheus.query);
      if (problem) throw new Error(problem.kind === 'bad_data' ? `guards.${g.name}.prometheus.query ${JSON.stringify(g.prometheus.query)}: Prometheus says: ${problem.message}` : problem.message);
    }
    let aborting: Promise<void> | null = null;
    const watch = new GuardWatch({
      guards,
      timeScale: ctx.plan.timeScale,
      t0: () => ctx.t0,
      running: () => ctx.k6Outcome === null,
      metrics: () => ctx.segmentMetrics,
      prometheus: () => ctx.prometheus,
      entryUrl: () => ctx.env?.entryUrls[0] ?? null,
      log: ctx.log,
      onTrip: (e) => {
        if (ctx.opts.signal?.aborted) return;
        aborting = abortRun(ctx, e).catch((err) => ctx.problem('guard-abort-failed', `guard ${e.guard} tripped, and stopping the run failed: ${err instanceof Error ? err.message : String(err)}`));
      },
    });
    teardown('stop the guards', async () => {
      await watch.stop();
      await aborting;
      const file = path.join(ctx.runDir, RUN_FILES.guards);
      fs.writeFileSync(file, watch.evaluations.map((e) => JSON.stringify(e)).join('\n') + (watch.evaluations.length ? '\n' : ''));
    });
    watch.start();
  },
};
