import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide, type RunProblem } from '../../src/judge/decide.ts';
import { loadPolicy, parsePolicy, PolicyError } from '../../src/judge/policy.ts';
import type { Verdict } from '../../src/judge/evaluate.ts';

function verdict(slo: string, pass: boolean, blocking: boolean, reason: Verdict['reason'] = pass ? 'met' : 'breached'): Verdict {
  return {
    slo,
    kind: 'latency',
    phase: 'steady',
    request: 'offers',
    objective: 'p(95) < 250 ms',
    observed: pass ? 120 : 400,
    unit: 'ms',
    samples: 1000,
    pass,
    blocking,
    reason,
    detail: `p(95) = ${pass ? 120 : 400} ms over 1000 requests (request offers, phase steady)`,
    evidence: ['k6_samples.ndjson.gz'],
  };
}

const NOW = new Date('2026-11-23T19:20:00Z');

const policy = (raw: unknown) => parsePolicy(raw, 'policy.yaml');

describe('the policy file', () => {
  it('fills defaults and reads expiry dates (a date is through the end of that day, UTC)', () => {
    const p = policy({ waivers: [{ slo: 'offers-p95', owner: 'jane@acme.test', reason: 'PERF-123', expires: '2026-11-23' }] });
    expect(p.slos).toEqual({});
    expect(p.baseline).toEqual({ runs: 5, maxRegression: 0.1, severity: 'advisory' });
    expect(p.waivers[0].expires).toEqual({ text: '2026-11-23', atMs: Date.UTC(2026, 10, 24) });
    expect(policy({ waivers: [{ slo: 'x', owner: 'o', reason: 'r', expires: '2026-11-23T12:00:00Z' }] }).waivers[0].expires.atMs).toBe(Date.UTC(2026, 10, 23, 12));
    expect(policy({ waivers: [{ slo: 'x', owner: 'o', reason: 'r', expires: new Date('2027-01-01T00:00:00Z') }] }).waivers[0].expires.atMs).toBe(Date.UTC(2027, 0, 1));
  });

  it('names the file, the path and the fix', () => {
    const err = (() => {
      try {
        policy({ slos: { a: 'optional' }, waivers: [{ slo: 'x', owner: ' ', reason: 'r', expires: 'next friday' }, { slo: 'y', owner: 'o', reason: 'r', expires: '2026-02-30' }] });
      } catch (e) {
        return e as PolicyError;
      }
    })()!;
    expect(err).toBeInstanceOf(PolicyError);
    expect(err.message).toMatch(/^policy\.yaml: the policy is not valid/);
    expect(err.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^slos\.a: /),
        'waivers[0].owner: a waiver needs an owner: who accepted the risk',
        'waivers[0].expires: "next friday" is not a date: write "2026-12-31" (through that day, UTC) or "2026-12-31T17:00:00Z"',
        'waivers[1].expires: "2026-02-30" is not a calendar date: write e.g. "2026-12-31"',
      ]),
    );
  });

  it('loads YAML, and says which file could not be read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-policy-'));
    try {
      const file = path.join(dir, 'policy.yaml');
      fs.writeFileSync(file, 'slos:\n  offers-p95-fault: blocking\nwaivers:\n  - { slo: offers-p95-steady, owner: sre-team, reason: "PERF-1: cache warm-up", expires: 2026-12-31 }\n');
      const p = loadPolicy(file);
      expect(p.slos).toEqual({ 'offers-p95-fault': 'blocking' });
      expect(p.waivers[0]).toMatchObject({ owner: 'sre-team', expires: { text: '2026-12-31' } });
      expect(() => loadPolicy(path.join(dir, 'nope.yaml'))).toThrow(/nope\.yaml: the policy is not valid\n {2}- cannot read the file: ENOENT; check the path/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decide with a policy', () => {
  it('without a policy, nothing changes', () => {
    const d = decide([verdict('a', true, true), verdict('adv', false, false)], []);
    expect(d.decision).toBe('CONDITIONAL');
    expect(d.waivers).toBeUndefined();
  });

  it('a valid waiver of a failed blocking SLO makes the decision CONDITIONAL, saying who waived it until when', () => {
    const p = policy({ waivers: [{ slo: 'offers-p95', owner: 'jane@acme.test', reason: 'PERF-123: fix in 2.4', expires: '2026-12-31' }] });
    const d = decide([verdict('offers-p95', false, true), verdict('b', true, true)], [], { policy: p, now: NOW });
    expect(d.decision).toBe('CONDITIONAL');
    expect(d.exitCode).toBe(2);
    expect(d.reasons).toEqual([
      'waived blocking SLO offers-p95 breached: p(95) = 400 ms over 1000 requests (request offers, phase steady); objective p(95) < 250 ms — waived by jane@acme.test until 2026-12-31: PERF-123: fix in 2.4',
    ]);
    expect(d.verdicts[0].waivedBy).toEqual({ owner: 'jane@acme.test', reason: 'PERF-123: fix in 2.4', expires: '2026-12-31' });
    expect(d.waivers).toEqual([{ slo: 'offers-p95', owner: 'jane@acme.test', reason: 'PERF-123: fix in 2.4', expires: '2026-12-31', status: 'applied' }]);
  });

  it('an expired waiver does not apply: NO-GO, and the reasons say it expired', () => {
    const p = policy({ waivers: [{ slo: 'offers-p95', owner: 'jane@acme.test', reason: 'PERF-123', expires: '2026-11-22' }] });
    const d = decide([verdict('offers-p95', false, true)], [], { policy: p, now: NOW });
    expect(d.decision).toBe('NO-GO');
    expect(d.reasons[0]).toMatch(/^blocking SLO offers-p95 breached: /);
    expect(d.reasons).toContain('waiver for offers-p95 by jane@acme.test expired (2026-11-22): not applied');
    expect(d.waivers![0].status).toBe('expired');
    expect(d.verdicts[0].waivedBy).toBeUndefined();
    // the same waiver, judged the day before, applies
    expect(decide([verdict('offers-p95', false, true)], [], { policy: p, now: new Date('2026-11-22T23:59:59Z') }).decision).toBe('CONDITIONAL');
  });

  it('only advisory SLOs failed: CONDITIONAL', () => {
    const p = policy({});
    const d = decide([verdict('a', true, true), verdict('adv', false, false)], [], { policy: p, now: NOW });
    expect(d.decision).toBe('CONDITIONAL');
    expect(d.reasons).toEqual([expect.stringMatching(/^advisory SLO adv breached: /)]);
  });

  it('a severity override turns an advisory SLO blocking, and a blocking one advisory', () => {
    const p = policy({ slos: { adv: 'blocking', blk: 'advisory' } });
    const up = decide([verdict('adv', false, false)], [], { policy: p, now: NOW });
    expect(up.decision).toBe('NO-GO');
    expect(up.verdicts[0].blocking).toBe(true);
    const down = decide([verdict('blk', false, true)], [], { policy: p, now: NOW });
    expect(down.decision).toBe('CONDITIONAL');
    expect(down.verdicts[0].blocking).toBe(false);
  });

  it('an invalid run stays NO-GO whatever the waivers', () => {
    const p = policy({ waivers: [{ slo: 'offers-p95', owner: 'jane', reason: 'r', expires: '2027-01-01' }] });
    const problems: RunProblem[] = [{ code: 'fault-not-reverted', message: 'toxic still on proxy r0' }];
    const d = decide([verdict('offers-p95', false, true)], problems, { policy: p, now: NOW });
    expect(d.decision).toBe('NO-GO');
    expect(d.invalid).toBe(true);
    expect(d.reasons[0]).toBe('invalid run (fault-not-reverted): toxic still on proxy r0');
    for (const code of ['k6-crashed', 'fault-not-injected', 'evidence-missing']) {
      expect(decide([verdict('a', true, true)], [{ code, message: 'x' }], { policy: p, now: NOW }).decision).toBe('NO-GO');
    }
  });

  it('a waiver cannot cover missing evidence: there is no breach to waive', () => {
    const p = policy({ waivers: [{ slo: 'offers-p95', owner: 'jane', reason: 'r', expires: '2027-01-01' }] });
    const d = decide([verdict('offers-p95', false, true, 'no-evidence')], [], { policy: p, now: NOW });
    expect(d.decision).toBe('NO-GO');
    expect(d.reasons).toContain('waiver for offers-p95 by jane not applied: the SLO has no evidence, there is no breach to waive');
    expect(d.waivers![0].status).toBe('no-evidence');
  });

  it('of two waivers the one that still applies wins; a waiver of a passing SLO is unused', () => {
    const p = policy({
      waivers: [
        { slo: 'offers-p95', owner: 'old', reason: 'r1', expires: '2026-01-01' },
        { slo: 'offers-p95', owner: 'new', reason: 'r2', expires: '2027-01-01' },
        { slo: 'fine', owner: 'x', reason: 'r3', expires: '2027-01-01' },
      ],
    });
    const d = decide([verdict('offers-p95', false, true), verdict('fine', true, true)], [], { policy: p, now: NOW });
    expect(d.decision).toBe('CONDITIONAL');
    expect(d.verdicts[0].waivedBy?.owner).toBe('new');
    expect(d.waivers!.map((w) => w.status)).toEqual(['unused', 'applied', 'unused']);
  });

  it('needs the time to judge waivers by', () => {
    const p = policy({ waivers: [{ slo: 'a', owner: 'o', reason: 'r', expires: '2027-01-01' }] });
    expect(() => decide([verdict('a', false, true)], [], { policy: p })).toThrow(/needs `now`/);
  });
});
