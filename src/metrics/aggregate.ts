// Streaming aggregation of k6's NDJSON output: per metric × phase × request, an HDR histogram
// for trends and counters for rates and counts; per second, request and failure counts; per
// second and request, windows with an http_req_duration histogram (./windows.ts). Memory grows
// with the number of series and seconds, never with the samples.
//
// Point lines of k6's usual shape are read without JSON.parse (./k6-line.ts); anything else
// goes through JSON.parse, with the same result.
import { Buffer } from 'node:buffer';
import type { Histogram } from 'hdr-histogram-js';
import { newHistogram, toRecorded, TREND_RESOLUTION } from './histogram.ts';
import { K6OutputLine } from '../schema/k6-output.ts';
import { K6ChunkReader, type PointFields } from './k6-bytes.ts';
import { WindowStore } from './windows.ts';

export { newHistogram } from './histogram.ts';

export type MetricType = 'trend' | 'rate' | 'counter' | 'gauge';

interface SeriesTags {
  metric: string;
  phase: string;
  request: string;
}

export interface TrendSeries extends SeriesTags {
  type: 'trend';
  histogram: Histogram;
  /** watched thresholds of this metric (its unit) and how many samples were strictly below each */
  watched?: { thresholds: number[]; below: number[] };
}
export interface RateSeries extends SeriesTags {
  type: 'rate';
  total: number;
  nonZero: number;
}
export interface CounterSeries extends SeriesTags {
  type: 'counter' | 'gauge';
  sum: number;
  count: number;
  /** the value of the latest sample (by its time; a merge keeps the later one) */
  last: number;
  lastMs: number;
}
export type Series = TrendSeries | RateSeries | CounterSeries;

export interface SecondBucket {
  requests: number;
  failed: number;
}

export interface SeriesFilter {
  phase?: string;
  request?: string;
}

export interface IngestStats {
  lines: number;
  points: number;
  /** lines that were not valid JSON or not k6 output (a truncated last line included) */
  corrupt: number;
  firstSampleMs: number | null;
  lastSampleMs: number | null;
  /** the stream ended in the middle of a line (no newline after the last one): k6 was cut off */
  truncated: boolean;
}

/** A value of a trend to count exact hits below (an SLO's threshold): the histogram alone is exact to 0.1%. */
export interface TrendThreshold {
  metric: string;
  /** in the metric's unit (ms for k6's time metrics) */
  below: number;
}

export interface AggregatorOptions {
  /** read Point lines without JSON.parse when they have k6's usual shape (default true) */
  fastParse?: boolean;
  /** thresholds to count exactly, so that "p(95) < 250 ms" is judged on the raw values */
  thresholds?: readonly TrendThreshold[];
}

const DURATION = 'http_req_duration';
const REQS = 'http_reqs';
const FAILED = 'http_req_failed';
const ITERATIONS = 'iterations';
const DROPPED = 'dropped_iterations';

export class MetricsAggregator {
  readonly types = new Map<string, MetricType>();
  readonly series = new Map<string, Series>();
  readonly seconds = new Map<number, SecondBucket>();
  /** per epoch second: iterations k6 completed, and iterations it dropped (an arrival-rate executor ran out of VUs) */
  readonly iterationsBySecond = new Map<number, { completed: number; dropped: number }>();
  /** per epoch second × request: counts and an http_req_duration histogram */
  readonly windows = new WindowStore();
  readonly stats: IngestStats = { lines: 0, points: 0, corrupt: 0, firstSampleMs: null, lastSampleMs: null, truncated: false };
  /** how lines were read: without JSON.parse (fast) or with it (slow) */
  readonly parsing = { fast: 0, slow: 0 };

  private readonly fastParse: boolean;
  private chunkReader: K6ChunkReader | null = null;
  /** phase → request → metric → series: consecutive lines of one request share the group */
  private readonly groups = new Map<string, Map<string, Map<string, Series>>>();
  private lastGroup: Map<string, Series> | null = null;
  private lastPhase = '';
  private lastRequest = '';
  private lastSecond = NaN;
  private lastBucket: SecondBucket | null = null;

  private readonly watch = new Map<string, number[]>();

  constructor(options: AggregatorOptions = {}) {
    this.fastParse = options.fastParse ?? true;
    for (const t of options.thresholds ?? []) {
      const list = this.watch.get(t.metric) ?? [];
      if (!list.includes(t.below)) list.push(t.below);
      this.watch.set(t.metric, list);
    }
  }

  /** One line of `k6 run --out json=...`, read with JSON.parse (`ingestChunk` is the fast way in). Never throws: a bad line is counted. */
  ingestLine(line: string): void {
    if (line.length === 0) return;
    this.stats.lines++;
    this.parsing.slow++;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.stats.corrupt++;
      return;
    }
    const parsed = K6OutputLine.safeParse(raw);
    if (!parsed.success) {
      this.stats.corrupt++;
      return;
    }
    const entry = parsed.data;
    if (entry.type === 'Metric') {
      this.types.set(entry.metric, entry.data.type);
      return;
    }
    const tags = entry.data.tags;
    this.addPoint(entry.metric, entry.data.value, entry.data.time, typeof tags === 'object' && tags !== null ? (tags as Record<string, unknown>) : {});
  }

  /**
   * Raw bytes of k6's NDJSON output, in chunks of any size (a line may span chunks): the fastest
   * way in. Call `endChunks()` when the stream is over.
   */
  ingestChunk(chunk: Uint8Array): void {
    if (!this.chunkReader) {
      this.chunkReader = new K6ChunkReader(
        (f) => this.chunkPoint(f),
        (line) => this.ingestLine(line),
      );
      if (!this.fastParse) this.chunkReader.disableFastPath();
    }
    this.chunkReader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }

  /** The chunked stream is over: a last line without newline is read as cut off (`ingestTail`). */
  endChunks(): void {
    const tail = this.chunkReader?.end() ?? null;
    if (tail !== null) this.ingestTail(tail);
  }

  private chunkPoint(f: PointFields): void {
    this.stats.lines++;
    this.parsing.fast++;
    this.addSample(f.metric, f.value, f.timeMs, f.phase, f.request);
  }

  /**
   * The last piece of a stream, when it did not end with a newline: k6 was cut off mid-line.
   * Sets `stats.truncated` and reads the piece (counted as corrupt unless it is a whole line).
   */
  ingestTail(fragment: string): void {
    if (fragment.length === 0) return;
    this.stats.truncated = true;
    this.ingestLine(fragment);
  }

  addPoint(metric: string, value: number, time: string, tags: Readonly<Record<string, unknown>>): void {
    const phase = tags.phase;
    const request = tags.request;
    this.addSample(metric, value, Date.parse(time), typeof phase === 'string' ? phase : '', typeof request === 'string' ? request : '');
  }

  private group(phase: string, request: string): Map<string, Series> {
    if (this.lastGroup !== null && phase === this.lastPhase && request === this.lastRequest) return this.lastGroup;
    let byRequest = this.groups.get(phase);
    if (!byRequest) this.groups.set(phase, (byRequest = new Map()));
    let g = byRequest.get(request);
    if (!g) byRequest.set(request, (g = new Map()));
    this.lastGroup = g;
    this.lastPhase = phase;
    this.lastRequest = request;
    return g;
  }

  private seriesFor(metric: string, phase: string, request: string): Series {
    const g = this.group(phase, request);
    let s = g.get(metric);
    if (!s) {
      const type = this.types.get(metric) ?? 'counter';
      const watched = type === 'trend' ? this.watch.get(metric) : undefined;
      s =
        type === 'trend'
          ? watched
            ? { type, metric, phase, request, histogram: newHistogram(), watched: { thresholds: [...watched], below: watched.map(() => 0) } }
            : { type, metric, phase, request, histogram: newHistogram() }
          : type === 'rate'
            ? { type, metric, phase, request, total: 0, nonZero: 0 }
            : { type, metric, phase, request, sum: 0, count: 0, last: 0, lastMs: -Infinity };
      g.set(metric, s);
      this.series.set(`${metric}\u0000${phase}\u0000${request}`, s);
    }
    return s;
  }

  private addSample(metric: string, value: number, timeMs: number, phase: string, request: string): void {
    this.stats.points++;
    const s = this.seriesFor(metric, phase, request);
    let recorded = -1;
    if (s.type === 'trend') {
      recorded = toRecorded(value);
      s.histogram.recordValue(recorded);
      const w = s.watched;
      if (w !== undefined) for (let k = 0; k < w.thresholds.length; k++) if (value < w.thresholds[k]) w.below[k]++;
    } else if (s.type === 'rate') {
      s.total++;
      if (value !== 0) s.nonZero++;
    } else {
      s.sum += value;
      s.count++;
      if (!(timeMs < s.lastMs)) {
        s.last = value;
        s.lastMs = timeMs;
      }
    }
    if (Number.isNaN(timeMs)) return;
    const isReqs = metric === REQS;
    const isFailed = !isReqs && metric === FAILED;
    if (isReqs || isFailed) {
      if (this.stats.firstSampleMs === null || timeMs < this.stats.firstSampleMs) this.stats.firstSampleMs = timeMs;
      if (this.stats.lastSampleMs === null || timeMs > this.stats.lastSampleMs) this.stats.lastSampleMs = timeMs;
      const second = Math.floor(timeMs / 1000);
      let bucket = this.lastBucket;
      if (bucket === null || second !== this.lastSecond) {
        bucket = this.seconds.get(second) ?? null;
        if (!bucket) this.seconds.set(second, (bucket = { requests: 0, failed: 0 }));
        this.lastBucket = bucket;
        this.lastSecond = second;
      }
      if (isReqs) {
        bucket.requests += value;
        this.windows.addRequests(second, request, value);
      } else {
        if (value !== 0) bucket.failed++;
        this.windows.addFailed(second, request, value !== 0);
      }
    } else if (recorded >= 0 && metric === DURATION) {
      this.windows.recordDuration(Math.floor(timeMs / 1000), request, recorded);
    } else if (metric === ITERATIONS || metric === DROPPED) {
      const second = Math.floor(timeMs / 1000);
      const it = this.iterationsBySecond.get(second) ?? { completed: 0, dropped: 0 };
      this.iterationsBySecond.set(second, it);
      if (metric === ITERATIONS) it.completed += value;
      else it.dropped += value;
    }
  }

  /**
   * Adds everything `other` aggregated (another k6 instance's execution segment, another file):
   * afterwards this aggregator answers as if it had read both streams. Exact: histograms are
   * added bin by bin, counters summed.
   */
  merge(other: MetricsAggregator): this {
    for (const [second, o] of other.iterationsBySecond) {
      const it = this.iterationsBySecond.get(second) ?? { completed: 0, dropped: 0 };
      this.iterationsBySecond.set(second, it);
      it.completed += o.completed;
      it.dropped += o.dropped;
    }
    for (const [metric, type] of other.types) if (!this.types.has(metric)) this.types.set(metric, type);
    for (const o of other.series.values()) {
      const key = `${o.metric}\u0000${o.phase}\u0000${o.request}`;
      const mine = this.series.get(key);
      if (!mine) {
        const copy: Series = o.type === 'trend' ? { ...o, histogram: newHistogram(), watched: o.watched && { thresholds: [...o.watched.thresholds], below: [...o.watched.below] } } : { ...o };
        if (copy.type === 'trend' && o.type === 'trend') copy.histogram.add(o.histogram);
        this.series.set(key, copy);
        this.group(o.phase, o.request).set(o.metric, copy);
        continue;
      }
      if (mine.type === 'trend' && o.type === 'trend') {
        mine.histogram.add(o.histogram);
        mergeWatched(mine, o);
      } else if (mine.type === 'rate' && o.type === 'rate') {
        mine.total += o.total;
        mine.nonZero += o.nonZero;
      } else if (mine.type !== 'trend' && mine.type !== 'rate' && o.type !== 'trend' && o.type !== 'rate') {
        const mineHadSamples = mine.count > 0;
        mine.sum += o.sum;
        mine.count += o.count;
        if (o.count > 0 && (!mineHadSamples || !(o.lastMs < mine.lastMs))) {
          mine.last = o.last;
          mine.lastMs = o.lastMs;
        }
      }
      // series of one metric with different types cannot be added: kept as they are
    }
    for (const [second, b] of other.seconds) {
      const mine = this.seconds.get(second);
      if (mine) {
        mine.requests += b.requests;
        mine.failed += b.failed;
      } else this.seconds.set(second, { ...b });
    }
    this.lastBucket = null;
    this.windows.merge(other.windows);
    const s = this.stats;
    const o = other.stats;
    s.lines += o.lines;
    s.points += o.points;
    s.corrupt += o.corrupt;
    s.truncated ||= o.truncated;
    if (o.firstSampleMs !== null && (s.firstSampleMs === null || o.firstSampleMs < s.firstSampleMs)) s.firstSampleMs = o.firstSampleMs;
    if (o.lastSampleMs !== null && (s.lastSampleMs === null || o.lastSampleMs > s.lastSampleMs)) s.lastSampleMs = o.lastSampleMs;
    this.parsing.fast += other.parsing.fast;
    this.parsing.slow += other.parsing.slow;
    return this;
  }

  private matching(metric: string, filter: SeriesFilter): Series[] {
    const out: Series[] = [];
    for (const s of this.series.values()) {
      if (s.metric !== metric) continue;
      if (filter.phase !== undefined && s.phase !== filter.phase) continue;
      if (filter.request !== undefined && s.request !== filter.request) continue;
      out.push(s);
    }
    return out;
  }

  /** The merged histogram of a trend over the matching series (in recorded units), or null without samples. */
  trendHistogram(metric: string, filter: SeriesFilter = {}): Histogram | null {
    const merged = newHistogram();
    for (const s of this.matching(metric, filter)) if (s.type === 'trend') merged.add(s.histogram);
    return merged.totalCount === 0 ? null : merged;
  }

  /** Percentile of a trend over the matching series, in the metric's unit; null without samples. */
  trendPercentile(metric: string, percentile: number, filter: SeriesFilter = {}): { value: number; count: number } | null {
    const merged = this.trendHistogram(metric, filter);
    if (!merged) return null;
    return { value: merged.getValueAtPercentile(percentile) / TREND_RESOLUTION, count: merged.totalCount };
  }

  /**
   * How many samples of a trend were strictly below `threshold`, exactly, over the matching
   * series — null when the threshold was not watched (AggregatorOptions.thresholds) or there
   * are no samples.
   */
  countBelow(metric: string, threshold: number, filter: SeriesFilter = {}): { below: number; total: number } | null {
    let below = 0;
    let total = 0;
    for (const s of this.matching(metric, filter)) {
      if (s.type !== 'trend') continue;
      const k = s.watched ? s.watched.thresholds.indexOf(threshold) : -1;
      if (k === -1) return null;
      below += s.watched!.below[k];
      total += s.histogram.totalCount;
    }
    return total === 0 ? null : { below, total };
  }

  /** Share of non-zero samples of a rate metric; null without samples. */
  rate(metric: string, filter: SeriesFilter = {}): { value: number; total: number; nonZero: number } | null {
    let total = 0;
    let nonZero = 0;
    for (const s of this.matching(metric, filter)) {
      if (s.type !== 'rate') continue;
      total += s.total;
      nonZero += s.nonZero;
    }
    return total === 0 ? null : { value: nonZero / total, total, nonZero };
  }

  /** Sum of a counter over the matching series. */
  count(metric: string, filter: SeriesFilter = {}): number {
    let sum = 0;
    for (const s of this.matching(metric, filter)) if (s.type === 'counter') sum += s.sum;
    return sum;
  }
}

/** Adds the exact below-threshold counts of `other` to `mine`; a threshold only one of them watched is dropped (no longer exact). */
function mergeWatched(mine: TrendSeries, other: TrendSeries): void {
  if (!mine.watched) return;
  if (!other.watched) {
    if (other.histogram.totalCount > 0) mine.watched = undefined;
    return;
  }
  const thresholds: number[] = [];
  const below: number[] = [];
  mine.watched.thresholds.forEach((t, k) => {
    const j = other.watched!.thresholds.indexOf(t);
    if (j === -1) return;
    thresholds.push(t);
    below.push(mine.watched!.below[k] + other.watched!.below[j]);
  });
  mine.watched = { thresholds, below };
}
