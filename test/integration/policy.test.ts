// A release policy on a real run: per-SLO severity overrides and waivers with an owner and an
// expiry change the decision (and say so); a bad policy file is refused before anything runs.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, readJson, runCli, tmpDir } from '../helpers.ts';

function policyFile(text: string): string {
  const file = path.join(tmpDir('gameday-policy'), 'policy.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('gameday run --policy', () => {
  it('a waiver with an owner and a future expiry turns a blocking breach into CONDITIONAL, and the evidence names who waived it', async () => {
    const policy = policyFile(
      'slos: { impossible-p95: blocking }\nwaivers:\n  - { slo: impossible-p95, owner: sre-payments, reason: "INC-1234: health probe latency budget under review", expires: "2099-12-31" }\n',
    );
    const out = path.join(tmpDir('gameday-waived'), 'run');
    const r = await runCli(['run', fixture('thresholds.yaml'), '--out', out, '--no-progress', '--policy', policy]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toMatch(/WAIVED blocking impossible-p95: .*waived by sre-payments until 2099-12-31/);
    const decision = readJson(path.join(out, 'decisions.json'));
    expect(decision.decision).toBe('CONDITIONAL');
    expect(decision.waivers).toEqual([{ slo: 'impossible-p95', owner: 'sre-payments', reason: 'INC-1234: health probe latency budget under review', expires: '2099-12-31', status: 'applied' }]);
    const v = decision.verdicts.find((x: { slo: string }) => x.slo === 'impossible-p95');
    expect(v).toMatchObject({ pass: false, blocking: true, waivedBy: { owner: 'sre-payments' } });
    // without a GO run of this drill before it, the baseline says there is nothing to compare with
    expect(decision.verdicts.find((x: { slo: string }) => x.slo === 'baseline')).toMatchObject({ reason: 'no-baseline', pass: true });
  }, 120_000);

  it('an expired waiver does not apply: the overridden blocking breach makes it NO-GO', async () => {
    const policy = policyFile('slos: { impossible-p95: blocking }\nwaivers:\n  - { slo: impossible-p95, owner: sre-payments, reason: old ticket, expires: "2020-01-31" }\n');
    const out = path.join(tmpDir('gameday-expired'), 'run');
    const r = await runCli(['run', fixture('thresholds.yaml'), '--out', out, '--no-progress', '--policy', policy]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL blocking impossible-p95/);
    expect(r.stdout).toContain('waiver for impossible-p95 by sre-payments expired (2020-01-31): not applied');
    expect(readJson(path.join(out, 'decisions.json')).waivers[0].status).toBe('expired');
  }, 120_000);

  it('a policy file that is not valid is refused with exit 3, naming the file and the path, and nothing runs', async () => {
    const policy = policyFile('waivers:\n  - { slo: impossible-p95, owner: "", reason: x, expires: "31/12/2099" }\n');
    const out = path.join(tmpDir('gameday-badpolicy'), 'run');
    const r = await runCli(['run', fixture('thresholds.yaml'), '--out', out, '--no-progress', '--policy', policy]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(policy);
    expect(r.stderr).toMatch(/waivers\[0\]\.owner: a waiver needs an owner/);
    expect(r.stderr).toMatch(/waivers\[0\]\.expires: "31\/12\/2099" is not a date/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
