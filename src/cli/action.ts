// `gameday action`: the entry the GitHub Action (action.yml) runs. It reads the inputs the runner
// passes (INPUT_*), runs `gameday run|suite` as a child of this very CLI, reads the decision back
// from each run directory's decisions.json, writes the job summary (GITHUB_STEP_SUMMARY) and the
// step outputs (GITHUB_OUTPUT), and exits as the user mapped the decision. The formatting is pure
// (action-format.ts); this file holds the side effects.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPORT_FILE } from '../report/html.ts';
import { formatInputProblems, formatJobSummary, type ActionOutputs, formatOutputs, gamedayArguments, decisionOfExit, jobOutcome, readActionInputs, type ActionInputs } from './action-format.ts';
import { readVerdict, type Verdict } from './verdict.ts';

type Env = Record<string, string | undefined>;

/** Runs this CLI (the same node, the same entry file) with `args`; its output goes to ours. Resolves to its exit code. */
function runGameday(args: string[], env: Env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [process.argv[1], ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: env as NodeJS.ProcessEnv });
    // a cancelled job: the runner signals us; gameday reverts its faults on SIGINT/SIGTERM
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 3));
    });
  });
}

/** The run directories under `outDir` that hold a decisions.json: the directory itself (run) or its drill folders (suite). */
function runDirectories(inputs: ActionInputs, outDir: string): string[] {
  if (inputs.command === 'run') return fs.existsSync(path.join(outDir, 'decisions.json')) ? [outDir] : [];
  if (!fs.existsSync(outDir)) return [];
  return fs
    .readdirSync(outDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(outDir, e.name, 'decisions.json')))
    .map((e) => path.join(outDir, e.name))
    .sort();
}

function appendFile(file: string | undefined, text: string, what: string): void {
  if (!file) {
    process.stderr.write(`gameday action: ${what} is not set (not on a GitHub runner?): printing instead\n${text}`);
    return;
  }
  fs.appendFileSync(file, text);
}

/** Exit code of the step: 0, or gameday's own code when the decision maps to failure. */
export async function actionCommand(env: Env = process.env): Promise<number> {
  const read = readActionInputs(env);
  if (!read.ok) {
    for (const p of read.problems) process.stdout.write(`::error title=gameday action input::${p}\n`);
    process.stderr.write(`gameday action: the inputs are not valid:\n${read.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    appendFile(env.GITHUB_STEP_SUMMARY, formatInputProblems(read.problems), 'GITHUB_STEP_SUMMARY');
    const outputs: ActionOutputs = { decision: 'INVALID', 'exit-code': '3', result: 'failure', 'run-dir': '', 'report-path': '', 'report-files': '', 'junit-files': '' };
    appendFile(env.GITHUB_OUTPUT, formatOutputs(outputs, `gameday_${randomUUID()}`), 'GITHUB_OUTPUT');
    return 3;
  }
  const inputs = read.inputs;
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const outDir = path.resolve(workspace, inputs.out);
  const exitCode = await runGameday(gamedayArguments(inputs, outDir), env);

  const verdicts: Verdict[] = [];
  const problems: string[] = [];
  for (const dir of runDirectories(inputs, outDir)) {
    try {
      verdicts.push(readVerdict(dir));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (!verdicts.length) problems.push(`gameday ${inputs.command} exited ${exitCode} (${decisionOfExit(exitCode)}) without a decisions.json in ${path.relative(workspace, outDir) || '.'}: see the step's log`);

  const isRun = inputs.command === 'run';
  const report = isRun ? path.join(outDir, REPORT_FILE) : path.join(outDir, 'summary.md');
  const reportPath = fs.existsSync(report) ? report : null;
  const outcome = jobOutcome(exitCode, inputs);
  const rel = (p: string) => path.relative(workspace, p) || '.';

  appendFile(env.GITHUB_STEP_SUMMARY, formatJobSummary({ inputs, exitCode, outcome, verdicts, reportPath: reportPath && rel(reportPath), problems }), 'GITHUB_STEP_SUMMARY');
  const outputs: ActionOutputs = {
    decision: decisionOfExit(exitCode),
    'exit-code': String(exitCode),
    result: outcome.result,
    'run-dir': fs.existsSync(outDir) ? outDir : '',
    'report-path': reportPath ?? '',
    // what the artifact and JUnit steps pick up (globs, one a line)
    'report-files': !fs.existsSync(outDir) ? '' : isRun ? path.join(outDir, REPORT_FILE) : [path.join(outDir, 'summary.md'), path.join(outDir, '*', REPORT_FILE)].join('\n'),
    'junit-files': !fs.existsSync(outDir) ? '' : isRun ? path.join(outDir, 'junit.xml') : path.join(outDir, '*', 'junit.xml'),
  };
  appendFile(env.GITHUB_OUTPUT, formatOutputs(outputs, `gameday_${randomUUID()}`), 'GITHUB_OUTPUT');
  if (outcome.annotation) process.stdout.write(`${outcome.annotation}\n`);
  return outcome.stepExitCode;
}
