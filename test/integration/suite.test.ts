// `gameday suite` on real runs (real k6, Toxiproxy and hub processes): the worst decision as the
// exit code, the summary and the signed suite bundle, a mutant's override reaching the SUT, an
// invalid drill refused before anything runs, and Ctrl-C stopping the drill and the suite.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesOwnedBy, readJson, ROOT, runCli, startCli, tmpDir, waitFor } from '../helpers.ts';

const SEGMENTS = path.join(ROOT, 'test/fixtures/segments.yaml'); // GO
const THRESHOLDS = path.join(ROOT, 'test/fixtures/thresholds.yaml'); // CONDITIONAL: an advisory SLO nobody meets
const POD_KILL = path.join(ROOT, 'test/fixtures/pod-kill.yaml');

describe('gameday suite', () => {
  it('runs the drills in order, exits with the worst decision, writes a summary and a suite bundle that verifies', async () => {
    const out = path.join(tmpDir('gameday-suite'), 'suite');
    const r = await runCli(['suite', SEGMENTS, THRESHOLDS, '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/suite: CONDITIONAL \(exit 2\)/);
    expect(r.stdout).toMatch(/1\. fixture-segments +GO/);
    expect(r.stdout).toMatch(/2\. fixture-thresholds +CONDITIONAL — advisory failed: impossible-p95/);

    const summary = readJson(path.join(out, 'summary.json'));
    expect(summary).toMatchObject({ decision: 'CONDITIONAL', exitCode: 2, interrupted: false, mutant: null });
    expect(summary.runs.map((x: { runDir: string; outcome: string }) => [x.runDir, x.outcome])).toEqual([
      ['01-fixture-segments', 'GO'],
      ['02-fixture-thresholds', 'CONDITIONAL'],
    ]);
    // each run directory is a complete run of its own
    for (const run of summary.runs) {
      expect(readJson(path.join(out, run.runDir, 'decisions.json')).decision).toBe(run.outcome);
      expect(fs.existsSync(path.join(out, run.bundle))).toBe(true);
    }
    expect(fs.readFileSync(path.join(out, 'summary.md'), 'utf8')).toMatch(/\| 2 \| fixture-thresholds \| TEST \| \*\*CONDITIONAL\*\* \| impossible-p95 \(advisory\) \|/);

    // the suite bundle: signed over the manifest, the summary and both run bundles
    const bundle = path.join(out, 'evidence_bundle_SUITE.zip');
    const verify = await runCli(['verify', bundle]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/VERIFIED: 7 signed files match/);
    expect(verify.stdout).toMatch(/decision CONDITIONAL/);
    const manifest = readJson(path.join(out, 'suite-evidence/suite_manifest.json'));
    expect(manifest.runs.map((x: { bundle: string }) => x.bundle)).toEqual(['runs/01-fixture-segments/evidence_bundle_TEST.zip', 'runs/02-fixture-thresholds/evidence_bundle_TEST.zip']);
    // and each run bundle inside it verifies on its own
    const inner = await runCli(['verify', path.join(out, 'suite-evidence', manifest.runs[0].bundle)]);
    expect(inner.code, inner.stdout).toBe(0);

    // a changed summary inside the suite evidence is found
    fs.appendFileSync(path.join(out, 'suite-evidence/summary.md'), 'edited\n');
    const tampered = await runCli(['verify', path.join(out, 'suite-evidence')]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/MODIFIED +summary\.md/);
  });

  it('an invalid drill among them: exit 3, the file and the problem named, nothing run', async () => {
    const dir = tmpDir('gameday-suite-invalid');
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, fs.readFileSync(SEGMENTS, 'utf8').replace('rate: 60', 'rate: -1'));
    const out = path.join(dir, 'suite');
    const r = await runCli(['suite', SEGMENTS, bad, '--out', out, '--no-progress']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/bad\.yaml: the drill is not valid\n {2}- load\.profiles\[0\]\.rate/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('--mutant applies the override to every drill and records it in the run evidence; an unknown mutant is refused', async () => {
    const dir = tmpDir('gameday-suite-mutant');
    const mutants = path.join(dir, 'mutants.yaml');
    fs.writeFileSync(mutants, 'mutants:\n  - name: no-jitter\n    defect: no-jitter\n    override: { env: { DEFECTS: no-jitter } }\n    mustFail: [fixture-segments]\n');
    const unknown = await runCli(['suite', SEGMENTS, '--mutant', 'no-such', '--mutants', mutants]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/no mutant named "no-such": use one of no-jitter/);

    const out = path.join(dir, 'suite');
    const r = await runCli(['suite', SEGMENTS, '--mutant', 'no-jitter', '--mutants', mutants, '--out', out, '--no-progress']);
    // segments.yaml has nothing that catches jitter: GO, and the matrix line says the mutant was not caught
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/matrix: no-jitter × fixture-segments: GO ✗ NOT caught/);
    expect(r.stdout).not.toMatch(/not in this suite/);
    const runDir = path.join(out, '01-fixture-segments');
    expect(readJson(path.join(runDir, 'mutant.json'))).toMatchObject({ name: 'no-jitter', override: { env: { DEFECTS: 'no-jitter' } } });
    // the hub really ran with the defect switched on
    expect(fs.readFileSync(path.join(runDir, 'logs/hub-r0.log'), 'utf8')).toMatch(/DEFECTS=no-jitter/);
    // mutant.json is signed with the run
    expect(readJson(path.join(runDir, 'run_manifest.json')).artifacts.map((a: { path: string }) => a.path)).toContain('mutant.json');
    expect(readJson(path.join(out, 'summary.json')).mutant).toMatchObject({ name: 'no-jitter', defect: 'no-jitter' });
  });

  it('Ctrl-C stops the running drill (faults reverted, evidence written) and the suite: the rest not run, exit 1', async () => {
    const out = path.join(tmpDir('gameday-suite-sigint'), 'suite');
    const run = startCli(['suite', POD_KILL, SEGMENTS, '--out', out, '--no-progress']);
    const first = path.join(out, '01-fixture-pod-kill');
    await waitFor('the first drill to be under load', () => processesOwnedBy(run.child.pid!).some((p) => / run .*k6_script\.js/.test(p.cmdline)), 60_000);
    run.child.kill('SIGINT');
    const exit = await run.exit;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toContain('SIGINT: stopping the current drill and the suite');
    expect(processesOwnedBy(run.child.pid!)).toEqual([]);
    const summary = readJson(path.join(out, 'summary.json'));
    expect(summary).toMatchObject({ decision: 'NO-GO', exitCode: 1, interrupted: true });
    expect(summary.runs.map((x: { outcome: string }) => x.outcome)).toEqual(['NO-GO', 'NOT-RUN']);
    expect(summary.runs[1].reasons[0]).toMatch(/not run: the suite was interrupted \(SIGINT\)/);
    expect(readJson(path.join(first, 'decisions.json')).reasons.join('\n')).toMatch(/interrupted \(SIGINT\)/);
    expect(fs.existsSync(path.join(out, '02-fixture-segments'))).toBe(false);
    const verify = await runCli(['verify', path.join(out, 'evidence_bundle_SUITE.zip')]);
    expect(verify.code, verify.stdout).toBe(0);
  });
});
