import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsAggregator, type SeriesFilter } from '../../src/metrics/aggregate.ts';
import { ingestFile, ingestStream } from '../../src/metrics/ingest.ts';
import { Readable } from 'node:stream';

// ---------- synthetic k6 output, in the exact shape k6 v1 writes ----------

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METRICS: Array<[string, string, string]> = [
  ['http_reqs', 'counter', 'default'],
  ['http_req_duration', 'trend', 'time'],
  ['http_req_waiting', 'trend', 'time'],
  ['http_req_failed', 'rate', 'default'],
  ['data_sent', 'counter', 'data'],
  ['vus', 'gauge', 'default'],
];

function metricLine(name: string, type: string, contains: string): string {
  return `{"type":"Metric","data":{"name":"${name}","type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":"${name}"}`;
}

/** k6 writes nanoseconds */
function k6Time(ms: number, nanos: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
}

function tagsJson(t: Record<string, string>): string {
  return JSON.stringify(t);
}

function point(metric: string, time: string, value: number | string, tags: string): string {
  return `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":${tags}}}`;
}

interface Sample {
  phase: string;
  request: string;
  duration: number;
  failed: boolean;
  second: number;
}

const BASE_MS = Date.UTC(2026, 10, 23, 19, 14, 0);
const PHASES = ['steady', 'fault', 'recovery'];

function generate(n: number, seed: number, startMs = BASE_MS): { samples: Sample[]; lines: string[] } {
  const rnd = prng(seed);
  const samples: Sample[] = [];
  const lines: string[] = METRICS.map(([m, t, c]) => metricLine(m, t, c));
  for (let i = 0; i < n; i++) {
    const ms = startMs + Math.floor((i / n) * 90_000) + Math.floor(rnd() * 5);
    const second = Math.floor(ms / 1000);
    const phase = PHASES[Math.min(2, Math.floor(((ms - startMs) / 90_000) * 3))];
    const request = rnd() < 0.7 ? 'offers' : 'webhook';
    let duration = Math.exp(Math.log(request === 'offers' ? 8 : 40) + (phase === 'fault' ? 1.3 : 0) + 0.7 * (rnd() + rnd() + rnd() - 1.5));
    if (rnd() < 0.02) duration *= 20;
    duration = Math.round(duration * 1e6) / 1e6;
    const failed = rnd() < (phase === 'fault' ? 0.1 : 0.005);
    const status = failed ? '503' : '200';
    const tags = tagsJson({
      expected_response: String(!failed),
      group: '',
      method: request === 'offers' ? 'GET' : 'POST',
      name: `http://127.0.0.1:40123/${request}`,
      phase,
      proto: 'HTTP/1.1',
      request,
      scenario: 'baseline',
      status,
      tls_version: '',
      url: `http://127.0.0.1:40123/${request}`,
    });
    const time = k6Time(ms, Math.floor(rnd() * 1e6) * 1000 + (ms % 1000) * 1e6 - (ms % 1000) * 1e6);
    samples.push({ phase, request, duration, failed, second });
    lines.push(point('http_reqs', time, 1, tags));
    lines.push(point('http_req_duration', time, duration, tags));
    lines.push(point('http_req_waiting', time, Math.round(duration * 0.8 * 1e6) / 1e6, tags));
    lines.push(point('http_req_failed', time, failed ? 1 : 0, tags));
    lines.push(point('data_sent', time, 120 + (i % 7), tags));
    if (i % 500 === 0) lines.push(point('vus', time, 30, '{}'));
  }
  return { samples, lines };
}

function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p * sorted.length) / 100 - 1e-9)) - 1];
}

function select(samples: Sample[], f: SeriesFilter): Sample[] {
  return samples.filter((s) => (f.phase === undefined || s.phase === f.phase) && (f.request === undefined || s.request === f.request));
}

/** Everything an aggregator answers, as plain data. */
function snapshot(agg: MetricsAggregator) {
  const series = [...agg.series.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, s]) => {
      if (s.type === 'trend') {
        const h = s.histogram;
        return [key, s.type, h.totalCount, [1, 50, 90, 99, 100].map((p) => h.getValueAtPercentile(p))];
      }
      if (s.type === 'rate') return [key, s.type, s.total, s.nonZero];
      return [key, s.type, s.sum, s.count, s.last];
    });
  const windows = agg.windows.series({ percentiles: [50, 95, 99] });
  const perRequest = agg.windows.requests().map((r) => agg.windows.series({ request: r, percentiles: [95] }));
  return {
    types: [...agg.types.entries()].sort(),
    series,
    seconds: [...agg.seconds.entries()].sort((a, b) => a[0] - b[0]),
    windows,
    perRequest,
    stats: { ...agg.stats },
  };
}

// ---------- tests ----------

describe('percentiles and rates against brute force, and after a merge', () => {
  let a: ReturnType<typeof generate>;
  let b: ReturnType<typeof generate>;
  let single: MetricsAggregator;
  let merged: MetricsAggregator;

  beforeAll(() => {
    a = generate(12_000, 1);
    // the second execution segment overlaps the first in time, as two k6 instances would
    b = generate(9_000, 2, BASE_MS + 30_000);
    single = new MetricsAggregator();
    for (const l of a.lines) single.ingestLine(l);
    const other = new MetricsAggregator();
    for (const l of b.lines) other.ingestLine(l);
    merged = new MetricsAggregator();
    for (const l of a.lines) merged.ingestLine(l);
    merged.merge(other);
  });

  const filters: SeriesFilter[] = [{}, { phase: 'fault' }, { request: 'webhook' }, { phase: 'steady', request: 'offers' }, { phase: 'recovery' }];

  it.each(filters)('one aggregator: %j', (filter) => {
    const values = select(a.samples, filter).map((s) => s.duration);
    for (const p of [50, 95, 99, 99.9]) {
      const got = single.trendPercentile('http_req_duration', p, filter)!;
      const exact = nearestRank(values, p);
      expect(got.count).toBe(values.length);
      expect(Math.abs(got.value - exact)).toBeLessThanOrEqual(exact * 0.001 + 0.001);
    }
    const failed = select(a.samples, filter).filter((s) => s.failed).length;
    expect(single.rate('http_req_failed', filter)).toEqual({ value: failed / values.length, total: values.length, nonZero: failed });
  });

  it.each(filters)('merged = the union of both streams: %j', (filter) => {
    const union = [...select(a.samples, filter), ...select(b.samples, filter)];
    const values = union.map((s) => s.duration);
    for (const p of [50, 95, 99, 99.9, 100]) {
      const got = merged.trendPercentile('http_req_duration', p, filter)!;
      const exact = nearestRank(values, p);
      expect(got.count).toBe(values.length);
      expect(Math.abs(got.value - exact), `p(${p})`).toBeLessThanOrEqual(exact * 0.001 + 0.001);
    }
    const failed = union.filter((s) => s.failed).length;
    expect(merged.rate('http_req_failed', filter)).toEqual({ value: failed / union.length, total: union.length, nonZero: failed });
    expect(merged.count('http_reqs', filter)).toBe(union.length);
  });

  it('merges per-second buckets, windows and stats exactly', () => {
    const union = [...a.samples, ...b.samples];
    const perSecond = new Map<number, { requests: number; failed: number }>();
    for (const s of union) {
      const x = perSecond.get(s.second) ?? { requests: 0, failed: 0 };
      x.requests++;
      if (s.failed) x.failed++;
      perSecond.set(s.second, x);
    }
    expect(new Map(merged.seconds)).toEqual(perSecond);
    // windows: per second and request, p95 against brute force
    const series = merged.windows.series({ request: 'offers', percentiles: [95] });
    expect(series.length).toBeGreaterThan(80);
    for (const w of series) {
      const values = union.filter((s) => s.second === w.second && s.request === 'offers').map((s) => s.duration);
      expect(w.durations).toBe(values.length);
      expect(w.total).toBe(values.length);
      expect(w.failed).toBe(union.filter((s) => s.second === w.second && s.request === 'offers' && s.failed).length);
      const exact = nearestRank(values, 95);
      expect(Math.abs(w.percentiles![0] - exact)).toBeLessThanOrEqual(exact * 0.001 + 0.001);
    }
    expect(merged.stats.points).toBe(single.stats.points + (b.lines.length - METRICS.length));
    expect(merged.stats.firstSampleMs).toBe(single.stats.firstSampleMs);
  });

  it('merging in either order gives the same answers', () => {
    const other = new MetricsAggregator();
    for (const l of b.lines) other.ingestLine(l);
    const first = new MetricsAggregator();
    for (const l of a.lines) first.ingestLine(l);
    const reversed = other.merge(first);
    expect(snapshot(reversed).series).toEqual(snapshot(merged).series);
    expect(snapshot(reversed).windows).toEqual(snapshot(merged).windows);
  });

  it('keeps only a few live window histograms: the rest are compacted, and still exact', () => {
    expect(single.windows.bySecond.size).toBeGreaterThanOrEqual(90);
    expect(single.windows.liveCount).toBeLessThanOrEqual(70);
    const w = single.windows.series({ percentiles: [100] });
    for (const p of w.slice(0, 5)) {
      const values = a.samples.filter((s) => s.second === p.second).map((s) => s.duration);
      expect(Math.abs(p.percentiles![0] - Math.max(...values))).toBeLessThanOrEqual(Math.max(...values) * 0.001 + 0.001);
    }
  });
});

describe('the fast parsers read exactly what JSON.parse reads', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-metrics-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A realistic mixed file: k6 lines of every kind, odd but valid lines, corrupt ones, a cut-off last line. */
  function mixedFile(): string[] {
    const { lines } = generate(3000, 7);
    const T = '2026-11-23T19:14:18.749096413Z';
    const tags = '{"phase":"fault","request":"offers","status":"200"}';
    const odd = [
      // valid, but not the fast shape: JSON.parse must read them
      `{"type":"Point","data":{"time":"${T}","value":5,"tags":${tags}},"metric":"http_req_duration"}`, // old k6 key order
      `{"metric":"http_req_duration","type":"Point","data":{"time":"${T}","value":7,"tags":{"phase":"fault","url":"http://x/?a=1\\u0026b=2","request":"offers"}}}`, // escape
      `{"metric":"http_req_duration","type":"Point","data":{"time":"${T}","value":3.5,"tags":${tags}}}\r`, // CRLF
      ` {"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":1,"tags":${tags}}}`, // leading space
      `{"metric":"http_req_duration","type":"Point","data":{"time":"${T}","value":1.5e-3,"tags":${tags}}}`, // exponent
      `{"metric":"http_req_duration","type":"Point","data":{"time":"${T}","value":12345678901234567,"tags":${tags}}}`, // long mantissa
      `{"metric":"http_req_duration","type":"Point","data":{"time":"${T}","value":0.1234567890123456789,"tags":${tags}}}`,
      `{"metric":"vus","type":"Point","data":{"time":"${T}","value":30,"tags":null}}`, // tags null
      `{"metric":"http_req_duration","type":"Point","data":{"time":"${T}","value":9,"tags":${tags},"metadata":{"trace_id":"abc"}}}`, // metadata
      `{"metric":"http_req_failed","type":"Point","data":{"time":"2026-11-23T20:14:19.5+01:00","value":1,"tags":${tags}}}`, // offset zone
      `{"metric":"http_reqs","type":"Point","data":{"time":"2026-11-23T19:14:19Z","value":1,"tags":${tags}}}`, // no fraction
      `{"metric":"http_reqs","type":"Point","data":{"time":"yesterday","value":1,"tags":${tags}}}`, // unparseable time
      `{"metric":"http_req_duration","type":"Point","data":{"time":"${T}","value":-0,"tags":{"phase":"caf\u00e9","request":"offers"}}}`, // non-ASCII tag
      // corrupt: JSON.parse rejects them, so must the fast paths
      'not json at all',
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":01,"tags":${tags}}}`,
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":1.,"tags":${tags}}}`,
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":"1","tags":${tags}}}`,
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":1,"tags":{"phase":"fa\tult"}}}`, // raw control character
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":1,"tags":{"phase":"fault","request":"offers"}}`, // one brace short
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":1,"tags":{"phase":"fault","request":"offers"}}}}`, // one too many
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":1,"tags":{"phase":"fault""request":"offers"}}}`, // missing comma
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":1,"tags":{"phase":5}}}`, // non-string tag: JSON ok, not k6
      '\u0000\u0000\u0000\u0000',
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","val`, // truncated in the middle
    ];
    // spread the odd lines through the file
    const out = [...lines];
    odd.forEach((l, i) => out.splice(Math.floor(((i + 1) * out.length) / (odd.length + 1)), 0, l));
    return out;
  }

  it('ingestChunk: the byte reader takes every Point line k6 writes and leaves the rest to JSON.parse', () => {
    const lines = mixedFile();
    const bytes = Buffer.from(lines.join('\n') + '\n');
    const fast = new MetricsAggregator();
    const slow = new MetricsAggregator({ fastParse: false });
    fast.ingestChunk(bytes);
    fast.endChunks();
    slow.ingestChunk(bytes);
    slow.endChunks();
    expect(snapshot(fast)).toEqual(snapshot(slow));
    expect(fast.parsing.fast).toBeGreaterThan(lines.length * 0.95);
    expect(fast.parsing.slow).toBeGreaterThanOrEqual(METRICS.length + 12);
    expect(slow.parsing.fast).toBe(0);
    expect(fast.stats.corrupt).toBe(10);
  });

  it('ingestChunk: the same aggregates from raw bytes in chunks of any size, with a cut-off last line', () => {
    const lines = mixedFile();
    const text = lines.join('\n') + '\n' + '{"metric":"http_reqs","type":"Point","data":{"time":"2026-11-23T19:14:18Z","va';
    const bytes = Buffer.from(text);
    const reference = new MetricsAggregator({ fastParse: false });
    const parts = text.split('\n');
    for (const l of parts.slice(0, -1)) reference.ingestLine(l);
    reference.ingestTail(parts.at(-1)!);
    expect(reference.stats.truncated).toBe(true);
    expect(reference.stats.corrupt).toBe(11);

    const rnd = prng(3);
    for (const maxChunk of [13, 300, 65536]) {
      const agg = new MetricsAggregator();
      for (let o = 0; o < bytes.length; ) {
        const n = 1 + Math.floor(rnd() * maxChunk);
        agg.ingestChunk(bytes.subarray(o, o + n));
        o += n;
      }
      agg.endChunks();
      expect(snapshot(agg), `chunks up to ${maxChunk} bytes`).toEqual(snapshot(reference));
      expect(agg.parsing.fast).toBeGreaterThan(lines.length * 0.95);
    }
  });

  it('ingestChunk: one byte at a time, through a multi-byte character', () => {
    const lines = [
      metricLine('http_req_duration', 'trend', 'time'),
      point('http_req_duration', '2026-11-23T19:14:18.5Z', 12.5, '{"phase":"café ☕","request":"offers"}'),
      point('http_req_duration', '2026-11-23T19:14:18.6Z', 13.5, '{"phase":"café ☕","request":"offers"}'),
    ];
    const bytes = Buffer.from(lines.join('\n') + '\n');
    const agg = new MetricsAggregator();
    for (let i = 0; i < bytes.length; i++) agg.ingestChunk(bytes.subarray(i, i + 1));
    agg.endChunks();
    expect(agg.parsing.fast).toBe(2);
    const max = agg.trendPercentile('http_req_duration', 100, { phase: 'café ☕' })!;
    expect(max.count).toBe(2);
    expect(Math.abs(max.value - 13.5)).toBeLessThanOrEqual(13.5 * 0.001);
    expect(agg.stats).toMatchObject({ lines: 3, points: 2, corrupt: 0, truncated: false });
  });

  it('a stream that ends with a newline is not truncated', () => {
    const agg = new MetricsAggregator();
    agg.ingestChunk(Buffer.from(`${metricLine('http_reqs', 'counter', 'default')}\n`));
    agg.endChunks();
    expect(agg.stats).toMatchObject({ lines: 1, corrupt: 0, truncated: false });
  });

  it('ingestFile reads plain and gzipped NDJSON (told apart by content), with the same result', async () => {
    const lines = mixedFile();
    const text = lines.join('\n') + '\n';
    const plain = path.join(dir, 'samples.ndjson');
    const gz = path.join(dir, 'samples.ndjson.gz');
    const gzNoExt = path.join(dir, 'samples.bin');
    fs.writeFileSync(plain, text);
    fs.writeFileSync(gz, gzipSync(text));
    fs.writeFileSync(gzNoExt, gzipSync(text));
    const a = await ingestFile(plain);
    const b = await ingestFile(gz);
    const c = await ingestFile(gzNoExt);
    const ref = new MetricsAggregator({ fastParse: false });
    for (const l of lines) ref.ingestLine(l);
    expect(snapshot(a)).toEqual(snapshot(ref));
    expect(snapshot(b)).toEqual(snapshot(ref));
    expect(snapshot(c)).toEqual(snapshot(ref));
    expect(b.stats.truncated).toBe(false);
  });

  it('a gzip file cut short (k6 killed): what was read is kept and the stats say truncated', async () => {
    const { lines } = generate(4000, 11);
    const full = gzipSync(lines.join('\n') + '\n');
    const cut = path.join(dir, 'cut.ndjson.gz');
    fs.writeFileSync(cut, full.subarray(0, Math.floor(full.length * 0.6)));
    const agg = await ingestFile(cut);
    expect(agg.stats.truncated).toBe(true);
    expect(agg.stats.points).toBeGreaterThan(1000);
    expect(agg.stats.points).toBeLessThan(lines.length);
  });

  it('ingestFile names the file when it cannot be read', async () => {
    await expect(ingestFile(path.join(dir, 'missing.ndjson.gz'))).rejects.toThrow(/missing\.ndjson\.gz: cannot read the file \(ENOENT\)/);
  });

  it('ingestStream reads a stream of strings too', async () => {
    const { lines } = generate(200, 5);
    const agg = await ingestStream(Readable.from(lines.map((l) => `${l}\n`)), new MetricsAggregator());
    expect(agg.count('http_reqs')).toBe(200);
  });
});

describe('exact thresholds', () => {
  const T = '2026-11-23T19:14:18.749096413Z';
  const line = (v: number) => point('http_req_duration', T, v, '{"phase":"steady","request":"offers"}');

  it('counts samples strictly below a watched threshold, per series and after a merge', () => {
    const a = new MetricsAggregator({ thresholds: [{ metric: 'http_req_duration', below: 100 }] });
    const b = new MetricsAggregator({ thresholds: [{ metric: 'http_req_duration', below: 100 }] });
    a.ingestLine(metricLine('http_req_duration', 'trend', 'time'));
    b.ingestLine(metricLine('http_req_duration', 'trend', 'time'));
    for (const v of [99.98, 99.999, 100, 100.02, 5]) a.ingestLine(line(v));
    for (const v of [99.97, 150]) b.ingestLine(line(v));
    expect(a.countBelow('http_req_duration', 100)).toEqual({ below: 3, total: 5 });
    expect(a.countBelow('http_req_duration', 250)).toBeNull();
    a.merge(b);
    expect(a.countBelow('http_req_duration', 100, { phase: 'steady' })).toEqual({ below: 4, total: 7 });
    // a stream without the threshold watched makes the count unknown, not wrong
    const c = new MetricsAggregator();
    c.ingestLine(metricLine('http_req_duration', 'trend', 'time'));
    c.ingestLine(line(1));
    a.merge(c);
    expect(a.countBelow('http_req_duration', 100)).toBeNull();
  });
});
