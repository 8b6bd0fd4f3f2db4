// The CLI's contract without running load: help, validation, exit code 3 for bad drills.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_DRILL, runCli, tmpDir } from '../helpers.ts';

describe('gameday CLI', () => {
  it('--help lists the commands and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run \[options\] <drill>/);
    expect(r.stdout).toMatch(/cleanup/);
    expect(r.stdout).toMatch(/3 the drill could not be read or is invalid/);
  });

  it('validate accepts the demo drill', async () => {
    const r = await runCli(['validate', DEMO_DRILL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid drill "partner-hub-baseline"');
  });

  it('run exits 3 on an invalid drill, names the file and the path, and runs nothing', async () => {
    const dir = tmpDir('gameday-bad');
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'name: bad\napp: APP2\ntarget: {kind: process, service: {name: svc, command: [node, x.mjs]}}\nload: {requests: [{name: r, path: /}], profiles: [{profile: baseline, rate: -1, duration: 10 sec}]}\nslos: [{name: s, kind: latency, percentile: 95, below: 1s}]\n');
    const out = path.join(dir, 'run');
    const r = await runCli(['run', file, '--out', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('load.profiles[0].rate');
    expect(r.stderr).toContain('load.profiles[0].duration: "10 sec" is not a duration');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('run exits 3 when the drill file does not exist', async () => {
    const r = await runCli(['run', 'no/such/drill.ts']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no/such/drill.ts');
  });

  it('rejects a bad --time-scale', async () => {
    const r = await runCli(['run', DEMO_DRILL, '--time-scale', '0']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/time-scale/);
  });
});
