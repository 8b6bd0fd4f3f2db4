// Streaming aggregation of k6's NDJSON output: per metric × phase × request, an HDR
// histogram for trends and counters for rates and counts; per second, request and failure
// counts. Memory grows with the number of series and seconds, never with the samples.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export type MetricType = 'trend' | 'rate' | 'counter' | 'gauge';

/** Trend values are recorded in thousandths of their unit (µs for k6's ms). */
const TREND_RESOLUTION = 1000;

export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 36, numberOfSignificantValueDigits: 3, autoResize: true });
}

interface SeriesTags {
  metric: string;
  phase: string;
  request: string;
}

export interface TrendSeries extends SeriesTags {
  type: 'trend';
  histogram: Histogram;
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
  last: number;
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
  /** lines that were not valid JSON or not k6 output */
  corrupt: number;
  firstSampleMs: number | null;
  lastSampleMs: number | null;
}

export class MetricsAggregator {
  readonly types = new Map<string, MetricType>();
  readonly series = new Map<string, Series>();
  readonly seconds = new Map<number, SecondBucket>();
  readonly stats: IngestStats = { lines: 0, points: 0, corrupt: 0, firstSampleMs: null, lastSampleMs: null };

  /** One line of `k6 run --out json=...`. Never throws: a bad line is counted. */
  ingestLine(line: string): void {
    if (line.length === 0) return;
    this.stats.lines++;
    let entry: { type?: string; metric?: string; data?: { type?: string; time?: string; value?: number; tags?: Record<string, string> } };
    try {
      entry = JSON.parse(line);
    } catch {
      this.stats.corrupt++;
      return;
    }
    const data = entry?.data;
    if (entry?.type === 'Metric' && data?.type && typeof entry.metric === 'string') {
      this.types.set(entry.metric, data.type as MetricType);
      return;
    }
    if (entry?.type !== 'Point' || typeof entry.metric !== 'string' || typeof data?.value !== 'number' || typeof data.time !== 'string') {
      this.stats.corrupt++;
      return;
    }
    this.addPoint(entry.metric, data.value, data.time, data.tags ?? {});
  }

  addPoint(metric: string, value: number, time: string, tags: Record<string, string>): void {
    this.stats.points++;
    const type = this.types.get(metric) ?? 'counter';
    const phase = tags.phase ?? '';
    const request = tags.request ?? '';
    const key = `${metric}\u0000${phase}\u0000${request}`;
    let s = this.series.get(key);
    if (!s) {
      s =
        type === 'trend'
          ? { type, metric, phase, request, histogram: newHistogram() }
          : type === 'rate'
            ? { type, metric, phase, request, total: 0, nonZero: 0 }
            : { type, metric, phase, request, sum: 0, count: 0, last: 0 };
      this.series.set(key, s);
    }
    if (s.type === 'trend') s.histogram.recordValue(Math.max(0, Math.round(value * TREND_RESOLUTION)));
    else if (s.type === 'rate') {
      s.total++;
      if (value !== 0) s.nonZero++;
    } else {
      s.sum += value;
      s.count++;
      s.last = value;
    }
    if (metric === 'http_reqs' || metric === 'http_req_failed') {
      const ms = Date.parse(time);
      if (!Number.isNaN(ms)) {
        if (this.stats.firstSampleMs === null || ms < this.stats.firstSampleMs) this.stats.firstSampleMs = ms;
        if (this.stats.lastSampleMs === null || ms > this.stats.lastSampleMs) this.stats.lastSampleMs = ms;
        const second = Math.floor(ms / 1000);
        let bucket = this.seconds.get(second);
        if (!bucket) this.seconds.set(second, (bucket = { requests: 0, failed: 0 }));
        if (metric === 'http_reqs') bucket.requests += value;
        else if (value !== 0) bucket.failed++;
      }
    }
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

  /** Percentile of a trend over the matching series, in the metric's unit; null without samples. */
  trendPercentile(metric: string, percentile: number, filter: SeriesFilter = {}): { value: number; count: number } | null {
    const merged = newHistogram();
    for (const s of this.matching(metric, filter)) if (s.type === 'trend') merged.add(s.histogram);
    if (merged.totalCount === 0) return null;
    return { value: merged.getValueAtPercentile(percentile) / TREND_RESOLUTION, count: merged.totalCount };
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
