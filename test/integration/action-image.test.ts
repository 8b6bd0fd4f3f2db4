// Shipping gameday to CI and to Argo Rollouts, on real runs: the GitHub Action's entry
// (`gameday action`, what action.yml runs) with the environment a runner gives it, over a GO and a
// NO-GO drill; then the container image the Dockerfile builds from the installed package, on a real
// Docker engine, reading the NO-GO run's verdict from a mounted run directory.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { engineProblem } from '../../chaos/containers/engine.ts';
import { requireTool } from '../../src/platform/toolchain.mjs';
import { fixture, needs, ROOT, runCli, tmpDir } from '../helpers.ts';
import { ensureNodeBaseImage } from '../support/node-base-image.ts';

const exec = promisify(execFile);

/** The GITHUB_OUTPUT file: `name<<delimiter` blocks (and plain name=value lines). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const block = /^([\w-]+)<<(.+)$/.exec(lines[i]);
    if (block) {
      const end = lines.indexOf(block[2], i + 1);
      out[block[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (/^[\w-]+=/.test(lines[i])) out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
  }
  return out;
}

/** Runs the action's entry as the composite step does: INPUT_* set, GITHUB_* files in a temp workspace. */
async function runAction(inputs: Record<string, string>) {
  const workspace = tmpDir('gameday-action');
  const summary = path.join(workspace, '.summary.md');
  const output = path.join(workspace, '.output');
  fs.writeFileSync(summary, '');
  fs.writeFileSync(output, '');
  const r = await runCli(['action'], { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: workspace, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output, ...inputs });
  return { ...r, workspace, summary: fs.readFileSync(summary, 'utf8'), outputs: parseOutputs(fs.readFileSync(output, 'utf8')) };
}

let noGoRunDir: string | null = null;

describe('the GitHub Action entry (gameday action) on real runs', () => {
  it('GO passes the job; NO-GO fails it with the failed SLO in the summary; a bad input runs nothing (exit 3)', async () => {
    const go = await runAction({ INPUT_DRILL: fixture('segments.yaml'), INPUT_OUT: 'evidence', INPUT_TIME_SCALE: '0.5' });
    expect(go.code, go.stderr).toBe(0);
    expect(go.outputs).toMatchObject({ decision: 'GO', 'exit-code': '0', result: 'success', 'run-dir': path.join(go.workspace, 'evidence'), 'report-path': path.join(go.workspace, 'evidence/report.html') });
    expect(fs.existsSync(go.outputs['junit-files'])).toBe(true);
    expect(go.summary).toContain('## gameday: fixture-segments — GO (exit 0)');
    expect(go.summary).toContain('Job result: **success**');
    expect(go.summary).toContain('| fixture-segments | TEST | **GO** | 0 | — |');
    expect(go.summary).toContain('Report: `evidence/report.html`');
    expect(go.summary).not.toContain('Failed SLOs');
    expect(go.stdout).not.toMatch(/^::(error|warning)/m);

    // the runner's own spelling of a dashed input (INPUT_FAIL-ON-NO-GO) is read too
    const noGo = await runAction({ INPUT_COMMAND: 'run', INPUT_DRILL: fixture('no-go.yaml'), INPUT_OUT: 'evidence', 'INPUT_TIME-SCALE': '0.5', 'INPUT_FAIL-ON-NO-GO': 'true' });
    expect(noGo.code, noGo.stderr).toBe(1);
    expect(noGo.outputs).toMatchObject({ decision: 'NO-GO', 'exit-code': '1', result: 'failure' });
    expect(noGo.stdout).toMatch(/^::error title=gameday NO-GO::the drill decided NO-GO \(exit 1\)$/m);
    expect(noGo.summary).toContain('## gameday: fixture-no-go — NO-GO (exit 1)');
    expect(noGo.summary).toContain('| fixture-no-go | TEST | **NO-GO** | 1 | offers-p95-impossible (blocking) |');
    // observed vs objective, as decisions.json has them
    const decisions = JSON.parse(fs.readFileSync(path.join(noGo.outputs['run-dir'], 'decisions.json'), 'utf8'));
    const failed = decisions.verdicts.find((v: { slo: string }) => v.slo === 'offers-p95-impossible');
    expect(noGo.summary).toMatch(new RegExp(`\\| fixture-no-go \\| offers-p95-impossible \\| blocking \\| ${Number(failed.observed.toPrecision(4))} ms \\| p\\(95\\) < 0\\.001 ms \\| breached \\|`));
    expect(noGo.summary).not.toContain('offers-errors |'); // a passing SLO is not listed
    noGoRunDir = noGo.outputs['run-dir'];

    const bad = await runAction({ INPUT_DRILL: fixture('no-go.yaml'), INPUT_CONDITIONAL: 'maybe' });
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/^::error title=gameday action input::input `conditional` \(INPUT_CONDITIONAL\)/m);
    expect(bad.outputs).toMatchObject({ decision: 'INVALID', 'exit-code': '3', result: 'failure', 'run-dir': '' });
    expect(bad.summary).toContain('nothing run — the action\'s inputs are not valid (exit 3)');
    expect(fs.readdirSync(bad.workspace).filter((f) => !f.startsWith('.'))).toEqual([]); // nothing run, nothing written
  });
});

describe('the container image (Dockerfile) on a real Docker engine', () => {
  it('builds from the installed package and prints the verdict of a mounted run directory', async () => {
    const problem = needs('a Docker engine', await engineProblem());
    if (problem) return;
    expect(noGoRunDir, 'the action test above writes the NO-GO run this test reads').not.toBeNull();
    const timings: Record<string, number> = {};
    const time = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      const v = await fn();
      timings[what] = Date.now() - t0;
      return v;
    };

    // node:20-bookworm-slim's stand-in, made here (no registry): this machine's node, npm, sh, env
    const base = await time('base image', () => ensureNodeBaseImage());
    // the build context as the Dockerfile's header tells users to make it
    const ctx = tmpDir('gameday-image');
    for (const f of ['Dockerfile', '.dockerignore']) fs.copyFileSync(path.join(ROOT, f), path.join(ctx, f));
    await time('npm pack', () => exec('npm', ['pack', '--pack-destination', ctx, ROOT], { cwd: ctx }));
    const tarball = fs.readdirSync(ctx).find((f) => /^gameday-.*\.tgz$/.test(f))!;
    await time('npm install', () => exec('npm', ['install', '--global', '--prefix', 'image', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`], { cwd: ctx, maxBuffer: 16 << 20 }));
    fs.mkdirSync(path.join(ctx, '.tools/bin'), { recursive: true });
    fs.copyFileSync(requireTool('k6').path, path.join(ctx, '.tools/bin/k6'));
    fs.copyFileSync(requireTool('toxiproxy').path, path.join(ctx, '.tools/bin/toxiproxy-server'));
    for (const b of ['k6', 'toxiproxy-server']) fs.chmodSync(path.join(ctx, '.tools/bin', b), 0o755);

    const image = 'gameday-test/gameday:it';
    const build = await time('docker build', () => exec('docker', ['build', '--build-arg', `BASE_IMAGE=${base.image}`, '-t', image, ctx], { maxBuffer: 16 << 20 }));
    expect(build.stdout).toMatch(/Successfully tagged gameday-test\/gameday:it/);

    // the verdict in the image equals the host's, exit code included; the run directory read-only, no network
    const host = await runCli(['verdict', noGoRunDir!, '--json']);
    const inImage = await time('docker run verdict', () =>
      exec('docker', ['run', '--rm', '--network', 'none', '-v', `${noGoRunDir}:/evidence:ro`, image, 'verdict', '/evidence', '--json']).then(
        () => ({ code: 0, stdout: '' }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      ),
    );
    expect(inImage.code).toBe(1);
    expect(JSON.parse(inImage.stdout)).toEqual(JSON.parse(host.stdout));
    expect(JSON.parse(inImage.stdout)).toMatchObject({ decision: 'NO-GO', exitCode: 1, failedSlos: [{ slo: 'offers-p95-impossible', blocking: true }] });

    // the pinned tools are in the image where the package finds them
    const doctor = await exec('docker', ['run', '--rm', '--network', 'none', image, 'doctor']).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    expect(doctor.stdout).toMatch(/^ok +k6 v\d+\.\d+\.\d+ \(pinned v\d+\.\d+\.\d+\): \/usr\/local\/bin\/k6 \[K6_BIN\]$/m);
    expect(doctor.stdout).toMatch(/^ok +toxiproxy .*: \/usr\/local\/bin\/toxiproxy-server \[TOXIPROXY_BIN\]$/m);

    const size = (await exec('docker', ['image', 'inspect', '--format', '{{.Size}}', image])).stdout.trim();
    process.stderr.write(`image ${image}: ${(Number(size) / 1e6).toFixed(0)} MB; ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}${base.built ? '' : ' (base image cached)'}\n`);
    fs.rmSync(ctx, { recursive: true, force: true });
  }, 600_000);
});
