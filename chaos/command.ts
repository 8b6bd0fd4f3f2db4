// Command actions (Chaos Toolkit's "process action"): a fault is an argv the team already has —
// inject, optional verify, revert — run without a shell unless the action asks for one, with a
// timeout, each run's output appended to a log file and returned for the chaos report.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { CommandAction, CommandStep } from '../src/schema/command.ts';

export { CommandAction, CommandStep } from '../src/schema/command.ts';

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

/** The log is evidence, not a condition of the step: a folder gone (a sweep long after the run) loses the lines only. */
function appendLog(file: string, text: string): void {
  try {
    fs.appendFileSync(file, text);
  } catch {
    // nothing to add to: the step's outcome is still returned
  }
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
      appendLog(logFile, `--- ${step}: ${JSON.stringify(spec.argv)} exit=${run.exitCode} signal=${run.signal} timedOut=${run.timedOut} ${run.ms}ms\n${run.stdout}${run.stderr}`);
      resolve(run);
    });
  });
}

/** The step exited 0 in time. */
export const succeeded = (r: CommandRun) => r.exitCode === 0;
const ok = succeeded;
/** One line: the step, its argv, how it ended, the start of its stderr. */
export const describeRun = (r: CommandRun) => `${r.step} ${JSON.stringify(r.argv)} ${r.timedOut ? 'timed out' : `exited ${r.exitCode ?? r.signal}`}: ${r.stderr.trim().slice(0, 200)}`;

/** An inject or verify that failed: the revert was run at once; `reverted` says whether it succeeded. */
export class CommandFaultError extends Error {
  constructor(
    message: string,
    readonly runs: CommandRun[],
    readonly reverted: boolean,
  ) {
    super(message);
  }
}

/** Inject then verify; a failure reverts at once (revert is always attempted) and throws a CommandFaultError. */
export async function injectCommand(action: CommandAction, logFile: string, cwd?: string): Promise<CommandRun[]> {
  const runs = [await runStep('inject', action.inject, logFile, cwd)];
  if (ok(runs[0]) && action.verify) runs.push(await runStep('verify', action.verify, logFile, cwd));
  const failed = runs.find((r) => !ok(r));
  if (failed) {
    const revert = await runStep('revert', action.revert, logFile, cwd);
    throw new CommandFaultError(`${describeRun(failed)}; revert ${ok(revert) ? 'ran' : `failed too (${describeRun(revert)})`}`, [...runs, revert], ok(revert));
  }
  return runs;
}

/** Revert; throws when it fails (the run reports the fault as not reverted). */
export async function revertCommand(action: CommandAction, logFile: string, cwd?: string): Promise<CommandRun> {
  const run = await runStep('revert', action.revert, logFile, cwd);
  if (!ok(run)) throw new CommandFaultError(`not reverted: ${describeRun(run)}`, [run], false);
  return run;
}
