import { describe, expect, it } from 'vitest';
import { runTasks, type Task } from '../../src/run/tasks.ts';

type Ctx = { log: string[] };

const task = (title: string, opts: { fail?: boolean; teardownFails?: boolean } = {}): Task<Ctx> => ({
  title,
  setup(ctx, teardown) {
    teardown(`undo ${title}`, () => {
      ctx.log.push(`undo ${title}`);
      if (opts.teardownFails) throw new Error(`cannot undo ${title}`);
    });
    ctx.log.push(title);
    if (opts.fail) throw new Error(`${title} failed`);
  },
});

describe('runTasks', () => {
  it('runs setups in order and teardowns in reverse', async () => {
    const ctx: Ctx = { log: [] };
    const run = await runTasks([task('a'), task('b'), task('c')], ctx);
    expect(ctx.log).toEqual(['a', 'b', 'c', 'undo c', 'undo b', 'undo a']);
    expect(run.failed).toBeNull();
    expect(run.timings.map((t) => `${t.step}:${t.title}`)).toEqual(['setup:a', 'setup:b', 'setup:c', 'teardown:undo c', 'teardown:undo b', 'teardown:undo a']);
  });

  it('stops at the task that failed, and still undoes what it registered before failing', async () => {
    const ctx: Ctx = { log: [] };
    const run = await runTasks([task('a'), task('b', { fail: true }), task('c')], ctx);
    expect(ctx.log).toEqual(['a', 'b', 'undo b', 'undo a']);
    expect(run.failed?.title).toBe('b');
    expect(String(run.failed?.error)).toContain('b failed');
  });

  it('runs every teardown even when one throws, and reports it', async () => {
    const ctx: Ctx = { log: [] };
    const run = await runTasks([task('a'), task('b', { teardownFails: true }), task('c')], ctx);
    expect(ctx.log).toEqual(['a', 'b', 'c', 'undo c', 'undo b', 'undo a']);
    expect(run.teardownErrors.map((t) => t.title)).toEqual(['undo b']);
  });
});
