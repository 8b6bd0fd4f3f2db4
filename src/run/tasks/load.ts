// Task: the load — the drill's scenario bundled for k6, its plan written, one k6 process (or N
// on execution segments) started paused; t = 0 is the moment every one of them has its VUs
// ready, and they are resumed with it (src/k6/control.ts). Its teardown stops k6 if the run
// ends before the load does.
import fs from 'node:fs';
import path from 'node:path';
import { writeJson } from '../../evidence/files.ts';
import { bundleScenario, DRILL_SCENARIO } from '../../k6/bundle.ts';
import { buildK6Plan, secretEnvName } from '../../k6/plan.ts';
import { startAt, waitUntilPaused } from '../../k6/control.ts';
import { startK6, type K6Outcome } from '../../k6/runner.ts';
import { segmentFiles } from '../../k6/segments.ts';
import { withTimeout } from '../../platform/poll.ts';
import { freePort } from '../../platform/processes.ts';
import { RUN_FILES } from '../../schema/run-dir.ts';
import { K6_INIT_TIMEOUT_MS, type RunContext } from '../context.ts';
import { previousSecretEnvName } from '../rotation.ts';
import type { Task } from '../tasks.ts';

/** The outcome that says the most: an invalid one over a failed-thresholds one over ok. */
function worstOutcome(outcomes: K6Outcome[]): K6Outcome {
  return outcomes.find((o) => o.invalid) ?? outcomes.find((o) => o.code !== 'ok') ?? outcomes[0];
}

/** Stops k6 before its end: SIGINT (it writes its summary), SIGKILL if it has not ended within 5 s. */
export async function stopK6(k6: NonNullable<RunContext['k6']>): Promise<K6Outcome> {
  k6.kill('SIGINT');
  return (await withTimeout(k6.done, 5000)) ?? (k6.kill('SIGKILL'), await k6.done);
}

export const loadTask: Task<RunContext> = {
  title: 'load (k6)',
  async setup(ctx, teardown) {
    const env = ctx.env!;
    const scriptFile = path.join(ctx.runDir, RUN_FILES.k6Script);
    await bundleScenario(DRILL_SCENARIO, scriptFile);
    // k6 reads its plan while it initialises, before t = 0 is chosen: a provisional t0 there, which
    // the script moves to the real one (its setup data); the file is rewritten with the real one
    const planFile = path.join(ctx.runDir, RUN_FILES.k6Plan);
    writeJson(planFile, buildK6Plan(ctx.drill, ctx.plan, Date.now(), env.entryUrls, env.entryHeaders));
    const secretEnv: Record<string, string> = {};
    for (const [partner, secret] of Object.entries(ctx.secrets)) secretEnv[secretEnvName(partner)] = secret;
    for (const [partner, r] of Object.entries(ctx.rotations)) secretEnv[previousSecretEnvName(partner)] = r.previousSecret;
    teardown('stop k6', async () => {
      if (ctx.k6 && !ctx.k6Outcome) ctx.k6Outcome = await stopK6(ctx.k6);
    });
    const segments = segmentFiles(ctx.opts.segments ?? 1);
    const ports = await Promise.all(segments.map(() => freePort()));
    const runs = segments.map((seg, i) =>
      startK6(ctx.group, {
        bin: ctx.k6Tool.path,
        script: scriptFile,
        args: seg.args,
        controlPort: ports[i],
        env: { ...secretEnv, GAMEDAY_PLAN: planFile, GAMEDAY_SUMMARY: path.join(ctx.runDir, seg.summary) },
        samplesFile: path.join(ctx.runDir, seg.samples),
        stderrFile: path.join(ctx.runDir, seg.stderr),
        scratchDir: ctx.scratch,
        onChunk: (chunk) => ctx.segmentMetrics[i].ingestChunk(chunk),
        onEnd: () => ctx.segmentMetrics[i].endChunks(),
      }),
    );
    ctx.k6 = {
      done: Promise.all(runs.map((r) => r.done)).then(worstOutcome),
      kill: (signal) => runs.forEach((r) => r.process.child.kill(signal)),
    };
    // t = 0 once every k6 waits with its VUs initialised (one that exited says why in its outcome)
    const stop = new AbortController();
    const paused = await Promise.race([
      Promise.all(runs.map((r, i) => waitUntilPaused(ports[i], r.done, K6_INIT_TIMEOUT_MS, stop.signal))),
      ctx.aborted.then(() => null),
    ]).finally(() => stop.abort());
    const ready = ports.filter((_, i) => paused?.[i]);
    const t0 = ready.length ? await startAt(ready) : Date.now();
    // atomically: a VU k6 initialises later may read the file again
    writeJson(`${planFile}.tmp`, buildK6Plan(ctx.drill, ctx.plan, t0, env.entryUrls, env.entryHeaders));
    fs.renameSync(`${planFile}.tmp`, planFile);
    ctx.t0 = t0;
  },
};
