// Steady-state probes on real drills (gameday run, real k6, the demo hub, Toxiproxy, the managed
// Prometheus): a hub whose partner is down before the drill is not steady → invalid run, the
// reason first in decisions.json, no load and no fault injected; a healthy one passes its probes
// before and after (each kind, in probes.json and the verdicts), and an "after" probe that no
// longer holds is a failed verdict of its own. `gameday validate` has Prometheus parse a probe's PromQL.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readJson, runCli, tmpDir } from '../helpers.ts';

interface Verdict {
  slo: string;
  kind: string;
  pass: boolean;
  reason: string;
  blocking: boolean;
  detail: string;
}
interface ProbeResult {
  probe: string;
  when: string;
  kind: string;
  steady: boolean;
  asked: string;
  observed: Record<string, unknown>;
  detail: string;
}

const fixture = path.join(ROOT, 'test/fixtures/probes.yaml');

describe('steady-state probes on a real drill', () => {
  it('a hub that is not steady before the drill: invalid run, the reason first, nothing injected', async () => {
    const dir = tmpDir('gameday-probes-unsteady');
    const yaml = fs
      .readFileSync(fixture, 'utf8')
      .replace('behaviours: [{ at: 0s, status: 200 }]', 'behaviours: [{ at: 0s, status: 503 }]')
      .replaceAll('../../examples/', `${path.join(ROOT, 'examples')}/`);
    fs.writeFileSync(path.join(dir, 'drill.yaml'), yaml);
    const out = path.join(dir, 'run');
    const r = await runCli(['run', path.join(dir, 'drill.yaml'), '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(1);
    const decisions = readJson<{ decision: string; invalid: boolean; reasons: string[]; problems: { code: string }[] }>(path.join(out, 'decisions.json'));
    expect(decisions).toMatchObject({ decision: 'NO-GO', invalid: true });
    expect(decisions.reasons[0]).toMatch(/^invalid run \(not-steady\): the system was not steady before the drill, so no load was started and no fault injected: probe offers-served: answered 503, expected 200/);
    expect(decisions.problems.map((p) => p.code)).toEqual(['not-steady']);
    const chaos = readJson<{ t0: string | null; faults: { outcome: string; injectedAt: string | null }[] }>(path.join(out, 'chaos_report.json'));
    expect(chaos.t0).toBeNull();
    expect(chaos.faults).toEqual([expect.objectContaining({ outcome: 'not-started', injectedAt: null })]);
    // no load either: k6 never ran, no request was made
    expect(readJson(path.join(out, 'k6_summary.json'))).toMatchObject({ missing: true });
    expect(readJson<{ samples: { requests: number } }>(path.join(out, 'slo_results.json')).samples.requests).toBe(0);
    const { results } = readJson<{ results: ProbeResult[] }>(path.join(out, 'probes.json'));
    expect(results.map((x) => [x.probe, x.when, x.steady])).toEqual([
      ['offers-served', 'before', false],
      ['hub-healthy', 'before', true],
      ['no-server-errors', 'before', true],
      ['metrics-answer', 'before', true],
      ['no-webhooks-yet', 'before', true],
    ]);
    expect(results[0].observed).toMatchObject({ status: 503 });
    const verify = await runCli(['verify', out]);
    expect(verify.code, verify.stderr).toBe(0);
  });

  it('a healthy hub: every probe holds before, each kind is in the evidence; an after probe that no longer holds fails its own verdict', async () => {
    const out = path.join(tmpDir('gameday-probes-steady'), 'run');
    const r = await runCli(['run', fixture, '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(1);
    const { results } = readJson<{ results: ProbeResult[] }>(path.join(out, 'probes.json'));
    const names = ['offers-served', 'hub-healthy', 'no-server-errors', 'metrics-answer', 'no-webhooks-yet'];
    expect(results.map((x) => [x.probe, x.when, x.steady])).toEqual([
      ...names.map((n) => [n, 'before', true]),
      ...names.map((n) => [n, 'after', n !== 'no-webhooks-yet']),
    ]);
    const byName = (n: string, when: string) => results.find((x) => x.probe === n && x.when === when)!;
    expect(byName('offers-served', 'before')).toMatchObject({ kind: 'http', observed: { status: 200 } });
    expect(byName('no-server-errors', 'after')).toMatchObject({ kind: 'prometheus', asked: 'sum(http_requests_total{code=~"5.."}) or vector(0)' });
    expect(byName('no-server-errors', 'after').observed.series).toEqual([{ labels: {}, points: [[expect.any(Number), 0]] }]);
    expect(byName('metrics-answer', 'after')).toMatchObject({ kind: 'command', observed: { exitCode: 0 } });
    expect(byName('no-webhooks-yet', 'after').detail).toMatch(/^\$\.webhooks\.accepted is \d+, expected ≤ 0$/);

    const { verdicts } = readJson<{ verdicts: Verdict[] }>(path.join(out, 'slo_results.json'));
    expect(verdicts.filter((v) => v.kind === 'probe').map((v) => [v.slo, v.pass, v.reason, v.blocking])).toEqual([
      ['probe:offers-served', true, 'met', true],
      ['probe:hub-healthy', true, 'met', true],
      ['probe:no-server-errors', true, 'met', true],
      ['probe:metrics-answer', true, 'met', true],
      ['probe:no-webhooks-yet', false, 'breached', true],
    ]);
    expect(verdicts.find((v) => v.slo === 'errors')).toMatchObject({ pass: true });
    const decisions = readJson<{ decision: string; invalid: boolean; reasons: string[] }>(path.join(out, 'decisions.json'));
    expect(decisions).toMatchObject({ decision: 'NO-GO', invalid: false });
    expect(decisions.reasons).toEqual([expect.stringMatching(/^blocking SLO probe:no-webhooks-yet breached: after the last recovery: \$\.webhooks\.accepted is \d+/)]);
    const chaos = readJson<{ faults: { outcome: string }[] }>(path.join(out, 'chaos_report.json'));
    expect(chaos.faults.map((f) => f.outcome)).toEqual(['reverted']);
    // the report shows the steady state: every probe, before and after, the one that broke named
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Steady state</h2>');
    expect(html.match(/<tr><td><b>[a-z-]+<\/b><\/td><td>(before|after)<\/td>/g)).toHaveLength(10);
    expect(html).toMatch(/<b>no-webhooks-yet<\/b><\/td><td>after<\/td>.*?<td><b>did not hold<\/b><\/td>/);
    const verify = await runCli(['verify', path.join(out, 'evidence_bundle_TEST.zip')]);
    expect(verify.code, verify.stderr).toBe(0);
  });

  it('gameday validate has Prometheus parse a probe\'s PromQL and names the probe, the query and its message', async () => {
    const dir = tmpDir('gameday-probes-validate');
    const yaml = fs
      .readFileSync(fixture, 'utf8')
      .replace(`query: 'sum(http_requests_total{code=~"5.."}) or vector(0)'`, `query: 'sum(http_requests_total{code=~"5.."}'`)
      .replaceAll('../../examples/', `${path.join(ROOT, 'examples')}/`);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), yaml);
    const bad = await runCli(['validate', path.join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/probes\[2\]\.prometheus\.query "sum\(http_requests_total\{code=~\\"5\.\.\\"\}": Prometheus says: .*parse error/);
  });
});
