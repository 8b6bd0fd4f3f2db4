// Task: everything else on the timeline from t = 0 — partner behaviours, the webhook senders,
// the SUT metrics poller and the faults. Teardowns, in reverse: every fault reverted (in order,
// verified), then the poller stopped, then the senders.
import path from 'node:path';
import { sutMetricsToCollect } from '../../judge/evaluate.ts';
import { RUN_FILES } from '../../schema/run-dir.ts';
import type { RunContext } from '../context.ts';
import { runSenders } from '../senders.ts';
import { pollSutMetrics } from '../sut-metrics.ts';
import type { Task } from '../tasks.ts';

export const timelineTask: Task<RunContext> = {
  title: 'timeline (partners, senders, faults)',
  setup(ctx, teardown) {
    const env = ctx.env!;
    const t0 = ctx.t0!;
    for (const p of ctx.partners) p.startTimeline(t0);
    env.startTimeline?.(t0);
    const replicaUrls = () => env.replicas.map((r) => `http://127.0.0.1:${r.port}`);

    teardown('stop the webhook senders', async () => {
      ctx.runAbort.abort('the drill is over');
      if (ctx.sending && ctx.senderRuns.length === 0) ctx.senderRuns = await ctx.sending;
    });
    ctx.sending = runSenders({ senders: ctx.drill.senders, timeScale: ctx.plan.timeScale, t0, baseUrl: () => env.entryUrls[0], secrets: ctx.secrets, rotations: ctx.rotations, journal: ctx.journal, signal: ctx.runAbort.signal });

    const poller = pollSutMetrics({
      targets: sutMetricsToCollect(ctx.drill.slos),
      baseUrls: replicaUrls,
      t0,
      intervalMs: 250,
      maxDurationMs: ctx.plan.totalMs + 30_000,
      file: path.join(ctx.runDir, RUN_FILES.sutMetrics),
    });
    teardown('stop the SUT metrics poller', async () => {
      ctx.sutSeries = await poller.stop();
    });

    teardown('revert every fault', () => ctx.faults.stop());
    ctx.faults.start(t0);
  },
};
