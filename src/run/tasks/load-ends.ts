// Task: wait for the load to end (or the user's stop), then collect what only a running SUT can
// say: how often each replayed or accepted webhook was applied.
import type { RunContext } from '../context.ts';
import { readSideEffects } from '../senders.ts';
import { stopK6 } from './load.ts';
import type { Task } from '../tasks.ts';

export const loadEndsTask: Task<RunContext> = {
  title: 'load runs to its end',
  async setup(ctx) {
    const k6 = ctx.k6!;
    const finished = await Promise.race([k6.done, ctx.aborted.then(() => null)]);
    if (finished) ctx.k6Outcome = finished;
    else {
      ctx.problem('interrupted', `the drill was interrupted (${ctx.abortReason()}): stopped before its end`);
      ctx.k6Outcome = await stopK6(k6);
    }
    const outcome = ctx.k6Outcome;
    // stopped on purpose (Ctrl-C, a guard): k6's interrupted exit and the senders' cut-off are no problem of the run
    const userStop = (ctx.opts.signal?.aborted ?? false) || ctx.guardTrip !== null;
    if (outcome.invalid && !userStop) ctx.problem(`k6-${outcome.code}`, `${outcome.message} (exit ${outcome.exitCode ?? outcome.signal}); see k6_stderr.log`);
    if (outcome.invalid) ctx.runAbort.abort('k6 ended the load');
    ctx.senderRuns = (await ctx.sending) ?? [];
    for (const r of ctx.senderRuns) if (r.error && !userStop) ctx.problem('sender-failed', `webhook sender ${r.name}: ${r.error}`);
    const env = ctx.env!;
    ctx.sideEffects = await readSideEffects(ctx.drill.senders, ctx.journalEntries.filter((e) => e.source === 'webhook-sender' && (e.variant === 'replayed-id' || e.variant === 'valid')), () => env.replicas.map((r) => `http://127.0.0.1:${r.port}`));
    for (const e of ctx.sideEffects?.errors.slice(0, 3) ?? []) ctx.log(`warning: side effects: ${e}`);
  },
};
