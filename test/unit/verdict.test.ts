import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verdictCommand } from '../../src/cli/verdict.ts';
import { makeRunDir, tmpDir, verdict } from './evidence-fixture.ts';

function run(dir: string, json = true) {
  let out = '';
  let err = '';
  const code = verdictCommand(dir, { json, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('gameday verdict', () => {
  it('prints GO with no failed SLOs and exits 0', () => {
    const dir = makeRunDir(path.join(tmpDir(), 'run'));
    const r = run(dir);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out);
    expect(v).toMatchObject({ decision: 'GO', exitCode: 0, pass: true, failedSlos: [], drill: 'partner-hub-baseline' });
  });

  it('names the failed SLOs of a NO-GO run and exits 1', () => {
    const dir = makeRunDir(path.join(tmpDir(), 'run'), { verdicts: [verdict('offers-p95-steady', 'steady', false), verdict('advisory-one', 'fault', true, 400, false)] });
    const r = run(dir);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.out);
    expect(v.decision).toBe('NO-GO');
    expect(v.pass).toBe(false);
    expect(v.failedSlos.map((f: { slo: string }) => f.slo)).toEqual(['offers-p95-steady']);
    expect(v.failedSlos[0]).toMatchObject({ blocking: true, reason: 'breached', waived: false });
  });

  it('CONDITIONAL when only advisory SLOs failed: exit 2, pass false', () => {
    const dir = makeRunDir(path.join(tmpDir(), 'run'), { verdicts: [verdict('a', 'steady', true), verdict('adv', 'fault', false, 400, false)] });
    const r = run(dir);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ decision: 'CONDITIONAL', pass: false, failedSlos: [{ slo: 'adv', blocking: false }] });
  });

  it('text form lists the failures', () => {
    const dir = makeRunDir(path.join(tmpDir(), 'run'), { verdicts: [verdict('offers-p95-steady', 'steady', false)] });
    expect(run(dir, false).out).toContain('FAIL blocking offers-p95-steady: breached');
  });

  it('a missing or invalid decisions.json names the file and the fix, exit 3', () => {
    const empty = tmpDir();
    const r = run(empty);
    expect(r.code).toBe(3);
    expect(r.err).toContain(path.join(empty, 'decisions.json'));
    expect(r.err).toContain('fix:');
    fs.writeFileSync(path.join(empty, 'decisions.json'), JSON.stringify({ runId: 'x', decision: 'MAYBE' }));
    const bad = run(empty);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/decision/);
  });
});
