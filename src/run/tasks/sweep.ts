// Task: undo what earlier, killed runs left behind, before this run starts anything.
import type { RunContext } from '../context.ts';
import { describeSweep, sweepLeftovers } from '../sweep.ts';
import type { Task } from '../tasks.ts';

export const sweepTask: Task<RunContext> = {
  title: 'sweep leftovers of killed runs',
  async setup(ctx) {
    ctx.sweep = await sweepLeftovers();
    const said = describeSweep(ctx.sweep);
    if (said) ctx.log(`cleanup: removed ${said} left by earlier killed runs`);
  },
};
