// Task: undo what earlier, killed runs left behind, before this run starts anything.
import type { RunContext } from '../context.ts';
import { describeSweep, sweepLeftovers, sweptAnything } from '../sweep.ts';
import type { Task } from '../tasks.ts';

export const sweepTask: Task<RunContext> = {
  title: 'sweep leftovers of killed runs',
  async setup(ctx) {
    ctx.sweep = await sweepLeftovers();
    if (sweptAnything(ctx.sweep)) ctx.log(`cleanup: removed ${describeSweep(ctx.sweep)} left by earlier killed runs`);
  },
};
