// The real Prometheus (Debian's package) started by gameday on 127.0.0.1, scraping the demo hub's
// Prometheus-text /metrics every 500 ms; PromQL range queries see the hub's own 4xx ratio, a query
// with no series answers empty, a syntax error comes back with Prometheus' own message, and a
// stopped server is "unreachable", never an empty answer.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub } from '../../examples/partner-hub/harness.mjs';
import { startPrometheus, type ManagedPrometheus } from '../../src/targets/prometheus.ts';
import { checkQuery, instantQuery, rangeQuery } from '../../src/targets/promql.ts';
import { evaluatePrometheusSlo } from '../../src/judge/prometheus-slo.ts';
import { PrometheusSlo } from '../../src/schema/telemetry.ts';
import { collectTelemetry } from '../../src/targets/telemetry.ts';
import { tmpDir, waitFor } from '../helpers.ts';

const base = tmpDir('gameday-prometheus');
let hub: Awaited<ReturnType<typeof startHub>>;
let prom: ManagedPrometheus;

beforeAll(async () => {
  hub = await startHub({ dataDir: path.join(base, 'hub') });
  prom = await startPrometheus({ dir: path.join(base, 'prom'), targets: [{ address: `127.0.0.1:${hub.port}`, labels: { replica: 'partner-hub-0' } }], scrapeIntervalMs: 500 });
  await prom.waitForTargets();
});

afterAll(async () => {
  await prom?.stop();
  await hub?.stop();
});

describe('managed Prometheus over the demo hub', () => {
  it('keeps the JSON figures for JSON clients and serves Prometheus text to Prometheus', async () => {
    const json = await fetch(`${hub.url}/metrics`).then((r) => r.json());
    expect(json).toHaveProperty('webhooks');
    const text = await fetch(`${hub.url}/metrics`, { headers: { accept: 'text/plain;version=0.0.4' } }).then((r) => r.text());
    expect(text).toMatch(/# TYPE http_request_duration_seconds histogram/);
  });

  it('answers a range query with the hub 4xx ratio the test caused', async () => {
    const t0 = Date.now();
    // in rounds across several scrapes: increase() cannot count the samples a series is born with
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 5; i++) await fetch(`${hub.url}/healthz`);
      for (let i = 0; i < 5; i++) await fetch(`${hub.url}/no-such-route`);
      await new Promise((r) => setTimeout(r, 400));
    }
    const query = 'sum(increase(http_requests_total{route="other",code="404"}[30s])) / sum(increase(http_requests_total{route=~"other|/healthz"}[30s]))';
    const answer = await waitFor(
      'the 404 ratio in Prometheus',
      async () => {
        const r = await rangeQuery({ url: prom.url }, query, t0, Date.now(), 500);
        if (!r.ok) throw new Error(r.message);
        const last = r.series[0]?.points.at(-1)?.[1];
        return last !== undefined && last > 0.3 ? r : null;
      },
      20_000,
      500,
    );
    expect(answer.series).toHaveLength(1);
    expect(answer.series[0]!.points.at(-1)![1]).toBeLessThanOrEqual(0.7);
    const p95 = await instantQuery({ url: prom.url }, 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{route="/healthz"}[30s])))');
    expect(p95.ok && p95.series[0]!.points[0]![1]).toBeGreaterThan(0);
  });

  it('says when every target has been scraped since a moment: every request before it is in the store', async () => {
    const before = await instantQuery({ url: prom.url }, 'sum(http_requests_total{route="/healthz"})');
    const count = (a: typeof before) => (a.ok ? (a.series[0]?.points.at(-1)?.[1] ?? 0) : -1);
    for (let i = 0; i < 7; i++) await fetch(`${hub.url}/healthz`);
    const since = Date.now();
    expect(await prom.waitScrapedSince(since, 5000)).toBe(true);
    // no waiting, no retry: the scrape after `since` is stored with everything before it
    const after = await instantQuery({ url: prom.url }, 'sum(http_requests_total{route="/healthz"})');
    expect(after.ok).toBe(true);
    expect(count(after) - count(before)).toBeGreaterThanOrEqual(7);
    // no scrape can begin an hour from now
    expect(await prom.waitScrapedSince(Date.now() + 3_600_000, 300)).toBe(false);
  });

  it('answers a query that matches nothing with no series', async () => {
    const r = await rangeQuery({ url: prom.url }, 'http_requests_total{route="/never"}', Date.now() - 10_000, Date.now(), 1000);
    expect(r).toEqual({ ok: true, series: [] });
  });

  it('reports a PromQL syntax error with Prometheus own message', async () => {
    const problem = await checkQuery({ url: prom.url }, 'sum(rate(http_requests_total[5s])');
    expect(problem?.kind).toBe('bad_data');
    expect(problem?.message).toMatch(/parse error/);
    expect(await checkQuery({ url: prom.url }, 'up')).toBeNull();
  });

  it('says unreachable for a Prometheus that is not there', async () => {
    const other = await startPrometheus({ dir: path.join(base, 'prom-stopped'), targets: [] });
    await other.stop();
    const r = await rangeQuery({ url: other.url, timeoutMs: 1000 }, 'up', Date.now() - 5000, Date.now(), 1000);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.kind).toBe('unreachable');
  });

  it('judges a kind: prometheus SLO from collected records: the error ratio rises in the "fault" window only; no data is no-evidence', async () => {
    const rounds = async (bad: boolean) => {
      for (let round = 0; round < 6; round++) {
        for (let i = 0; i < 5; i++) await fetch(`${hub.url}/healthz`);
        if (bad) for (let i = 0; i < 5; i++) await fetch(`${hub.url}/no-such-route`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    // settle: the earlier test's 404s leave the 5 s rate window
    await new Promise((r) => setTimeout(r, 6000));
    const steadyStart = Date.now();
    await rounds(false);
    const faultStart = Date.now();
    await rounds(true);
    const faultEnd = Date.now();
    await new Promise((r) => setTimeout(r, 1500)); // the last scrape of the window
    const ratio = 'sum(rate(http_requests_total{code="404"}[2s])) / sum(rate(http_requests_total{route!="/metrics"}[2s]))';
    const slos = {
      steady: PrometheusSlo.parse({ name: 'steady-404', kind: 'prometheus', query: `(${ratio}) or vector(0)`, atMost: 0.05, reduce: 'max' }),
      fault: PrometheusSlo.parse({ name: 'fault-404', kind: 'prometheus', query: ratio, atMost: 0.05, reduce: 'max', phase: 'fault' }),
      nothing: PrometheusSlo.parse({ name: 'nothing', kind: 'prometheus', query: 'http_requests_total{route="/never"}', atMost: 1 }),
    };
    const records = await collectTelemetry({ url: prom.url }, [
      { for: 'steady-404', query: slos.steady.query, startMs: steadyStart + 2500, endMs: faultStart, stepMs: 500 },
      { for: 'fault-404', query: slos.fault.query, startMs: faultStart, endMs: faultEnd, stepMs: 500 },
      { for: 'nothing', query: slos.nothing.query, startMs: steadyStart, endMs: faultEnd, stepMs: 500 },
    ]);
    const [steady, fault, nothing] = [evaluatePrometheusSlo(slos.steady, records[0]), evaluatePrometheusSlo(slos.fault, records[1]), evaluatePrometheusSlo(slos.nothing, records[2])];
    expect(steady, JSON.stringify(records[0])).toMatchObject({ pass: true, reason: 'met' });
    expect(fault, JSON.stringify(records[1])).toMatchObject({ pass: false, reason: 'breached' });
    expect(fault.observed).toBeGreaterThan(0.3);
    expect(nothing).toMatchObject({ pass: false, reason: 'no-evidence' });
  });
});
