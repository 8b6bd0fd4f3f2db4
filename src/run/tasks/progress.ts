// Task: the one-line progress on stderr (phase, elapsed, rps, requests, errors), once a second.
import { phaseAt } from '../../../scenarios/lib/phase.ts';
import type { MetricsAggregator } from '../../metrics/aggregate.ts';
import type { RunContext } from '../context.ts';
import { ProgressLine } from '../progress.ts';
import type { Task } from '../tasks.ts';

export const progressTask: Task<RunContext> = {
  title: 'progress line',
  setup(ctx, teardown) {
    if (ctx.opts.progress === false) return;
    const progress = new ProgressLine();
    const t0 = ctx.t0!;
    const timer = setInterval(() => {
      const elapsed = Date.now() - t0;
      const lastFull = Math.floor(Date.now() / 1000) - 1;
      const sum = (f: (m: MetricsAggregator) => number) => ctx.segmentMetrics.reduce((n, m) => n + f(m), 0);
      progress.update({
        phase: elapsed < 0 ? 'starting' : phaseAt(ctx.plan.phases, elapsed),
        elapsedMs: Math.max(0, elapsed),
        totalMs: ctx.plan.totalMs,
        rps: sum((m) => m.seconds.get(lastFull)?.requests ?? 0),
        requests: sum((m) => m.count('http_reqs')),
        errors: sum((m) => m.rate('http_req_failed')?.nonZero ?? 0),
      });
    }, 1000);
    teardown('end the progress line', () => {
      clearInterval(timer);
      progress.end();
    });
  },
};
