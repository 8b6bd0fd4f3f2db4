// Per-second windows per request: request and failure counts and an HDR histogram of
// http_req_duration for each epoch second of the run, so that SLIs can be judged window by
// window (recovery time, burn-rate alerts, the report's charts).
//
// Memory is bounded by seconds × requests, never by samples: the few most recent windows keep a
// live histogram; older ones are stored in HdrHistogram's compressed encoding (a few hundred
// bytes) and decoded again when asked for, or when a late sample arrives for them.
import type { Histogram } from 'hdr-histogram-js';
import { decodeHistogram, encodeHistogram, newHistogram, TREND_RESOLUTION } from './histogram.ts';

/** Windows this many seconds behind the newest one are compacted. */
const LIVE_SECONDS = 5;
/** Compaction runs when this many windows hold a live histogram. */
const LIVE_LIMIT = 64;

export interface RequestWindow {
  second: number;
  request: string;
  /** sum of http_reqs */
  requests: number;
  /** http_req_failed samples */
  total: number;
  /** http_req_failed samples that were non-zero */
  failed: number;
  /** http_req_duration samples */
  durations: number;
  /** live histogram of http_req_duration (µs), or null when compacted or empty */
  live: Histogram | null;
  /** compacted histogram, or null when live or empty */
  encoded: string | null;
}

/** One second, over the requests asked for. */
export interface WindowPoint {
  /** epoch second */
  second: number;
  requests: number;
  total: number;
  failed: number;
  /** failed / total; null without http_req_failed samples */
  errorRate: number | null;
  durations: number;
  /** the asked percentiles of http_req_duration in ms, in order; null without samples */
  percentiles: number[] | null;
}

export interface WindowQuery {
  request?: string;
  /** epoch seconds, inclusive */
  fromSecond?: number;
  toSecond?: number;
  /** percentiles of http_req_duration to compute per window (none: counts only, fast) */
  percentiles?: readonly number[];
}

export class WindowStore {
  /** epoch second → request → window */
  readonly bySecond = new Map<number, Map<string, RequestWindow>>();
  private readonly liveWindows = new Set<RequestWindow>();
  private readonly pool: Histogram[] = [];
  private newestSecond = -Infinity;
  private last: RequestWindow | null = null;

  /** The window of `request` at `second`, created when missing. */
  window(second: number, request: string): RequestWindow {
    const last = this.last;
    if (last !== null && last.second === second && last.request === request) return last;
    let perRequest = this.bySecond.get(second);
    if (!perRequest) this.bySecond.set(second, (perRequest = new Map()));
    let w = perRequest.get(request);
    if (!w) {
      w = { second, request, requests: 0, total: 0, failed: 0, durations: 0, live: null, encoded: null };
      perRequest.set(request, w);
    }
    this.last = w;
    return w;
  }

  addRequests(second: number, request: string, count: number): void {
    this.window(second, request).requests += count;
  }

  addFailed(second: number, request: string, failed: boolean): void {
    const w = this.window(second, request);
    w.total++;
    if (failed) w.failed++;
  }

  /** Records one http_req_duration, already in histogram units (µs). */
  recordDuration(second: number, request: string, recorded: number): void {
    const w = this.window(second, request);
    this.liveHistogram(w).recordValue(recorded);
    w.durations++;
    if (second > this.newestSecond) {
      this.newestSecond = second;
      if (this.liveWindows.size > LIVE_LIMIT) this.compact(second - LIVE_SECONDS);
    }
  }

  private liveHistogram(w: RequestWindow): Histogram {
    if (w.live) return w.live;
    if (w.encoded !== null) {
      w.live = decodeHistogram(w.encoded);
      w.encoded = null;
    } else {
      const pooled = this.pool.pop();
      w.live = pooled ?? newHistogram();
    }
    this.liveWindows.add(w);
    return w.live;
  }

  /** Compacts every live window older than `beforeSecond` (all of them without an argument). */
  compact(beforeSecond = Infinity): void {
    for (const w of this.liveWindows) {
      if (w.second >= beforeSecond || !w.live) continue;
      w.encoded = encodeHistogram(w.live);
      w.live.reset();
      this.pool.push(w.live);
      w.live = null;
      this.liveWindows.delete(w);
    }
  }

  /** A histogram of the window's durations to read (never record into it): the live one or a decoded copy. */
  private readHistogram(w: RequestWindow): Histogram | null {
    if (w.live) return w.live;
    if (w.encoded !== null) return decodeHistogram(w.encoded);
    return null;
  }

  /** Adds every window of `other` to this store (exact: histograms are added bin by bin). */
  merge(other: WindowStore): void {
    for (const perRequest of other.bySecond.values()) {
      for (const o of perRequest.values()) {
        const w = this.window(o.second, o.request);
        w.requests += o.requests;
        w.total += o.total;
        w.failed += o.failed;
        const h = other.readHistogram(o);
        if (h && o.durations > 0) {
          this.liveHistogram(w).add(h);
          w.durations += o.durations;
        }
        if (o.second > this.newestSecond) this.newestSecond = o.second;
      }
    }
    this.compact(this.newestSecond - LIVE_SECONDS);
  }

  /** Epoch seconds that have a window, ascending. */
  seconds(): number[] {
    return [...this.bySecond.keys()].sort((a, b) => a - b);
  }

  /** Requests that have a window. */
  requests(): string[] {
    const out = new Set<string>();
    for (const perRequest of this.bySecond.values()) for (const r of perRequest.keys()) out.add(r);
    return [...out].sort();
  }

  /**
   * One point per second that has samples of the asked request(s), ascending. Seconds without
   * any sample are absent: the caller decides what a gap means.
   */
  series(query: WindowQuery = {}): WindowPoint[] {
    const percentiles = query.percentiles ?? [];
    const from = query.fromSecond ?? -Infinity;
    const to = query.toSecond ?? Infinity;
    const out: WindowPoint[] = [];
    const scratch = percentiles.length ? newHistogram() : null;
    for (const second of this.seconds()) {
      if (second < from || second > to) continue;
      const perRequest = this.bySecond.get(second)!;
      const windows = query.request === undefined ? [...perRequest.values()] : perRequest.has(query.request) ? [perRequest.get(query.request)!] : [];
      if (windows.length === 0) continue;
      const point: WindowPoint = { second, requests: 0, total: 0, failed: 0, errorRate: null, durations: 0, percentiles: null };
      for (const w of windows) {
        point.requests += w.requests;
        point.total += w.total;
        point.failed += w.failed;
        point.durations += w.durations;
      }
      if (point.requests === 0 && point.total === 0 && point.durations === 0) continue;
      point.errorRate = point.total > 0 ? point.failed / point.total : null;
      if (scratch && point.durations > 0) {
        let h: Histogram | null;
        if (windows.length === 1) h = this.readHistogram(windows[0]);
        else {
          scratch.reset();
          for (const w of windows) {
            const wh = this.readHistogram(w);
            if (wh) scratch.add(wh);
          }
          h = scratch;
        }
        if (h && h.totalCount > 0) point.percentiles = percentiles.map((p) => h!.getValueAtPercentile(p) / TREND_RESOLUTION);
      }
      out.push(point);
    }
    return out;
  }

  /**
   * The seconds of a range taken together (counts summed, histograms merged): e.g. the first and
   * the last tenth of a soak. null when the range has no sample of the asked request(s).
   */
  summary(query: WindowQuery = {}): Omit<WindowPoint, 'second'> | null {
    const percentiles = query.percentiles ?? [];
    const from = query.fromSecond ?? -Infinity;
    const to = query.toSecond ?? Infinity;
    const merged = newHistogram();
    const out: Omit<WindowPoint, 'second'> = { requests: 0, total: 0, failed: 0, errorRate: null, durations: 0, percentiles: null };
    let any = false;
    for (const second of this.seconds()) {
      if (second < from || second > to) continue;
      const perRequest = this.bySecond.get(second)!;
      const windows = query.request === undefined ? [...perRequest.values()] : perRequest.has(query.request) ? [perRequest.get(query.request)!] : [];
      for (const w of windows) {
        any = true;
        out.requests += w.requests;
        out.total += w.total;
        out.failed += w.failed;
        out.durations += w.durations;
        const h = percentiles.length ? this.readHistogram(w) : null;
        if (h) merged.add(h);
      }
    }
    if (!any) return null;
    out.errorRate = out.total > 0 ? out.failed / out.total : null;
    if (percentiles.length && merged.totalCount > 0) out.percentiles = percentiles.map((p) => merged.getValueAtPercentile(p) / TREND_RESOLUTION);
    return out;
  }

  /** Windows holding a live histogram now (for tests and the benchmark). */
  get liveCount(): number {
    return this.liveWindows.size;
  }
}
