// Dropped load is judged: a drill whose rate the SUT cannot take with the VUs given is invalid,
// with planned vs delivered arrivals in the evidence and the report (real k6, real hub).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, readJson, runCli, tmpDir } from '../helpers.ts';

describe('dropped load', () => {
  it('a run that delivered far less than its planned arrivals is invalid, and says by how much', async () => {
    const out = path.join(tmpDir('gameday-dropped'), 'run');
    const r = await runCli(['run', fixture('dropped-load.yaml'), '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(1);
    const decisions = readJson<{ invalid: boolean; problems: Array<{ code: string; message: string }> }>(path.join(out, 'decisions.json'));
    expect(decisions.invalid).toBe(true);
    const problem = decisions.problems.find((p) => p.code === 'load-not-delivered');
    expect(problem?.message).toMatch(/of the 320 planned arrivals \(\d+ dropped/);
    const load = readJson<{ load: { planned: number; dropped: number; deliveredShare: number; perSecond: Array<{ planned: number; delivered: number }> } }>(path.join(out, 'slo_results.json')).load;
    expect(load.planned).toBe(320);
    // 2 VUs at ~300 ms each start ~7 a second of the 40 planned
    expect(load.dropped).toBeGreaterThan(150);
    expect(load.deliveredShare).toBeLessThan(0.6);
    expect(load.perSecond).toHaveLength(8);
    expect(load.perSecond[3].planned).toBe(40);
    expect(load.perSecond[3].delivered).toBeLessThan(20);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('Load delivered');
  }, 90_000);
});
