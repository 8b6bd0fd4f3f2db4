// The GitHub Action's pure parts (action.yml → `gameday action`, src/cli/action.ts): its inputs as
// the runner passes them (INPUT_* variables), how a decision becomes the job's result, the job
// summary (Markdown for GITHUB_STEP_SUMMARY), the step outputs (GITHUB_OUTPUT) and annotations.
import { z } from 'zod';
import type { Verdict } from './verdict.ts';

/** What a CONDITIONAL (or a NO-GO the user does not fail on) does to the job. */
export const JOB_RESULTS = ['success', 'neutral', 'failure'] as const;
export type JobResult = (typeof JOB_RESULTS)[number];

const blankIsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);

/** The action's inputs, from the variables the runner sets (`INPUT_<NAME>`, upper case, `-` kept). */
export const ActionInputs = z.strictObject({
  command: z.preprocess(blankIsAbsent, z.enum(['run', 'suite']).default('run')),
  drill: z.preprocess(blankIsAbsent, z.string({ error: 'required: the drill file (run) or a folder or drill files (suite)' })),
  out: z.preprocess(blankIsAbsent, z.string().default('gameday-evidence')),
  'time-scale': z.preprocess(
    blankIsAbsent,
    z.coerce
      .number({ error: 'expected a number above 0 and at most 10, e.g. 0.2' })
      .refine((n) => n > 0 && n <= 10, 'expected a number above 0 and at most 10, e.g. 0.2')
      .optional(),
  ),
  conditional: z.preprocess(blankIsAbsent, z.enum(JOB_RESULTS).default('neutral')),
  'fail-on-no-go': z.preprocess(blankIsAbsent, z.enum(['true', 'false']).default('true')),
});
export type ActionInputs = z.infer<typeof ActionInputs>;

/**
 * The variables an input may come in: `INPUT_TIME-SCALE` as the runner spells it for JavaScript
 * actions, or `INPUT_TIME_SCALE`, what a composite step's `env:` can pass through any shell.
 */
export const inputVariables = (name: string): [string, string] => [`INPUT_${name.toUpperCase()}`, `INPUT_${name.toUpperCase().replace(/-/g, '_')}`];
const inputVariable = (name: string): string => inputVariables(name)[1];

/** The inputs out of the environment: each INPUT_* the schema knows (others are the runner's business). */
export function readActionInputs(env: Record<string, string | undefined>): { ok: true; inputs: ActionInputs } | { ok: false; problems: string[] } {
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(ActionInputs.shape)) raw[name] = inputVariables(name).map((v) => env[v]).find((v) => v !== undefined);
  const parsed = ActionInputs.safeParse(raw);
  if (parsed.success) return { ok: true, inputs: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => `input \`${String(i.path[0])}\` (${inputVariable(String(i.path[0]))}): ${i.message}; set it under \`with:\` in the workflow step`),
  };
}

/** The drill arguments of `gameday run|suite`: one drill for run, folders/files separated by blanks or lines for suite. */
export function drillArguments(inputs: ActionInputs): string[] {
  return inputs.command === 'run' ? [inputs.drill] : inputs.drill.split(/\s+/).filter(Boolean);
}

/** The gameday command line the action runs (without the program). */
export function gamedayArguments(inputs: ActionInputs, outDir: string): string[] {
  const args = [inputs.command, ...drillArguments(inputs), '--out', outDir, '--no-progress'];
  if (inputs['time-scale'] !== undefined) args.push('--time-scale', String(inputs['time-scale']));
  return args;
}

const DECISIONS: Record<number, string> = { 0: 'GO', 1: 'NO-GO', 2: 'CONDITIONAL' };

/** The decision of a gameday exit code; INVALID for 3 (nothing was run) and anything else. */
export const decisionOfExit = (code: number): string => DECISIONS[code] ?? 'INVALID';

export interface JobOutcome {
  result: JobResult;
  /** the step's exit code: 0 unless the result is failure, then gameday's own code (1, 2, 3) */
  stepExitCode: number;
  /** the ::error:: / ::warning:: line to print, if any */
  annotation: string | null;
}

/**
 * How gameday's exit code becomes the job's result: GO succeeds; CONDITIONAL as `conditional` says;
 * NO-GO fails unless `fail-on-no-go` is false (then neutral); an invalid input (3) always fails.
 * Actions has no neutral job conclusion: neutral is a passing step with a warning annotation.
 */
export function jobOutcome(exitCode: number, inputs: Pick<ActionInputs, 'conditional' | 'fail-on-no-go'>): JobOutcome {
  const result: JobResult = exitCode === 0 ? 'success' : exitCode === 2 ? inputs.conditional : exitCode === 1 ? (inputs['fail-on-no-go'] === 'true' ? 'failure' : 'neutral') : 'failure';
  const decision = decisionOfExit(exitCode);
  const annotation =
    result === 'failure'
      ? `::error title=gameday ${decision}::${exitCode === 3 || decision === 'INVALID' ? `nothing was run (exit ${exitCode}): the drill or an input is invalid, see the log` : `the drill decided ${decision} (exit ${exitCode})`}`
      : result === 'neutral'
        ? `::warning title=gameday ${decision}::the drill decided ${decision} (exit ${exitCode}); the job passes because ${exitCode === 2 ? '`conditional` is neutral' : '`fail-on-no-go` is false'}`
        : null;
  return { result, stepExitCode: result === 'failure' ? (exitCode === 0 ? 1 : exitCode) : 0, annotation };
}

/** One cell of a Markdown table: pipes escaped, lines joined. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function observedText(f: Verdict['failedSlos'][number]): string {
  if (f.observed === null) return 'no evidence';
  const n = Number.isInteger(f.observed) ? String(f.observed) : String(Number(f.observed.toPrecision(4)));
  return f.unit ? `${n} ${f.unit}` : n;
}

export interface SummaryInput {
  inputs: ActionInputs;
  /** gameday's exit code */
  exitCode: number;
  outcome: JobOutcome;
  /** the runs' verdicts (one for run, one per drill for suite) */
  verdicts: Verdict[];
  /** the report to open, relative to the workspace (null when nothing was written) */
  reportPath: string | null;
  /** why there is no verdict, when gameday stopped before deciding */
  problems?: string[];
}

/** The job summary: the decision, one row per drill, the failed SLOs with observed vs objective, the report. Pure. */
export function formatJobSummary(s: SummaryInput): string {
  const decision = decisionOfExit(s.exitCode);
  const title = s.inputs.command === 'run' && s.verdicts[0] ? s.verdicts[0].drill : `suite of ${s.verdicts.length} drill${s.verdicts.length === 1 ? '' : 's'}`;
  const lines = [`## gameday: ${cell(title)} — ${decision} (exit ${s.exitCode})`, ''];
  lines.push(`Job result: **${s.outcome.result}**${s.exitCode === 2 ? ` (CONDITIONAL maps to \`${s.inputs.conditional}\`: input \`conditional\`)` : s.exitCode === 1 && s.outcome.result !== 'failure' ? ' (`fail-on-no-go` is false)' : ''}`, '');
  for (const p of s.problems ?? []) lines.push(`> ${cell(p)}`, '');
  if (s.verdicts.length) {
    lines.push('| drill | app | decision | exit | failed SLOs |', '|---|---|---|---|---|');
    for (const v of s.verdicts) {
      const failed = v.failedSlos.map((f) => `${f.slo} (${f.blocking ? 'blocking' : 'advisory'}${f.waived ? ', waived' : ''})`).join(', ');
      lines.push(`| ${cell(v.drill)} | ${cell(v.app)} | **${v.decision}**${v.invalid ? ' (run invalid)' : ''} | ${v.exitCode} | ${cell(failed) || '—'} |`);
    }
    lines.push('');
    const failed = s.verdicts.flatMap((v) => v.failedSlos.map((f) => ({ v, f })));
    if (failed.length) {
      lines.push('### Failed SLOs', '', '| drill | SLO | severity | observed | objective | why |', '|---|---|---|---|---|---|');
      for (const { v, f } of failed) lines.push(`| ${cell(v.drill)} | ${cell(f.slo)} | ${f.blocking ? 'blocking' : 'advisory'}${f.waived ? ' (waived)' : ''} | ${cell(observedText(f))} | ${cell(f.objective)} | ${cell(f.reason)} |`);
      lines.push('');
    }
    const problems = s.verdicts.flatMap((v) => v.problems.map((p) => ({ v, p })));
    if (problems.length) {
      lines.push('### Problems', '');
      for (const { v, p } of problems) lines.push(`- ${cell(v.drill)}: ${cell(p)}`);
      lines.push('');
    }
  }
  if (s.reportPath) lines.push(`Report: \`${s.reportPath}\` (in the evidence artifact)`, '');
  return `${lines.join('\n')}\n`;
}

/** The job summary when the inputs are not valid (nothing was run). Pure. */
export function formatInputProblems(problems: readonly string[]): string {
  return `## gameday: nothing run — the action's inputs are not valid (exit 3)\n\nJob result: **failure**\n\n${problems.map((p) => `- ${p}`).join('\n')}\n`;
}

/** The step outputs the entry writes (action.yml's outputs and later steps read these). */
export const ACTION_OUTPUTS = ['decision', 'exit-code', 'result', 'run-dir', 'report-path', 'report-files', 'junit-files'] as const;
export type ActionOutputs = Record<(typeof ACTION_OUTPUTS)[number], string>;

/** Step outputs in the GITHUB_OUTPUT file format (`name<<delimiter` blocks, so any value may span lines). */
export function formatOutputs(outputs: Record<string, string>, delimiter: string): string {
  return Object.entries(outputs)
    .map(([name, value]) => {
      if (value.includes(delimiter)) throw new Error(`output ${name} contains the delimiter ${delimiter}`);
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}
