// kind: prometheus SLOs over a real drill (gameday run, real k6, hub replicas, disk-full fault,
// gameday's managed Prometheus scraping both replicas): the server-side 5xx ratio is 0 in steady
// and rises in the fault phase; a query that returns nothing is no-evidence; the queries and their
// answers are in telemetry.ndjson and the bundle verifies. A team Prometheus that is not there
// makes the run invalid with the reason, not a pass.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/platform/processes.ts';
import { ROOT, readJson, runCli, tmpDir } from '../helpers.ts';

interface Verdict {
  slo: string;
  pass: boolean;
  reason: string;
  observed: number | null;
}

const fixture = path.join(ROOT, 'test/fixtures/prometheus-disk-full.yaml');

describe('kind: prometheus SLOs on a real drill', () => {
  it('judges the server-side 5xx ratio from the managed Prometheus; no data is no-evidence; the bundle verifies', async () => {
    const out = path.join(tmpDir('gameday-prom-drill'), 'run');
    const r = await runCli(['run', fixture, '--out', out, '--no-progress']);
    expect(r.code, r.stderr).toBe(1);
    const { verdicts } = readJson<{ verdicts: Verdict[] }>(path.join(out, 'slo_results.json'));
    const v = (name: string) => verdicts.find((x) => x.slo === name)!;
    expect(v('server-5xx-steady')).toMatchObject({ pass: true, reason: 'met', observed: 0 });
    expect(v('server-5xx-fault')).toMatchObject({ pass: false, reason: 'breached' });
    expect(v('server-5xx-fault').observed).toBeGreaterThan(0.5);
    expect(v('nothing-there')).toMatchObject({ pass: false, reason: 'no-evidence' });
    const records = fs.readFileSync(path.join(out, 'telemetry.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((x) => [x.for, x.status])).toEqual([['server-5xx-steady', 'ok'], ['server-5xx-fault', 'ok'], ['nothing-there', 'ok']]);
    const verify = await runCli(['verify', path.join(out, 'evidence_bundle_TEST.zip')]);
    expect(verify.code, verify.stderr).toBe(0);
  });

  it('a team Prometheus nobody answers on makes the run invalid with the reason, nothing injected', async () => {
    const dir = tmpDir('gameday-prom-unreachable');
    const port = await freePort();
    const yaml = fs
      .readFileSync(fixture, 'utf8')
      .replace('  prometheus: { managed: true, scrapeInterval: 1s }', `  prometheus: { url: "http://127.0.0.1:${port}" }`)
      .replaceAll('../../examples/', `${path.join(ROOT, 'examples')}/`);
    fs.writeFileSync(path.join(dir, 'drill.yaml'), yaml);
    const out = path.join(dir, 'run');
    const r = await runCli(['run', path.join(dir, 'drill.yaml'), '--out', out, '--no-progress']);
    expect(r.code, r.stderr).not.toBe(0);
    const decisions = fs.readFileSync(path.join(out, 'decisions.json'), 'utf8');
    expect(decisions).toContain(`Prometheus at http://127.0.0.1:${port} did not answer`);
    const chaos = readJson<{ faults: { outcome: string }[] }>(path.join(out, 'chaos_report.json'));
    expect(chaos.faults.map((f) => f.outcome)).toEqual(['not-started']);
  });

  it('gameday validate reports a PromQL syntax error with the query and Prometheus own message; an unreachable server defers the check', async () => {
    const dir = tmpDir('gameday-prom-validate');
    const yaml = fs.readFileSync(fixture, 'utf8').replaceAll('../../examples/', `${path.join(ROOT, 'examples')}/`);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), yaml.replace('query: sum(rate(http_requests_total{route="/never"}[3s]))', 'query: sum(rate(http_requests_total{route="/never"}[3s])'));
    const bad = await runCli(['validate', path.join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('slos[3].query "sum(rate(http_requests_total{route=\\"/never\\"}[3s])"');
    expect(bad.stderr).toMatch(/Prometheus says: .*parse error/);
    const port = await freePort();
    fs.writeFileSync(path.join(dir, 'away.yaml'), yaml.replace('  prometheus: { managed: true, scrapeInterval: 1s }', `  prometheus: { url: "http://127.0.0.1:${port}" }`));
    const away = await runCli(['validate', path.join(dir, 'away.yaml')]);
    expect(away.code, away.stderr).toBe(0);
    expect(away.stderr).toContain('the PromQL queries are checked when the drill runs');
  });
});
