import { beforeAll, describe, expect, it } from 'vitest';
import { MetricsAggregator, type SeriesFilter } from '../../src/metrics/aggregate.ts';

// ---------- synthetic k6 output ----------

/** mulberry32: a small seeded PRNG, so that every run feeds the same samples. */
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

function normal(rnd: () => number): number {
  const u = 1 - rnd();
  const v = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const METRIC_LINES = [
  { name: 'http_req_duration', type: 'trend', contains: 'time' },
  { name: 'http_req_waiting', type: 'trend', contains: 'time' },
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
  { name: 'http_reqs', type: 'counter', contains: 'default' },
  { name: 'vus', type: 'gauge', contains: 'default' },
].map((m) => JSON.stringify({ type: 'Metric', data: { ...m, thresholds: [], submetrics: null }, metric: m.name }));

function point(metric: string, time: string, value: number, tags: Record<string, string>): string {
  return JSON.stringify({ metric, type: 'Point', data: { time, value, tags } });
}

/** The same Point as k6 could also write it: other key order, metadata, spaces — same meaning. */
function pointVariant(metric: string, time: string, value: number, tags: Record<string, string>, variant: number): string {
  switch (variant % 4) {
    case 0:
      return JSON.stringify({ type: 'Point', metric, data: { tags, value, time } });
    case 1:
      return JSON.stringify({ metric, type: 'Point', data: { time, value, tags, metadata: { vu: '7', iter: '42' } } });
    case 2:
      return JSON.stringify({ metric, type: 'Point', data: { time, value, tags } }, null, 1).replace(/\n */g, ' ');
    default:
      return `${point(metric, time, value, tags)}\r`;
  }
}

/** 2026-11-23T19:14:00Z */
const BASE_SECOND = Date.UTC(2026, 10, 23, 19, 14, 0) / 1000;

/** k6 writes nanoseconds: "2026-11-23T19:14:18.749096413Z" */
function k6Time(second: number, nanos: number): string {
  const iso = new Date(second * 1000).toISOString(); // ...:SS.000Z
  return `${iso.slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
}

interface Sample {
  phase: string;
  request: string;
  duration: number;
  failed: boolean;
  second: number;
}

const PHASES = ['steady', 'fault', 'recovery'] as const;
const REQUESTS = ['offers', 'webhook'] as const;
const N = 20_000;

function generate(): { samples: Sample[]; lines: string[] } {
  const rnd = prng(0x5eed);
  const samples: Sample[] = [];
  const lines: string[] = [...METRIC_LINES];
  for (let i = 0; i < N; i++) {
    const second = BASE_SECOND + Math.floor((i / N) * 60);
    const phase = second - BASE_SECOND < 20 ? 'steady' : second - BASE_SECOND < 40 ? 'fault' : 'recovery';
    const request = rnd() < 0.75 ? 'offers' : 'webhook';
    // lognormal body, slower in the fault, plus a Pareto tail on 3% of requests
    const mu = Math.log(request === 'offers' ? 8 : 40) + (phase === 'fault' ? 1.2 : 0);
    let duration = Math.exp(mu + 0.6 * normal(rnd));
    if (rnd() < 0.03) duration *= 1 / Math.pow(1 - rnd(), 1 / 1.3);
    duration = Math.min(duration, 600_000);
    const failed = rnd() < (phase === 'fault' ? 0.08 : request === 'webhook' ? 0.01 : 0.002);
    const status = failed ? (rnd() < 0.5 ? '503' : '0') : '200';
    const time = k6Time(second, Math.floor(rnd() * 1e9));
    const tags = { phase, request, status, method: request === 'offers' ? 'GET' : 'POST', scenario: 'baseline', expected_response: String(!failed) };
    samples.push({ phase, request, duration, failed, second });
    // most lines in k6's usual shape, a fifth in other shapes with the same meaning
    const write = (metric: string, value: number) => lines.push(rnd() < 0.8 ? point(metric, time, value, tags) : pointVariant(metric, time, value, tags, i));
    write('http_reqs', 1);
    write('http_req_duration', duration);
    write('http_req_waiting', duration * 0.1);
    write('http_req_failed', failed ? 1 : 0);
    if (i % 1000 === 0) lines.push(point('vus', time, 30, { scenario: 'baseline' }));
  }
  return { samples, lines };
}

/** Nearest-rank percentile: the smallest sample with at least p% of the samples at or below it. */
function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100 - 1e-9));
  return sorted[rank - 1];
}

function select(samples: Sample[], filter: SeriesFilter): Sample[] {
  return samples.filter((s) => (filter.phase === undefined || s.phase === filter.phase) && (filter.request === undefined || s.request === filter.request));
}

// ---------- tests ----------

describe('MetricsAggregator on 20,000 synthetic requests', () => {
  let samples: Sample[];
  let lines: string[];
  let agg: MetricsAggregator;

  beforeAll(() => {
    ({ samples, lines } = generate());
    agg = new MetricsAggregator();
    for (const line of lines) agg.ingestLine(line);
  });

  it('reads every line as a metric declaration or a point', () => {
    expect(agg.stats.lines).toBe(lines.length);
    expect(agg.stats.points).toBe(lines.length - METRIC_LINES.length);
    expect(agg.stats.corrupt).toBe(0);
    expect(agg.types.get('http_req_duration')).toBe('trend');
    expect(agg.types.get('http_req_failed')).toBe('rate');
    expect(agg.types.get('http_reqs')).toBe('counter');
    expect(agg.types.get('vus')).toBe('gauge');
  });

  it('keeps one series per metric × phase × request', () => {
    const trends = [...agg.series.values()].filter((s) => s.metric === 'http_req_duration');
    expect(trends).toHaveLength(PHASES.length * REQUESTS.length);
    expect(new Set(trends.map((s) => `${s.phase}/${s.request}`))).toEqual(new Set(PHASES.flatMap((p) => REQUESTS.map((r) => `${p}/${r}`))));
    expect(trends.every((s) => s.type === 'trend')).toBe(true);
  });

  const filters: Array<[string, SeriesFilter]> = [
    ...PHASES.flatMap((phase) => REQUESTS.map((request): [string, SeriesFilter] => [`phase ${phase}, request ${request}`, { phase, request }])),
    ...PHASES.map((phase): [string, SeriesFilter] => [`phase ${phase} (all requests)`, { phase }]),
    ...REQUESTS.map((request): [string, SeriesFilter] => [`request ${request} (all phases)`, { request }]),
    ['no filter (the whole run)', {}],
  ];

  it.each(filters)('trend percentiles match a brute-force nearest rank: %s', (_, filter) => {
    const values = select(samples, filter).map((s) => s.duration);
    expect(values.length).toBeGreaterThan(100);
    for (const p of [50, 90, 95, 99, 99.9]) {
      const exact = nearestRank(values, p);
      const got = agg.trendPercentile('http_req_duration', p, filter);
      expect(got, `p(${p})`).not.toBeNull();
      expect(got!.count).toBe(values.length);
      const err = Math.abs(got!.value - exact);
      expect(err, `p(${p}) = ${got!.value}, exact ${exact}`).toBeLessThanOrEqual(0.002 * exact + 0.001);
    }
  });

  it('the tail really is heavy, so that a wrong rank would show', () => {
    const values = samples.map((s) => s.duration);
    const p99 = nearestRank(values, 99);
    const p95 = nearestRank(values, 95);
    expect(p99 / p95).toBeGreaterThan(1.5);
    // neighbouring ranks around p99 differ by more than the tolerance
    const sorted = [...values].sort((a, b) => a - b);
    const i = Math.ceil(0.99 * sorted.length) - 1;
    expect(sorted[i + 5] - sorted[i - 5]).toBeGreaterThan(0.004 * sorted[i] + 0.002);
  });

  it('does not mix trends of different metrics', () => {
    const exact = nearestRank(
      samples.map((s) => s.duration * 0.1),
      90,
    );
    const got = agg.trendPercentile('http_req_waiting', 90)!;
    expect(Math.abs(got.value - exact)).toBeLessThanOrEqual(0.002 * exact + 0.001);
    expect(agg.trendPercentile('http_req_duration', 90)!.value).toBeGreaterThan(got.value * 5);
  });

  it('p(100) is the largest sample and a tiny percentile the smallest', () => {
    const values = select(samples, { phase: 'fault' }).map((s) => s.duration);
    const max = Math.max(...values);
    const min = Math.min(...values);
    expect(Math.abs(agg.trendPercentile('http_req_duration', 100, { phase: 'fault' })!.value - max)).toBeLessThanOrEqual(0.002 * max + 0.001);
    expect(Math.abs(agg.trendPercentile('http_req_duration', 0.0001, { phase: 'fault' })!.value - min)).toBeLessThanOrEqual(0.002 * min + 0.001);
  });

  it.each(filters)('rate() counts failures exactly: %s', (_, filter) => {
    const sel = select(samples, filter);
    const nonZero = sel.filter((s) => s.failed).length;
    const r = agg.rate('http_req_failed', filter);
    expect(r).toEqual({ value: nonZero / sel.length, total: sel.length, nonZero });
  });

  it.each(filters)('count() sums http_reqs exactly: %s', (_, filter) => {
    expect(agg.count('http_reqs', filter)).toBe(select(samples, filter).length);
  });

  it('count() only sums counters', () => {
    expect(agg.count('http_req_duration')).toBe(0);
    expect(agg.count('vus')).toBe(0);
  });

  it('returns null / 0 for what has no samples', () => {
    expect(agg.trendPercentile('http_req_duration', 95, { phase: 'warmup' })).toBeNull();
    expect(agg.trendPercentile('http_req_duration', 95, { request: 'checkout' })).toBeNull();
    expect(agg.trendPercentile('grpc_req_duration', 95)).toBeNull();
    expect(agg.rate('http_req_failed', { phase: 'warmup' })).toBeNull();
    expect(agg.rate('checks')).toBeNull();
    expect(agg.count('http_reqs', { request: 'checkout' })).toBe(0);
    // a trend asked as a rate, or a rate as a trend, has no samples either
    expect(agg.rate('http_req_duration')).toBeNull();
    expect(agg.trendPercentile('http_req_failed', 50)).toBeNull();
  });

  it('counts requests and failures per epoch second exactly', () => {
    const expected = new Map<number, { requests: number; failed: number }>();
    for (const s of samples) {
      const b = expected.get(s.second) ?? { requests: 0, failed: 0 };
      b.requests++;
      if (s.failed) b.failed++;
      expected.set(s.second, b);
    }
    expect(agg.seconds.size).toBe(60);
    expect(new Map(agg.seconds)).toEqual(expected);
    expect(Math.min(...agg.seconds.keys())).toBe(BASE_SECOND);
    expect(Math.max(...agg.seconds.keys())).toBe(BASE_SECOND + 59);
  });

  it('records the first and last sample times', () => {
    expect(agg.stats.firstSampleMs).not.toBeNull();
    expect(Math.floor(agg.stats.firstSampleMs! / 1000)).toBe(BASE_SECOND);
    expect(Math.floor(agg.stats.lastSampleMs! / 1000)).toBe(BASE_SECOND + 59);
    expect(agg.stats.lastSampleMs!).toBeGreaterThan(agg.stats.firstSampleMs!);
  });
});

describe('MetricsAggregator, line by line', () => {
  const T = '2026-11-23T19:14:18.749096413Z';
  const T_MS = Date.UTC(2026, 10, 23, 19, 14, 18, 749);
  const tags = { phase: 'steady', request: 'offers', status: '200' };

  function fresh(): MetricsAggregator {
    const agg = new MetricsAggregator();
    for (const l of METRIC_LINES) agg.ingestLine(l);
    return agg;
  }

  it('reads the exact line format k6 writes', () => {
    const agg = new MetricsAggregator();
    agg.ingestLine('{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"http_req_duration"}');
    agg.ingestLine(`{"metric":"http_req_duration","type":"Point","data":{"time":"${T}","value":2.08,"tags":{"phase":"steady","request":"offers","status":"200"}}}`);
    const p = agg.trendPercentile('http_req_duration', 50, { phase: 'steady', request: 'offers' });
    expect(p).not.toBeNull();
    expect(p!.count).toBe(1);
    expect(Math.abs(p!.value - 2.08)).toBeLessThanOrEqual(0.002 * 2.08 + 0.001);
    expect(agg.stats).toMatchObject({ lines: 2, points: 1, corrupt: 0 });
  });

  it('keeps microsecond resolution of small durations', () => {
    const agg = fresh();
    for (const v of [0.123, 0.456, 0.789]) agg.ingestLine(point('http_req_duration', T, v, tags));
    expect(agg.trendPercentile('http_req_duration', 50)!.value).toBeCloseTo(0.456, 6);
    expect(agg.trendPercentile('http_req_duration', 100)!.value).toBeCloseTo(0.789, 6);
  });

  it('counts corrupt lines without throwing and goes on', () => {
    const agg = fresh();
    const bad = [
      'not json at all',
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","val`,
      '{"metric":"http_reqs","data":{"time":"2026-11-23T19:14:18Z","value":1,"tags":{}}}',
      'null',
      '42',
      '[]',
      '"Point"',
      `{"metric":"http_reqs","type":"Point","data":{"time":"${T}","value":"1","tags":{}}}`,
      '{"metric":"http_reqs","type":"Point","data":{"value":1,"tags":{}}}',
      `{"type":"Point","data":{"time":"${T}","value":1,"tags":{}}}`,
      '{"type":"Metric","metric":"x","data":{}}',
      '{"type":"Metric","data":{"type":"trend"}}',
      '{"type":"Point","metric":"http_reqs"}',
    ];
    for (const line of bad) expect(() => agg.ingestLine(line)).not.toThrow();
    agg.ingestLine(point('http_reqs', T, 1, tags));
    agg.ingestLine(point('http_req_failed', T, 1, tags));
    agg.ingestLine('');
    expect(agg.stats.corrupt).toBe(bad.length);
    expect(agg.stats.lines).toBe(METRIC_LINES.length + bad.length + 2);
    expect(agg.stats.points).toBe(2);
    expect(agg.count('http_reqs')).toBe(1);
    expect(agg.rate('http_req_failed')).toEqual({ value: 1, total: 1, nonZero: 1 });
    expect(agg.types.has('x')).toBe(false);
  });

  describe('reads every line the way JSON.parse reads it', () => {
    const L = (data: string, head = '{"metric":"http_reqs","type":"Point","data":') => `${head}${data}}`;
    const TIME = '"time":"2026-11-23T19:14:18.749096413Z"';
    const cases: Array<[string, string]> = [
      ['usual shape', L(`{${TIME},"value":1,"tags":{"phase":"steady","request":"offers"}}`)],
      ['empty tags', L(`{${TIME},"value":1,"tags":{}}`)],
      ['null tags', L(`{${TIME},"value":1,"tags":null}`)],
      ['metadata', L(`{${TIME},"value":1,"tags":{"phase":"fault"},"metadata":{"vu":"3"}}`)],
      ['exponent value', L(`{${TIME},"value":2e0,"tags":{"phase":"fault"}}`)],
      ['negative value', L(`{${TIME},"value":-2.5,"tags":{"phase":"fault"}}`)],
      ['escaped tag value', L(`{${TIME},"value":1,"tags":{"phase":"st\\u0065ady","request":"offers"}}`)],
      ['escaped quote in a tag', L(`{${TIME},"value":1,"tags":{"phase":"steady","request":"off\\"ers"}}`)],
      ['escaped backslash at the end of a tag', L(`{${TIME},"value":1,"tags":{"request":"offers\\\\"}}`)],
      ['unquoted tag value', L(`{${TIME},"value":1,"tags":{"phase":xsteady"}}`)],
      ['escaped metric name', L(`{${TIME},"value":1,"tags":{"phase":"steady"}}`, '{"metric":"http\\u005freqs","type":"Point","data":')],
      ['duplicate tag', L(`{${TIME},"value":1,"tags":{"phase":"steady","phase":"fault"}}`)],
      ['non-string tag', L(`{${TIME},"value":1,"tags":{"phase":7,"request":"offers"}}`)],
      ['object tag', L(`{${TIME},"value":1,"tags":{"phase":{"x":"y"},"request":"offers"}}`)],
      ['other key order', `{"type":"Point","metric":"http_reqs","data":{"tags":{"request":"webhook"},"value":3,${TIME}}}`],
      ['spaces', `{"metric": "http_reqs", "type": "Point", "data": {${TIME}, "value": 1, "tags": {"phase": "recovery"}}}`],
      ['CRLF', `${L(`{${TIME},"value":1,"tags":{"phase":"steady"}}`)}\r`],
      ['extra field in data', L(`{${TIME},"value":1,"extra":true,"tags":{"phase":"steady"}}`)],
      ['extra top-level field', `${L(`{${TIME},"value":1,"tags":{"phase":"steady"}}`).slice(0, -1)},"x":1}`],
      ['time with offset', L(`{"time":"2026-11-23T20:14:18.5+01:00","value":1,"tags":{}}`)],
      ['escaped time', L(`{"time":"2026-11-23T19:14:18\\u002e5Z","value":1,"tags":{}}`)],
      ['trailing garbage', `${L(`{${TIME},"value":1,"tags":{}}`)}x`],
      ['missing brace', L(`{${TIME},"value":1,"tags":{}}`).slice(0, -1)],
      ['extra brace', `${L(`{${TIME},"value":1,"tags":{}}`)}}`],
      ['leading zero', L(`{${TIME},"value":01,"tags":{}}`)],
      ['bare dot', L(`{${TIME},"value":.5,"tags":{}}`)],
      ['trailing dot', L(`{${TIME},"value":1.,"tags":{}}`)],
      ['string value', L(`{${TIME},"value":"1","tags":{}}`)],
      ['boolean value', L(`{${TIME},"value":true,"tags":{}}`)],
      ['null value', L(`{${TIME},"value":null,"tags":{}}`)],
      ['raw tab in a tag', L(`{${TIME},"value":1,"tags":{"phase":"ste\tady"}}`)],
      ['no time', L(`{"value":1,"tags":{}}`)],
      ['truncated in tags', L(`{${TIME},"value":1,"tags":{"phase":"ste`).slice(0, -1)],
    ];

    it.each(cases)('%s', (_, line) => {
      // what JSON.parse makes of the line
      let expected: { metric: string; value: number; phase: string; request: string; timeMs: number } | null = null;
      try {
        const e = JSON.parse(line);
        const d = e?.data;
        if (e?.type === 'Point' && typeof e.metric === 'string' && typeof d?.value === 'number' && typeof d.time === 'string') {
          const tagsOf = d.tags ?? {};
          expected = {
            metric: e.metric,
            value: d.value,
            phase: typeof tagsOf.phase === 'string' ? tagsOf.phase : '',
            request: typeof tagsOf.request === 'string' ? tagsOf.request : '',
            timeMs: Date.parse(d.time),
          };
        }
      } catch {
        expected = null;
      }
      const agg = fresh();
      // a line before and after, so that state carried between lines is exercised too
      agg.ingestLine(point('http_reqs', T, 1, { phase: 'other', request: 'other' }));
      agg.ingestLine(line);
      agg.ingestLine(point('http_reqs', T, 1, { phase: 'other', request: 'other' }));
      expect(agg.stats.corrupt).toBe(expected ? 0 : 1);
      expect(agg.stats.points).toBe(expected ? 3 : 2);
      expect(agg.count('http_reqs', { phase: 'other', request: 'other' })).toBe(2);
      if (!expected) return;
      const mine = [...agg.series.values()].filter((s) => !(s.phase === 'other' && s.request === 'other'));
      expect(mine.map((s) => [s.metric, s.phase, s.request])).toEqual([[expected.metric, expected.phase, expected.request]]);
      expect(agg.count(expected.metric, { phase: expected.phase, request: expected.request })).toBe(expected.value);
      if (expected.metric === 'http_reqs') {
        const second = Math.floor(expected.timeMs / 1000);
        const other = Math.floor(T_MS / 1000);
        expect(agg.seconds.get(second)?.requests).toBe(expected.value + (second === other ? 2 : 0));
      }
    });

    it('the cases cover both outcomes', () => {
      const valid = cases.filter(([, line]) => {
        try {
          return JSON.parse(line).type === 'Point';
        } catch {
          return false;
        }
      });
      expect(valid.length).toBeGreaterThanOrEqual(15);
      expect(cases.length - valid.length).toBeGreaterThanOrEqual(8);
    });
  });

  it('does not count empty lines at all', () => {
    const agg = new MetricsAggregator();
    agg.ingestLine('');
    expect(agg.stats).toMatchObject({ lines: 0, corrupt: 0, points: 0 });
  });

  it('returns null for a declared metric without samples', () => {
    const agg = fresh();
    expect(agg.trendPercentile('http_req_duration', 95)).toBeNull();
    expect(agg.rate('http_req_failed')).toBeNull();
    expect(agg.count('http_reqs')).toBe(0);
    expect(agg.seconds.size).toBe(0);
    expect(agg.stats.firstSampleMs).toBeNull();
    expect(agg.stats.lastSampleMs).toBeNull();
  });

  it('counts any non-zero value of a rate as a hit', () => {
    const agg = fresh();
    for (const v of [0, 1, 0, 0.5, 0, 1]) agg.ingestLine(point('http_req_failed', T, v, tags));
    expect(agg.rate('http_req_failed')).toEqual({ value: 0.5, total: 6, nonZero: 3 });
    expect(agg.seconds.get(Math.floor(T_MS / 1000))).toEqual({ requests: 0, failed: 3 });
  });

  it('sums counter values, not only their number', () => {
    const agg = fresh();
    agg.ingestLine(point('http_reqs', T, 1, tags));
    agg.ingestLine(point('http_reqs', T, 4, tags));
    agg.ingestLine(point('data_sent', T, 300, tags));
    agg.ingestLine(point('data_sent', T, 200, tags));
    expect(agg.count('http_reqs')).toBe(5);
    expect(agg.seconds.get(Math.floor(T_MS / 1000))).toEqual({ requests: 5, failed: 0 });
    // a metric never declared is treated as a counter
    expect(agg.count('data_sent')).toBe(500);
    expect(agg.count('data_sent', { phase: 'steady', request: 'offers' })).toBe(500);
  });

  it('keeps points without phase or request tags in their own series, matched only without that filter', () => {
    const agg = fresh();
    agg.ingestLine(point('http_req_duration', T, 100, {}));
    agg.ingestLine(point('http_req_duration', T, 10, { phase: 'steady' }));
    agg.ingestLine(point('http_req_duration', T, 1, tags));
    const max = (filter: SeriesFilter) => {
      const r = agg.trendPercentile('http_req_duration', 100, filter);
      return r && { value: Math.round(r.value), count: r.count };
    };
    expect(max({})).toEqual({ value: 100, count: 3 });
    expect(max({ phase: 'steady' })).toEqual({ value: 10, count: 2 });
    expect(max({ request: 'offers' })).toEqual({ value: 1, count: 1 });
    expect(max({ phase: '' })).toEqual({ value: 100, count: 1 });
    expect(max({ phase: 'steady', request: '' })).toEqual({ value: 10, count: 1 });
  });

  it('buckets by epoch second, across second and timezone boundaries', () => {
    const agg = fresh();
    const times = ['2026-11-23T19:14:18.999999999Z', '2026-11-23T19:14:19.000000001Z', '2026-11-23T20:14:19.5+01:00', '2026-11-23T19:14:20Z'];
    for (const t of times) agg.ingestLine(point('http_reqs', t, 1, tags));
    agg.ingestLine(point('http_req_failed', '2026-11-23T19:14:19.7Z', 1, tags));
    agg.ingestLine(point('http_req_failed', '2026-11-23T19:14:19.8Z', 0, tags));
    const s = Date.UTC(2026, 10, 23, 19, 14, 18) / 1000;
    expect(new Map(agg.seconds)).toEqual(
      new Map([
        [s, { requests: 1, failed: 0 }],
        [s + 1, { requests: 2, failed: 1 }],
        [s + 2, { requests: 1, failed: 0 }],
      ]),
    );
    expect(agg.stats.firstSampleMs).toBe(s * 1000 + 999);
    expect(agg.stats.lastSampleMs).toBe((s + 2) * 1000);
  });

  it('does not bucket other metrics per second', () => {
    const agg = fresh();
    agg.ingestLine(point('http_req_duration', T, 5, tags));
    agg.ingestLine(point('vus', T, 5, {}));
    expect(agg.seconds.size).toBe(0);
    expect(agg.stats.firstSampleMs).toBeNull();
  });

  it('ignores an unparseable time for the per-second buckets but keeps the sample', () => {
    const agg = fresh();
    agg.ingestLine(point('http_reqs', 'yesterday', 1, tags));
    expect(agg.count('http_reqs')).toBe(1);
    expect(agg.seconds.size).toBe(0);
    expect(agg.stats.corrupt).toBe(0);
  });
});
