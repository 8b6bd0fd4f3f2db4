// The HTML report as a person sees it: rendered by a real headless Chromium (Debian's), with
// every request that is not the file itself refused and counted. The second part runs the
// catalogue's 429-storm drill once (real k6, hub and partner simulator, time-scale 0.1): its
// partner outage is the fault window of slo_results.json and of the report.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_ACTIONS } from '../../chaos/registry.ts';
import { renderReport } from '../../src/report/html.ts';
import { finishedRun } from '../unit/report-fixture.ts';
import { needs, readJson, readSamples, ROOT, runCli, tmpDir } from '../helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUT = path.join(os.tmpdir(), 'gameday-report-test');
const hasChromium = needs('Chromium', !fs.existsSync(CHROMIUM) && `${CHROMIUM} does not exist`) === null;

if (!hasChromium) console.warn(`report-html.test.ts: skipped, ${CHROMIUM} is absent (apt-get install chromium)`);

describe.skipIf(!hasChromium)(`the HTML report in headless Chromium (${CHROMIUM})`, () => {
  let context: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1100, height: 900 } });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Opens `html` from a file; every request that is not a file: URL is aborted and listed. */
  async function open(html: string, name: string) {
    const file = path.join(OUT, name);
    fs.writeFileSync(file, html);
    const requested = new Set<string>();
    const page = await context.newPage();
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requested.add(url);
      return route.abort();
    });
    // and anything the route did not see
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith('file:') && !url.startsWith('data:')) requested.add(url);
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, external: () => [...requested] };
  }

  it('the request guard works: a page that fetches something is caught', async () => {
    const { page, external } = await open('<!doctype html><html><body><img src="http://127.0.0.1:9/pixel.png"></body></html>', 'guard.html');
    await page.waitForTimeout(200);
    expect(external()).toEqual(['http://127.0.0.1:9/pixel.png']);
    await page.close();
  });

  it('renders the decision, the verdicts and the charts, fetches nothing, and is saved as a screenshot', async () => {
    const data = finishedRun({ timeScale: 0.5 });
    const { page, external } = await open(renderReport(data), 'report.html');

    expect(await page.title()).toBe('partner-hub-baseline — CONDITIONAL — gameday report');
    const decision = page.locator('#decision .verdict');
    expect(await decision.textContent()).toBe('CONDITIONAL');
    // big: the decision is the largest text on the page
    const fontSize = await decision.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(40);
    expect(await page.locator('table.verdicts tbody tr').count()).toBe(data.decision.verdicts.length);
    expect(await page.locator('text=Compressed ×2').count()).toBe(1);

    // the charts: two SVGs whose polylines carry points, laid out with a real size
    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBe(2);
    const lines = await page.$$eval('svg.chart polyline', (els) => els.map((el) => ({ cls: el.getAttribute('class'), points: (el as SVGPolylineElement).points.numberOfItems })));
    for (const cls of ['line p50', 'line p95', 'line p99', 'line errors']) {
      const total = lines.filter((l) => l.cls === cls).reduce((n, l) => n + l.points, 0);
      expect(total, cls).toBeGreaterThanOrEqual(50);
    }
    // drawn as lines, not filled areas
    const fills = await page.$$eval('svg.chart polyline', (els) => [...new Set(els.map((el) => getComputedStyle(el).fill))]);
    expect(fills).toEqual(['none']);
    const box = await charts.first().boundingBox();
    expect(box!.width).toBeGreaterThan(500);
    expect(box!.height).toBeGreaterThan(200);

    // the fault windows are shaded where the fault happened: 20.05 s → 40.02 s of a 60 s axis
    const shades = await page.$$eval('svg.chart rect.fault-window', (els) => els.map((el) => (el as SVGRectElement).getBBox()).map((b) => ({ x: b.x, width: b.width, height: b.height })));
    expect(shades).toHaveLength(4);
    const plot = 960 - 70 - 20;
    expect(shades[0].x).toBeCloseTo(70 + (20_050 / 60_000) * plot, 0);
    expect(shades[0].width).toBeCloseTo(((40_020 - 20_050) / 60_000) * plot, 0);
    expect(shades[0].height).toBeGreaterThan(100);
    // the error line is high inside the shaded window, low outside it
    const errorPoints = await page.$$eval('svg.chart polyline.errors', (els) => els.flatMap((el) => Array.from({ length: (el as SVGPolylineElement).points.numberOfItems }, (_, i) => (el as SVGPolylineElement).points.getItem(i))).map((p) => ({ x: p.x, y: p.y })));
    const inside = errorPoints.filter((p) => p.x > shades[2].x + 5 && p.x < shades[2].x + shades[2].width - 5);
    const outside = errorPoints.filter((p) => p.x < shades[2].x - 30);
    expect(Math.max(...inside.map((p) => p.y))).toBeLessThan(Math.min(...outside.map((p) => p.y)));
    // partner behaviour bands: 429 while the partner throttled
    expect(await page.locator('svg.chart rect.band.throttled').count()).toBe(2);

    expect(await page.locator('h2', { hasText: 'What this run did not cover' }).count()).toBe(1);
    expect(await page.locator('li', { hasText: 'pod-kill' }).count()).toBe(1);

    const shot = path.join(OUT, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(20_000);
    expect(external()).toEqual([]);
    await page.close();
  });

  describe('the 429-storm drill: its partner outage is the fault window (one real run, time-scale 0.1)', () => {
    const STORM = path.join(ROOT, 'examples/partner-hub/drills/catalogue/01-partner-429-storm.ts');
    const OUTAGE = 'partner:acme GET /offers';
    let out: string;
    let run: Awaited<ReturnType<typeof runCli>>;

    beforeAll(async () => {
      out = path.join(tmpDir('gameday-storm'), 'run');
      run = await runCli(['run', STORM, '--time-scale', '0.1', '--out', out, '--no-progress']);
    }, 150_000);

    it('judges the SLOs on the phases the outage made: steady, fault while the partner fails (4 s → 22 s), recovery', () => {
      expect(run.code, run.stderr + run.stdout).toBe(0);
      const results = readJson(path.join(out, 'slo_results.json'));
      expect(results.phases).toEqual([
        { phase: 'steady', startMs: 0, endMs: 4_000 },
        { phase: 'fault', startMs: 4_000, endMs: 22_000 },
        { phase: 'recovery', startMs: 22_000, endMs: 28_000 },
      ]);
      const verdict = (slo: string) => results.verdicts.find((v: { slo: string }) => v.slo === slo);
      for (const [slo, phase] of [
        ['offers-errors-during-partner-outage', 'fault'],
        ['webhook-errors-during-partner-outage', 'fault'],
        ['offers-p75-during-partner-outage', 'fault'],
        ['webhook-acceptance-p95-steady', 'steady'],
        ['webhook-acceptance-p95-recovery', 'recovery'],
      ]) {
        expect(verdict(slo), slo).toMatchObject({ phase, pass: true, reason: 'met' });
        expect(verdict(slo).samples, slo).toBeGreaterThan(0);
      }
      // recovery-time counts from the partner answering again (+22 s)
      const back = verdict('offers-back-after-partner-outage');
      expect(back).toMatchObject({ kind: 'recovery-time', pass: true });
      expect(back.detail).toContain(`after outage ${OUTAGE} ended (+22 s)`);
      // k6 tagged every request with the same phases: the outage's lookups are the verdict's samples
      const reqs = readSamples(path.join(out, 'k6_samples.ndjson.gz')).filter((s) => s.metric === 'http_reqs');
      for (const phase of ['steady', 'fault', 'recovery']) expect(reqs.filter((s) => s.tags.phase === phase).length, phase).toBeGreaterThan(0);
      expect(reqs.filter((s) => s.tags.phase === 'fault' && s.tags.request === 'offers').length).toBe(verdict('offers-p75-during-partner-outage').samples);
    });

    it('records the outage in chaos_report.json apart from the injected faults (there are none)', () => {
      const chaos = readJson(path.join(out, 'chaos_report.json'));
      expect(chaos.faults).toEqual([]);
      expect(chaos.partnerOutages).toEqual([
        {
          name: OUTAGE,
          kind: 'partner-outage',
          partner: 'acme',
          route: 'GET /offers',
          reasons: ['sequence with 503', 'status 429', 'hang'],
          scheduled: { startMs: 4_000, endMs: 22_000 },
          startedAt: new Date(Date.parse(chaos.t0) + 4_000).toISOString(),
          endedAt: new Date(Date.parse(chaos.t0) + 22_000).toISOString(),
          lastsToEnd: false,
        },
      ]);
    });

    it('shades the outage on every chart, bands the route, and counts no fault kind as exercised', async () => {
      const { page, external } = await open(fs.readFileSync(path.join(out, 'report.html'), 'utf8'), 'storm-report.html');
      expect(await page.locator('#decision .verdict').textContent()).toBe('GO');
      const charts = await page.locator('svg.chart').count();
      expect(charts).toBe(3); // latency, error rate, load delivered
      // the shade spans 4 s → 22 s on the chart's own axis (from its 0 s and 10 s ticks)
      const ticks = await page.$$eval('svg.chart:first-of-type text.tick', (els) => els.map((el) => ({ text: el.textContent, x: Number(el.getAttribute('x')) })));
      const zero = ticks.find((t) => t.text === '0s')!.x;
      const perMs = (ticks.find((t) => t.text === '10s')!.x - zero) / 10_000;
      const shades = await page.$$eval('svg.chart rect.partner-outage', (els) => els.map((el) => (el as SVGRectElement).getBBox()).map((b) => ({ x: b.x, width: b.width, height: b.height })));
      expect(shades).toHaveLength(charts);
      expect(shades[0].x).toBeCloseTo(zero + 4_000 * perMs, 0);
      expect(shades[0].width).toBeCloseTo(18_000 * perMs, 0);
      expect(shades[0].height).toBeGreaterThan(100);
      expect(await page.locator('svg.chart rect.fault-window').count()).toBe(0);
      expect(await page.locator('svg.chart text.shade-label', { hasText: `${OUTAGE} (partner outage)` }).count()).toBe(charts);
      // the partner is defined with routes only: one band per chart, labelled with the route
      expect(await page.locator('text=No partner simulator in this drill').count()).toBe(0);
      expect(await page.locator('svg.chart text.band-label', { hasText: 'acme GET /offers' }).count()).toBe(2);
      expect(await page.locator('svg.chart rect.band.throttled').count()).toBe(2);
      expect(await page.locator('svg.chart rect.band.error').count()).toBe(4); // the 503 sequence and the hang
      const labelBox = await page.locator('svg.chart text.band-label').first().boundingBox();
      expect(labelBox!.x).toBeGreaterThan(0); // drawn inside the chart, not cut off at its left edge
      expect(await page.locator('table.partner-outages tr', { hasText: OUTAGE }).textContent()).toContain('+22s');
      expect(await page.locator('table.verdicts tr', { hasText: 'offers-p75-during-partner-outage' }).textContent()).toContain('phase fault');
      // not a fault of the registry: every registry action is listed as not exercised
      const notExercised = await page.locator('h3:has-text("Fault kinds not exercised") + ul li').allTextContents();
      expect(notExercised).toEqual([...FAULT_ACTIONS]);
      expect(external()).toEqual([]);
      await page.screenshot({ path: path.join(OUT, 'storm-report.png'), fullPage: true });
      await page.close();
    });
  });
});
