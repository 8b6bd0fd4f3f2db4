// Steady-state probes: the schema (one of http / prometheus / command, unique names, strict, what a
// probe needs of the drill), the conditions and assessments, and the "after" verdicts.
import { describe, expect, it } from 'vitest';
import { assessCommand, assessHttp, assessPrometheus, describeProbe, meets, probeVerdicts } from '../../src/judge/probes.ts';
import { judge } from '../../src/judge/judge.ts';
import { MetricsAggregator } from '../../src/metrics/aggregate.ts';
import { DrillError, parseDrill } from '../../src/schema/load.ts';
import { Probe, Probes, type ProbeResult } from '../../src/schema/probes.ts';
import { probeUrl } from '../../src/run/probes.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function drillWith(probes: unknown[], extra: Record<string, unknown> = {}): any {
  return {
    name: 'probed',
    app: 'TEST',
    target: { kind: 'process', service: { name: 'hub', command: ['node', 'server.mjs'] } },
    load: { requests: [{ name: 'offers', path: '/offers' }], profiles: [{ profile: 'baseline', rate: 5, duration: '10s' }] },
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
    probes,
    ...extra,
  };
}

function problems(raw: unknown): string[] {
  try {
    parseDrill(raw, 'drill.yaml');
    return [];
  } catch (err) {
    if (err instanceof DrillError) return err.message.split('\n').slice(1).map((l) => l.trim());
    throw err;
  }
}

const http = (o: Record<string, unknown>) => Probe.parse({ name: 'p', http: { url: '/healthz', ...o } });

describe('probes: schema', () => {
  it('reads the three kinds with their defaults', () => {
    const [h, q, c] = Probes.parse([
      { name: 'health', http: { url: '/healthz', json: { path: '$.ok', equals: true }, latencyBelow: '500ms' } },
      { name: 'no-5xx', when: 'after', prometheus: { query: 'sum(up)', atLeast: 1 } },
      { name: 'cli', when: 'before', command: { argv: ['true'], timeout: '2s' } },
    ]);
    expect(h).toMatchObject({ when: 'both', http: { method: 'GET', status: [200], timeout: 5000, latencyBelow: 500 } });
    expect(q).toMatchObject({ when: 'after', prometheus: { query: 'sum(up)', atLeast: 1 } });
    expect(c).toMatchObject({ when: 'before', command: { argv: ['true'], timeout: 2000 } });
    expect(http({ status: 204 }).http!.status).toEqual([204]);
    expect(http({ status: [200, 204] }).http!.status).toEqual([200, 204]);
  });

  it('refuses a probe with no kind or two, duplicate names, unknown keys, a bad JSONPath or regex, a condition without bounds', () => {
    const errs = problems(
      drillWith([
        { name: 'none' },
        { name: 'two', http: { url: '/x' }, command: { argv: ['true'] } },
        { name: 'none', command: { argv: ['true'] } },
        { name: 'typo', http: { url: '/x', latncyBelow: '1s' } },
        { name: 'badpath', http: { url: '/x', json: { path: '$..[', equals: 1 } } },
        { name: 'badre', http: { url: '/x', json: { path: '$.a', matches: '(' } } },
        { name: 'nobound', http: { url: '/x', json: { path: '$.a' } } },
        { name: 'nopromb', prometheus: { query: 'up' } },
        { name: 'rel', http: { url: 'healthz' } },
      ]),
    );
    const text = errs.join('\n');
    expect(text).toContain('probes[0]: say what the probe does: http, prometheus or command');
    expect(text).toContain('probes[1].command: a probe is one of http, prometheus or command: this one has http and command');
    expect(text).toContain('probes[2].name: probe names must be unique: "none" is also probes[0].name');
    expect(text).toMatch(/probes\[3\]\.http\.latncyBelow: unknown key — did you mean `latencyBelow`\?/);
    expect(text).toContain('probes[4].http.json.path: not a JSONPath (RFC 9535) expression');
    expect(text).toContain('probes[5].http.json.matches: not a regular expression');
    expect(text).toContain('probes[6].http.json.atMost: give the condition: equals, atMost, atLeast or matches');
    expect(text).toContain('probes[7].prometheus.atMost: give the condition');
    expect(text).toContain('probes[8].http.url: write a path on the target');
  });

  it('a PromQL probe needs telemetry.prometheus; a URL beyond loopback needs allowRemote', () => {
    const errs = problems(drillWith([{ name: 'q', prometheus: { query: 'up', atLeast: 1 } }, { name: 'far', http: { url: 'http://example.com/health' } }, { name: 'near', http: { url: 'http://127.0.0.1:9/health' } }]));
    expect(errs).toEqual([
      expect.stringContaining('probes[0].prometheus: a PromQL probe asks the drill\'s Prometheus: add telemetry'),
      expect.stringContaining('probes[1].http.url: example.com is not on loopback: add allowRemote'),
    ]);
    expect(problems(drillWith([{ name: 'q', prometheus: { query: 'up', atLeast: 1 } }, { name: 'far', http: { url: 'http://example.com/health' } }], { telemetry: { prometheus: { managed: true } }, allowRemote: { reason: 'the SRE on call approved it' } }))).toEqual([]);
    expect(parseDrill(drillWith([]), 'd.yaml').probes).toEqual([]);
    expect(parseDrill({ ...drillWith([]), probes: undefined }, 'd.yaml').probes).toEqual([]);
  });

  it('a path goes on the entry URL; an absolute URL is asked as it is', () => {
    expect(probeUrl({ url: '/healthz' }, 'http://127.0.0.1:4000/')).toBe('http://127.0.0.1:4000/healthz');
    expect(probeUrl({ url: 'http://127.0.0.1:9/x' }, 'http://127.0.0.1:4000')).toBe('http://127.0.0.1:9/x');
  });
});

describe('probes: conditions', () => {
  it('every bound given must hold; numeric bounds need a number', () => {
    expect(meets('closed', { equals: 'closed' })).toBe(true);
    expect(meets('open', { equals: 'closed' })).toBe(false);
    expect(meets(0, { atMost: 0 })).toBe(true);
    expect(meets(1, { atMost: 0 })).toBe(false);
    expect(meets(3, { atLeast: 1, atMost: 5 })).toBe(true);
    expect(meets(6, { atLeast: 1, atMost: 5 })).toBe(false);
    expect(meets('3', { atMost: 5 })).toBe(false);
    expect(meets(null, { atLeast: 0 })).toBe(false);
    expect(meets(null, { equals: null })).toBe(true);
    expect(meets('v2.1', { matches: '^v2\\.' })).toBe(true);
    expect(meets({ a: 1 }, { matches: '"a":1' })).toBe(true);
    expect(meets(1, { equals: '1' })).toBe(false);
  });

  it('HTTP: status, JSON path (every value selected), latency; no answer is not answered', () => {
    const h = http({ json: { path: '$.replicas[*].ok', equals: true }, latencyBelow: '100ms' }).http!;
    const ok = assessHttp(h, { status: 200, latencyMs: 12.34, body: '{"replicas":[{"ok":true},{"ok":true}]}' });
    expect(ok).toEqual({ steady: true, answered: true, value: 12.3, detail: 'answered 200 in 12 ms, $.replicas[*].ok == true' });
    const bad = assessHttp(h, { status: 503, latencyMs: 150, body: '{"replicas":[{"ok":true},{"ok":false}]}' });
    expect(bad.steady).toBe(false);
    expect(bad.answered).toBe(true);
    expect(bad.detail).toBe('answered 503, expected 200; took 150 ms, bound 100 ms; $.replicas[*].ok is false, expected == true');
    expect(assessHttp(h, { status: 200, latencyMs: 1, body: '{}' }).detail).toBe('$.replicas[*].ok selects nothing in the body');
    expect(assessHttp(h, { status: 200, latencyMs: 1, body: '<html>' }).detail).toContain('the body is not JSON');
    expect(assessHttp(h, { status: null, latencyMs: 1, body: '', error: 'connect ECONNREFUSED' })).toMatchObject({ steady: false, answered: false, detail: 'no answer: connect ECONNREFUSED' });
  });

  it('PromQL: every series meets the condition; no data or only NaN is not answered; an error keeps Prometheus\' message', () => {
    const p = Probe.parse({ name: 'q', prometheus: { query: 'rate(x[1m])', atMost: 0.01 } }).prometheus!;
    const series = (...vs: number[]) => ({ ok: true as const, series: vs.map((v, i) => ({ labels: { instance: `r${i}` }, points: [[1, v]] as [number, number][] })) });
    expect(assessPrometheus(p, series(0, 0.005))).toMatchObject({ steady: true, answered: true, value: 0 });
    expect(assessPrometheus(p, series(0, 0.5))).toMatchObject({ steady: false, answered: true, detail: '{instance="r1"} = 0.5: expected ≤ 0.01' });
    expect(assessPrometheus(p, series())).toMatchObject({ steady: false, answered: false, detail: 'rate(x[1m]) returned no data' });
    expect(assessPrometheus(p, series(NaN))).toMatchObject({ steady: false, answered: false });
    expect(assessPrometheus(p, { ok: false, kind: 'bad_data', message: 'parse error' })).toMatchObject({ steady: false, answered: false, detail: 'Prometheus: parse error' });
  });

  it('command: exit 0 is steady; another exit code is an answer; a timeout or a missing program is none', () => {
    expect(assessCommand({ exitCode: 0, signal: null, timedOut: false, stderr: '' })).toMatchObject({ steady: true, value: 0 });
    expect(assessCommand({ exitCode: 2, signal: null, timedOut: false, stderr: 'warn\nqueue not drained\n' })).toEqual({ steady: false, answered: true, value: 2, detail: 'exited 2: queue not drained' });
    expect(assessCommand({ exitCode: null, signal: 'SIGKILL', timedOut: true, stderr: '' })).toMatchObject({ steady: false, answered: false, detail: 'timed out' });
    expect(assessCommand({ exitCode: null, signal: null, timedOut: false, stderr: 'ENOENT: spawn nope ENOENT' })).toMatchObject({ answered: false, detail: 'did not run: ENOENT: spawn nope ENOENT' });
  });
});

describe('probes: after verdicts', () => {
  const probes = Probes.parse([
    { name: 'health', http: { url: '/healthz', json: { path: '$.ok', equals: true } } },
    { name: 'before-only', when: 'before', command: { argv: ['true'] } },
    { name: 'drained', when: 'after', prometheus: { query: 'sum(backlog)', atMost: 0 } },
    { name: 'cli', command: { argv: ['check'] } },
  ]);
  const result = (probe: string, o: Partial<ProbeResult>): ProbeResult => ({ probe, when: 'after', kind: 'http', at: '2026-12-05T00:00:00.000Z', ms: 1, steady: true, answered: true, asked: '', observed: {}, value: 1, detail: 'fine', ...o });

  it('one blocking verdict probe:<name> per after probe: met, breached, no-evidence (no answer, or never ran)', () => {
    const verdicts = probeVerdicts(probes, [
      result('health', { when: 'before', steady: false }),
      result('health', { value: 4.2 }),
      result('drained', { kind: 'prometheus', steady: false, value: 12, detail: '{} = 12: expected ≤ 0' }),
      result('cli', { kind: 'command', steady: false, answered: false, value: null, detail: 'timed out' }),
    ]);
    expect(verdicts.map((v) => [v.slo, v.kind, v.pass, v.reason, v.blocking, v.observed])).toEqual([
      ['probe:health', 'probe', true, 'met', true, 4.2],
      ['probe:drained', 'probe', false, 'breached', true, 12],
      ['probe:cli', 'probe', false, 'no-evidence', true, null],
    ]);
    expect(verdicts[0]).toMatchObject({ objective: 'GET /healthz answers 200, $.ok == true', unit: 'ms', phase: 'after', evidence: ['probes.json'] });
    expect(verdicts[1].detail).toBe('after the last recovery: {} = 12: expected ≤ 0');
    expect(probeVerdicts(probes, [])[0]).toMatchObject({ pass: false, reason: 'no-evidence', detail: expect.stringContaining('no result of this probe after the drill') });
    expect(describeProbe(probes[3])).toBe('["check"] exits 0 within 10000 ms');
  });

  it('the judge adds them to the verdicts: a failing after probe makes the run NO-GO', () => {
    const observations = { metrics: new MetricsAggregator(), t0: null, phases: [], timeScale: 1, profiles: [], durationMs: 0, faults: {}, journal: null, sideEffects: null, chaosFigures: {}, series: {}, problems: [] };
    const slos: never[] = [];
    const ok = judge({ ...observations, probes: [result('health', {})] }, { slos, probes: probes.slice(0, 1) }, { now: new Date() });
    expect(ok.decision.decision).toBe('GO');
    const bad = judge({ ...observations, probes: [result('health', { steady: false, detail: 'answered 503, expected 200' })] }, { slos, probes: probes.slice(0, 1) }, { now: new Date() });
    expect(bad.decision.decision).toBe('NO-GO');
    expect(bad.decision.reasons[0]).toBe('blocking SLO probe:health breached: after the last recovery: answered 503, expected 200; objective GET /healthz answers 200, $.ok == true');
  });
});
