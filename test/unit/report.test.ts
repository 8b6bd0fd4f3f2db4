import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/html.ts';
import { escapeHtml, niceStep, renderChart } from '../../src/report/svg.ts';
import { finishedRun } from './report-fixture.ts';

describe('report data', () => {
  it('puts the fault where it really happened, and says what the run did not cover', () => {
    const data = finishedRun();
    expect(data.faults[0]).toMatchObject({ name: 'f', injectedAtMs: 20_050, revertedAtMs: 40_020, scheduledStartMs: 20_000 });
    expect(data.faults[1]).toMatchObject({ name: 'slow', injectedAtMs: null });
    expect(data.coverage.faultKindsExercised).toEqual(['down']);
    expect(data.coverage.faultKindsNotExercised).toEqual(expect.arrayContaining(['latency', 'pod-kill', 'az-failure', 'broker-failover', 'disk-full']));
    expect(data.coverage.faultKindsNotExercised).not.toContain('down');
    expect(data.coverage.sloKindsEvaluated).toEqual(['error-budget-burn', 'error-rate', 'latency', 'recovery-time']);
    expect(data.coverage.sloKindsNotEvaluated).toEqual(['availability', 'throughput', 'backlog-drain', 'journal', 'chaos', 'drift', 'prometheus']);
    // one point per second, with percentiles
    expect(data.timeline).toHaveLength(60);
    expect(data.timeline[25]).toMatchObject({ tMs: 25_000, requests: 20, errorRate: 0.2 });
    expect(data.timeline[25].p95!).toBeGreaterThan(300);
    expect(data.partners[0].switches.map((s) => [s.label, s.tone])).toEqual([
      ['200 +20 ms', 'ok'],
      ['429 Retry-After 1s', 'throttled'],
      ['200', 'ok'],
    ]);
  });
});

describe('partner outages and routes in the report', () => {
  it('bands each route of a partner defined with routes, toned by the outages test', () => {
    const data = finishedRun({ partnerRoutes: true });
    expect(data.partners.map((p) => [p.name, p.route, p.switches.map((s) => [s.label, s.tone])])).toEqual([
      ['acme', 'GET /offers', [['200 +20 ms', 'ok'], ['429 Retry-After 1s', 'throttled'], ['200', 'ok']]],
      ['acme', 'charge', [['201', 'ok'], ['hang', 'error'], ['201', 'ok']]],
    ]);
    const html = renderReport(data);
    expect(html).not.toContain('No partner simulator in this drill');
    expect(html).toContain('<text class="band-label" x="70" y="');
    expect(html).toMatch(/<text class="band-label"[^>]*>acme GET \/offers<\/text>/);
    expect(html).toMatch(/<text class="band-label"[^>]*>acme charge<\/text>/);
    expect(html.match(/<rect class="band error"/g)).toHaveLength(2);
  });

  it('shades a partner outage as a fault window of its own kind, lists it apart, and never counts it as a fault kind exercised', () => {
    const data = finishedRun({ partnerRoutes: true });
    expect(data.partnerOutages).toEqual([{ name: 'partner:acme GET /offers', partner: 'acme', route: 'GET /offers', reasons: ['status 429'], startMs: 20_000, endMs: 40_000, lastsToEnd: false }]);
    expect(data.coverage.faultKindsExercised).toEqual(['down']);
    const html = renderReport(data);
    expect(html.match(/<rect class="partner-outage"/g)).toHaveLength(2);
    expect(html).toContain('partner:acme GET /offers (partner outage)');
    expect(html).toMatch(/<table class="partner-outages">.*partner:acme GET \/offers.*status 429.*\+20s → \+40s/s);
    expect(html).not.toMatch(/<li>partner/);
    // without outages: no table, no legend entry
    const plain = renderReport(finishedRun());
    expect(plain).not.toContain('<rect class="partner-outage"');
    expect(plain).not.toContain('<table class="partner-outages">');
    expect(plain).not.toContain('<i class="outage">');
  });
});

describe('the HTML', () => {
  it('is self-contained: no script, nothing to fetch', () => {
    const html = renderReport(finishedRun());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
  });

  it('shows the decision, every verdict, the waiver, the fault journal, the tools and what was not covered', () => {
    const data = finishedRun();
    const html = renderReport(data);
    expect(data.decision.decision).toBe('CONDITIONAL');
    expect(html).toMatch(/<section class="decision CONDITIONAL" id="decision">\s*<div class="verdict">CONDITIONAL<\/div>/);
    expect(html.match(/<tr class="verdict /g)).toHaveLength(data.decision.verdicts.length);
    expect(html).toContain('waived by sre-oncall@acme.test until 2026-12-31');
    // escaped, never raw
    expect(html).toContain('PERF-9 &lt;fallback&gt; not deployed yet');
    expect(html).not.toContain('<fallback>');
    expect(html).toContain('<code>v1.7.1</code>');
    expect(html).toMatch(/What this run did not cover<\/h2>\s*<h3>Fault kinds not exercised<\/h3>\s*<ul class="plain">.*<li>pod-kill<\/li>/s);
    expect(html).toContain('<li>backlog-drain</li>');
    expect(html).toContain('burn-rate alerts:');
  });

  it('notes a compressed timeline', () => {
    expect(renderReport(finishedRun({ timeScale: 0.1 }))).toContain('<b>Compressed ×10</b> (time scale 0.1)');
    expect(renderReport(finishedRun())).toContain('Time scale: 1 (real time).');
  });

  it('charts: lines per percentile, shaded fault windows, partner bands', () => {
    const html = renderReport(finishedRun());
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(html.match(/<rect class="fault-window/g)).toHaveLength(4); // 2 faults × 2 charts
    expect(html.match(/<rect class="fault-window not-injected"/g)).toHaveLength(2);
    expect(html.match(/<polyline class="line p95"/g)!.length).toBeGreaterThanOrEqual(1);
    expect(html).toContain('slow (latency) — not injected');
    expect(html.match(/<rect class="band throttled"/g)).toHaveLength(2);
  });
});

describe('steady-state probes in the report', () => {
  it('lists each probe before and after with what it asked and whether it held; none, no section', () => {
    const base = finishedRun();
    expect(renderReport(base)).not.toContain('<h2>Steady state</h2>');
    const html = renderReport({
      ...base,
      probes: [
        { probe: 'health', when: 'before', kind: 'http', asked: 'GET http://127.0.0.1:8080/healthz', steady: true, answered: true, detail: '200 in 4 ms', ms: 4.2 },
        { probe: 'no-5xx', when: 'after', kind: 'prometheus', asked: 'sum(http_requests_total{code=~"5.."})', steady: false, answered: true, detail: '12 > 0', ms: 31 },
        { probe: 'db', when: 'after', kind: 'command', asked: 'pg_isready', steady: false, answered: false, detail: 'timed out after 5s', ms: 5000 },
      ],
    });
    expect(html).toContain('<h2>Steady state</h2>');
    expect(html).toMatch(/<td><b>health<\/b><\/td><td>before<\/td><td>http<br><span class="muted">GET http:\/\/127\.0\.0\.1:8080\/healthz<\/span><\/td><td>held<\/td><td>200 in 4 ms<\/td><td class="num">4 ms<\/td>/);
    expect(html).toMatch(/<b>no-5xx<\/b>.*<td><b>did not hold<\/b><\/td><td>12 &gt; 0<\/td>/);
    expect(html).toMatch(/<b>db<\/b>.*<td><b>no answer<\/b><\/td><td>timed out after 5s<\/td>/);
    expect(html).toContain('sum(http_requests_total{code=~&quot;5..&quot;})');
  });
});

describe('chart primitives', () => {
  it('a gap in the data breaks the line; a lone point is a dot', () => {
    const svg = renderChart({
      title: 't',
      endMs: 10_000,
      yLabel: 'y',
      formatY: String,
      minYMax: 1,
      series: [{ label: 's', className: 'p50', points: [[0, 1], [1000, 2], [2000, null], [3000, 3], [7000, 4], [8000, 5]] }],
      shades: [],
    });
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(1);
  });

  it('helpers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect([niceStep(1), niceStep(7), niceStep(60), niceStep(333)]).toEqual([0.2, 2, 20, 100]);
  });
});
