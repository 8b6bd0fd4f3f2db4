// Task: undo what earlier, killed runs left behind, before this run starts anything.
import type { RunContext } from '../context.ts';
import { describeSweep, sweepFailures, sweepLeftovers } from '../sweep.ts';
import type { Task } from '../tasks.ts';

export const sweepTask: Task<RunContext> = {
  title: 'sweep leftovers of killed runs',
  async setup(ctx) {
    ctx.sweep = await sweepLeftovers();
    const done = describeSweep(ctx.sweep);
    if (done !== 'nothing left behind') ctx.log(`cleanup: removed ${done} left by earlier killed runs`);
    const failed = sweepFailures(ctx.sweep);
    if (failed > 0) ctx.log(`cleanup: could not undo ${failed} thing(s) earlier killed runs left (gameday cleanup names them; --forget RUN drops what is gone for good)`);
  },
};
