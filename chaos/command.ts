// Command actions (Chaos Toolkit's "process action"): a fault is an argv the team already has —
// inject, optional verify, revert — run without a shell unless the action asks for one, with a
// timeout, each run's output appended to a log file and returned for the chaos report.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { z } from 'zod';

export const CommandStep = z
  .object({
    argv: z.array(z.string().min(1)).min(1),
    timeout: z.number().int().positive().default(30_000),
    /** run argv joined through /bin/sh -c; off unless asked for */
    shell: z.boolean().default(false),
  })
  .strict();
export type CommandStep = z.infer<typeof CommandStep>;

export const CommandAction = z.object({ inject: CommandStep, verify: CommandStep.optional(), revert: CommandStep }).strict();
export type CommandAction = z.infer<typeof CommandAction>;

export interface CommandRun {
  /** a fault's inject, verify, revert; or a steady-state probe (src/run/probes.ts) */
  step: 'inject' | 'verify' | 'revert' | 'probe';
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs one step; never throws (the run says what happened), output appended to `logFile`. */
export function runStep(step: CommandRun['step'], spec: CommandStep, logFile: string, cwd?: string): Promise<CommandRun> {
  const [file, ...args] = spec.shell ? ['/bin/sh', '-c', spec.argv.join(' ')] : spec.argv;
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(file, args, { timeout: spec.timeout, killSignal: 'SIGKILL', cwd, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string }) | null;
      const run: CommandRun = {
        step,
        argv: spec.argv,
        exitCode: e ? (typeof e.code === 'number' ? e.code : null) : 0,
        signal: e?.signal ?? null,
        timedOut: !!e?.killed && e.signal === 'SIGKILL',
        stdout: String(stdout),
        stderr: String(stderr) || (e && typeof e.code === 'string' ? `${e.code}: ${e.message}` : ''),
        ms: Math.round(performance.now() - t0),
      };
      fs.appendFileSync(logFile, `--- ${step}: ${JSON.stringify(spec.argv)} exit=${run.exitCode} signal=${run.signal} timedOut=${run.timedOut} ${run.ms}ms\n${run.stdout}${run.stderr}`);
      resolve(run);
    });
  });
}

const ok = (r: CommandRun) => r.exitCode === 0;
const describe = (r: CommandRun) => `${r.step} ${JSON.stringify(r.argv)} ${r.timedOut ? 'timed out' : `exited ${r.exitCode ?? r.signal}`}: ${r.stderr.trim().slice(0, 200)}`;

/** Inject then verify; a failure reverts at once (revert is always attempted) and throws. */
export async function injectCommand(action: CommandAction, logFile: string, cwd?: string): Promise<CommandRun[]> {
  const runs = [await runStep('inject', action.inject, logFile, cwd)];
  if (ok(runs[0]) && action.verify) runs.push(await runStep('verify', action.verify, logFile, cwd));
  const failed = runs.find((r) => !ok(r));
  if (failed) {
    const revert = await runStep('revert', action.revert, logFile, cwd);
    throw new Error(`command fault: ${describe(failed)}; revert ${ok(revert) ? 'ran' : `failed too (${describe(revert)})`}`);
  }
  return runs;
}

/** Revert; throws when it fails (the run reports the fault as not reverted). */
export async function revertCommand(action: CommandAction, logFile: string, cwd?: string): Promise<CommandRun> {
  const run = await runStep('revert', action.revert, logFile, cwd);
  if (!ok(run)) throw new Error(`command fault not reverted: ${describe(run)}`);
  return run;
}
