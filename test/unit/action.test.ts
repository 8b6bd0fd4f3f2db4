// The GitHub Action: the entry's pure parts (inputs, decision → job result, job summary, outputs)
// and action.yml itself (it parses, runs only the entry that exists, passes every input the entry
// reads, and its outputs are ones the entry writes).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ACTION_OUTPUTS, ActionInputs, formatInputProblems, formatJobSummary, formatOutputs, gamedayArguments, inputVariables, jobOutcome, readActionInputs, type ActionInputs as Inputs } from '../../src/cli/action-format.ts';
import { buildProgram } from '../../src/cli/main.ts';
import type { Verdict } from '../../src/cli/verdict.ts';
import { ROOT } from '../helpers.ts';

const inputs = (o: Partial<Inputs> = {}): Inputs => ({ command: 'run', drill: 'drills/a.yaml', out: 'gameday-evidence', conditional: 'neutral', 'fail-on-no-go': 'true', ...o });

const verdict = (o: Partial<Verdict> = {}): Verdict => ({ runId: 'r1', drill: 'checkout', app: 'SHOP', decision: 'GO', exitCode: 0, invalid: false, pass: true, failedSlos: [], problems: [], ...o });

describe('action inputs', () => {
  it('reads INPUT_* as the runner spells them (dash) or as a composite env passes them (underscore), with defaults', () => {
    const r = readActionInputs({ INPUT_DRILL: ' d.yaml ', 'INPUT_TIME-SCALE': '0.2', INPUT_FAIL_ON_NO_GO: 'false', INPUT_CONDITIONAL: '' });
    expect(r).toEqual({ ok: true, inputs: { command: 'run', drill: 'd.yaml', out: 'gameday-evidence', 'time-scale': 0.2, conditional: 'neutral', 'fail-on-no-go': 'false' } });
  });

  it('names each bad input, its variable and where to fix it', () => {
    const r = readActionInputs({ INPUT_CONDITIONAL: 'maybe', INPUT_TIME_SCALE: '0', INPUT_COMMAND: 'matrix' });
    expect(r.ok).toBe(false);
    const problems = (r as { problems: string[] }).problems.join('\n');
    expect(problems).toMatch(/input `drill` \(INPUT_DRILL\): required/);
    expect(problems).toMatch(/input `conditional` \(INPUT_CONDITIONAL\): .*success.*neutral.*failure/);
    expect(problems).toMatch(/input `time-scale` \(INPUT_TIME_SCALE\): expected a number above 0/);
    expect(problems).toMatch(/input `command` \(INPUT_COMMAND\)/);
    expect(problems).toMatch(/under `with:`/);
  });

  it('builds the gameday command line: one drill for run, several for suite', () => {
    expect(gamedayArguments(inputs({ 'time-scale': 0.5 }), '/w/out')).toEqual(['run', 'drills/a.yaml', '--out', '/w/out', '--no-progress', '--time-scale', '0.5']);
    expect(gamedayArguments(inputs({ command: 'suite', drill: 'a.yaml b.yaml\nc.yaml' }), '/w/out')).toEqual(['suite', 'a.yaml', 'b.yaml', 'c.yaml', '--out', '/w/out', '--no-progress']);
  });
});

describe('decision → job result', () => {
  it('GO succeeds; an invalid input (3) or anything unknown fails', () => {
    expect(jobOutcome(0, inputs())).toEqual({ result: 'success', stepExitCode: 0, annotation: null });
    expect(jobOutcome(3, inputs({ conditional: 'success', 'fail-on-no-go': 'false' }))).toMatchObject({ result: 'failure', stepExitCode: 3 });
    expect(jobOutcome(3, inputs()).annotation).toMatch(/^::error title=gameday INVALID::nothing was run \(exit 3\)/);
    expect(jobOutcome(7, inputs())).toMatchObject({ result: 'failure', stepExitCode: 7 });
  });

  it('CONDITIONAL as the user chose: success, neutral (passes with a warning) or failure (exit 2)', () => {
    expect(jobOutcome(2, inputs({ conditional: 'success' }))).toEqual({ result: 'success', stepExitCode: 0, annotation: null });
    const neutral = jobOutcome(2, inputs({ conditional: 'neutral' }));
    expect(neutral).toMatchObject({ result: 'neutral', stepExitCode: 0 });
    expect(neutral.annotation).toMatch(/^::warning title=gameday CONDITIONAL::.*`conditional` is neutral/);
    expect(jobOutcome(2, inputs({ conditional: 'failure' }))).toMatchObject({ result: 'failure', stepExitCode: 2, annotation: expect.stringMatching(/^::error title=gameday CONDITIONAL::/) });
  });

  it('NO-GO fails (exit 1) unless fail-on-no-go is false', () => {
    expect(jobOutcome(1, inputs())).toMatchObject({ result: 'failure', stepExitCode: 1 });
    expect(jobOutcome(1, inputs({ 'fail-on-no-go': 'false' }))).toMatchObject({ result: 'neutral', stepExitCode: 0, annotation: expect.stringMatching(/`fail-on-no-go` is false/) });
  });
});

describe('job summary', () => {
  it('a decision table, the failed SLOs with observed vs objective, problems, and the report', () => {
    const failed = verdict({
      drill: 'partner|storm',
      decision: 'NO-GO',
      exitCode: 1,
      pass: false,
      failedSlos: [
        { slo: 'p95', blocking: true, reason: 'breached', objective: 'p(95) < 250 ms', observed: 312.456789, unit: 'ms', waived: false },
        { slo: 'jitter', blocking: false, reason: 'no evidence', objective: 'spread ≥ 0.2', observed: null, unit: '', waived: true },
      ],
      problems: ['k6-dropped: 3% of arrivals dropped'],
    });
    const md = formatJobSummary({ inputs: inputs({ command: 'suite' }), exitCode: 1, outcome: jobOutcome(1, inputs()), verdicts: [verdict(), failed], reportPath: 'gameday-evidence/summary.md' });
    expect(md).toContain('## gameday: suite of 2 drills — NO-GO (exit 1)');
    expect(md).toContain('Job result: **failure**');
    expect(md).toContain('| checkout | SHOP | **GO** | 0 | — |');
    expect(md).toContain('| partner\\|storm | SHOP | **NO-GO** | 1 | p95 (blocking), jitter (advisory, waived) |');
    expect(md).toContain('| partner\\|storm | p95 | blocking | 312.5 ms | p(95) < 250 ms | breached |');
    expect(md).toContain('| partner\\|storm | jitter | advisory (waived) | no evidence | spread ≥ 0.2 | no evidence |');
    expect(md).toContain('- partner\\|storm: k6-dropped: 3% of arrivals dropped');
    expect(md).toContain('Report: `gameday-evidence/summary.md`');
  });

  it('CONDITIONAL says what it was mapped to; a run that decided nothing says why', () => {
    const c = formatJobSummary({ inputs: inputs(), exitCode: 2, outcome: jobOutcome(2, inputs()), verdicts: [verdict({ decision: 'CONDITIONAL', exitCode: 2 })], reportPath: null });
    expect(c).toContain('## gameday: checkout — CONDITIONAL (exit 2)');
    expect(c).toContain('Job result: **neutral** (CONDITIONAL maps to `neutral`: input `conditional`)');
    expect(c).not.toContain('Report:');
    const none = formatJobSummary({ inputs: inputs(), exitCode: 3, outcome: jobOutcome(3, inputs()), verdicts: [], reportPath: null, problems: ['gameday run exited 3 (INVALID) without a decisions.json'] });
    expect(none).toContain('— INVALID (exit 3)');
    expect(none).toContain('> gameday run exited 3 (INVALID) without a decisions.json');
    expect(none).not.toContain('| drill |');
  });
});

describe('invalid inputs', () => {
  it('the summary lists each problem and says nothing was run', () => {
    const md = formatInputProblems(['input `drill` (INPUT_DRILL): required']);
    expect(md).toContain('nothing run');
    expect(md).toContain('- input `drill` (INPUT_DRILL): required');
  });
});

describe('step outputs', () => {
  it('writes name<<delimiter blocks, multi-line values included, and refuses a value holding the delimiter', () => {
    expect(formatOutputs({ decision: 'GO', files: 'a\nb' }, 'EOF1')).toBe('decision<<EOF1\nGO\nEOF1\nfiles<<EOF1\na\nb\nEOF1\n');
    expect(() => formatOutputs({ x: 'EOF1' }, 'EOF1')).toThrow(/delimiter/);
  });
});

describe('action.yml', () => {
  const action = YAML.parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
  const steps: Array<{ id?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, string> }> = action.runs.steps;

  it('is a composite action whose steps pin well-known actions by major version', () => {
    expect(action.runs.using).toBe('composite');
    const uses = steps.filter((s) => s.uses).map((s) => s.uses);
    expect(uses).toEqual(expect.arrayContaining(['actions/setup-node@v4', 'actions/cache@v4', 'actions/upload-artifact@v4', 'mikepenz/action-junit-report@v5']));
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    // every run step says its shell (composite actions require it)
    for (const s of steps.filter((x) => x.run)) expect(s).toHaveProperty('shell', 'bash');
  });

  it('calls only gameday commands the CLI has, and only files of the action that exist', () => {
    const commands = buildProgram(() => {}).commands.map((c) => c.name());
    const scripts = steps.filter((s) => s.run).map((s) => s.run!);
    const called = scripts.flatMap((r) => [...r.matchAll(/(?:^|\s)gameday\s+([a-z-]+)/gm)].map((m) => m[1]));
    expect(called).toEqual(['doctor', 'action']);
    for (const c of called) expect(commands).toContain(c);
    for (const r of scripts)
      for (const m of r.matchAll(/\$(?:GITHUB_ACTION_PATH|\{\{ github\.action_path \}\})\/([\w./-]+)/g)) expect(fs.existsSync(path.join(ROOT, m[1])), `${m[1]} referenced by action.yml`).toBe(true);
  });

  it("passes every input the entry reads, from the action's own inputs", () => {
    const entry = steps.find((s) => s.id === 'gameday')!;
    for (const name of Object.keys(ActionInputs.shape)) {
      expect(action.inputs, `input ${name}`).toHaveProperty([name]);
      const variable = inputVariables(name).find((v) => entry.env && v in entry.env);
      expect(variable, `the entry step passes ${name}`).toBeDefined();
      expect(entry.env![variable!]).toBe(`\${{ inputs.${name} }}`);
    }
    // the entry's required inputs are required in action.yml too
    expect(action.inputs.drill.required).toBe(true);
  });

  it('its outputs and the later steps read only outputs the entry writes', () => {
    const entryOutputs: readonly string[] = ACTION_OUTPUTS;
    const text = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    const read = [...text.matchAll(/steps\.gameday\.outputs\.([\w-]+)/g)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(0);
    for (const r of read) expect(entryOutputs).toContain(r);
    for (const [name, o] of Object.entries(action.outputs as Record<string, { value: string }>)) expect(o.value, name).toMatch(/^\$\{\{ steps\.gameday\.outputs\.[\w-]+ \}\}$/);
  });
});
