// The guards of a running drill: every second, each guard past its grace period takes a reading —
// its window from the live aggregators, a PromQL instant query, or an HTTP probe — judged by
// src/judge/guard.ts. The first reading that trips calls `onTrip` once; nothing is read after it.
// Every reading is kept for the evidence (guards.ndjson).
import http from 'node:http';
import https from 'node:https';
import { judgeHttp, judgePrometheus, judgeWindow, windowSeconds, type GuardReading, type HttpProbe, type WindowFigures } from '../judge/guard.ts';
import type { MetricsAggregator } from '../metrics/aggregate.ts';
import { guardKind, type Guard, type GuardWindow } from '../schema/guards.ts';
import { instantQuery, type PromEndpoint } from '../targets/promql.ts';

/** How often every guard is read. */
export const GUARD_INTERVAL_MS = 1000;

/** One reading of one guard: a line of guards.ndjson. */
export interface GuardEvaluation {
  guard: string;
  kind: 'window' | 'prometheus' | 'http';
  /** ms after t0 */
  atMs: number;
  tripped: boolean;
  observed: string;
  value: number | null;
  /** the reading could not be taken (Prometheus did not answer, refused the query) */
  error?: string;
}

export interface GuardWatchOptions {
  guards: readonly Guard[];
  timeScale: number;
  /** epoch ms of t = 0, once the load is planned */
  t0(): number | null;
  /** false once the load has ended: nothing is read after it */
  running(): boolean;
  /** the live aggregators (one per k6 process) */
  metrics(): readonly MetricsAggregator[];
  /** the drill's Prometheus, when it has one */
  prometheus(): PromEndpoint | null;
  /** the target's entry URL, for http guards given a path */
  entryUrl(): string | null;
  onTrip(evaluation: GuardEvaluation): void;
  log(line: string): void;
}

/** A window's figures over every aggregator: counts added; a latency percentile is the worst aggregator's (exact with one k6 process). */
export function windowFigures(metrics: readonly MetricsAggregator[], w: GuardWindow, nowMs: number): WindowFigures {
  const { fromSecond, toSecond } = windowSeconds(nowMs, w.over);
  const out: WindowFigures = { total: 0, failed: 0, durations: 0, percentileMs: null };
  for (const m of metrics) {
    const s = m.windows.summary({ request: w.request, fromSecond, toSecond, percentiles: w.metric === 'latency' ? [w.percentile] : [] });
    if (!s) continue;
    out.total += s.total;
    out.failed += s.failed;
    out.durations += s.durations;
    const p = s.percentiles?.[0];
    if (p !== undefined && (out.percentileMs === null || p > out.percentileMs)) out.percentileMs = p;
  }
  return out;
}

/**
 * GET `url` on a connection of its own (a pooled keep-alive socket the server has just closed
 * would read as the server gone), with a deadline of `timeoutMs`: status and time, or why there
 * was no answer.
 */
export function probeHttp(url: string, timeoutMs: number): Promise<HttpProbe> {
  const started = performance.now();
  const took = () => performance.now() - started;
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    let req: http.ClientRequest;
    try {
      req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
        res.resume();
        res.once('end', () => resolve({ url, status: res.statusCode ?? null, ms: took() }));
        res.once('error', (err) => resolve({ url, status: null, ms: took(), error: err.message }));
      });
    } catch (err) {
      return resolve({ url, status: null, ms: took(), error: err instanceof Error ? err.message : String(err) });
    }
    req.once('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'timed out' })));
    req.once('error', (err: NodeJS.ErrnoException) => resolve({ url, status: null, ms: took(), error: err.code ?? err.message }));
  });
}

export class GuardWatch {
  readonly evaluations: GuardEvaluation[] = [];
  private timer: NodeJS.Timeout | null = null;
  private tripped = false;
  private readonly busy = new Set<string>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly o: GuardWatchOptions) {}

  start(): void {
    if (this.o.guards.length === 0) return;
    this.timer = setInterval(() => void this.tick(), GUARD_INTERVAL_MS);
  }

  /** No more readings; the ones under way finish (their results are kept, none trips). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.tripped = true;
    await Promise.allSettled([...this.pending]);
  }

  /** One round: each guard past its grace (and not still reading) takes a reading; resolves once they are recorded. */
  async tick(): Promise<void> {
    const t0 = this.o.t0();
    if (t0 === null || this.tripped || !this.o.running()) return;
    const now = Date.now();
    const round: Promise<void>[] = [];
    for (const g of this.o.guards) {
      if (now - t0 < g.gracePeriod * this.o.timeScale || this.busy.has(g.name)) continue;
      this.busy.add(g.name);
      const p = this.read(g, now)
        .then((r) => this.record(g, now - t0, r))
        .finally(() => {
          this.busy.delete(g.name);
          this.pending.delete(p);
        });
      this.pending.add(p);
      round.push(p);
    }
    await Promise.allSettled(round);
  }

  private async read(g: Guard, now: number): Promise<GuardReading & { error?: string }> {
    if (g.window) return judgeWindow(g.window, windowFigures(this.o.metrics(), g.window, now));
    if (g.prometheus) {
      const endpoint = this.o.prometheus();
      if (!endpoint) return { tripped: false, observed: 'no Prometheus to ask', value: null, error: 'the drill has no telemetry.prometheus running' };
      const answer = await instantQuery(endpoint, g.prometheus.query, now);
      if (!answer.ok) return { tripped: false, observed: `${g.prometheus.query}: not read`, value: null, error: answer.message };
      return judgePrometheus(g.prometheus, answer.series);
    }
    const h = g.http!;
    const url = h.url ?? `${this.o.entryUrl() ?? ''}${h.path}`;
    // a probe that does not answer within twice the bound has failed it either way
    return judgeHttp(h, await probeHttp(url, Math.max(2 * h.within, 500)));
  }

  private record(g: Guard, atMs: number, r: GuardReading & { error?: string }): void {
    // a reading that comes back once the watch stopped, a guard tripped or the load ended trips nothing
    const late = this.tripped || !this.o.running();
    const evaluation: GuardEvaluation = { guard: g.name, kind: guardKind(g), atMs, tripped: r.tripped && !late, observed: r.observed, value: r.value, ...(r.error ? { error: r.error } : {}) };
    this.evaluations.push(evaluation);
    if (r.error && !this.evaluations.some((e) => e !== evaluation && e.guard === g.name && e.error)) this.o.log(`warning: guard ${g.name} could not be read: ${r.error}`);
    if (!evaluation.tripped) return;
    this.tripped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.o.onTrip(evaluation);
  }
}
