// Readings of the SUT's own metrics during a drill (backlog-drain SLOs): each metric polled from
// the SUT's metrics endpoint — JSON ({"backlog": 12}) or Prometheus text (backlog 12) — written to
// sut_metrics.ndjson as it is read, and kept as series (ms after t0) for the verdicts.
import fs from 'node:fs';
import type { MetricPoint } from '../judge/context.ts';

export interface SutMetricTarget {
  path: string;
  metric: string;
}

/**
 * The value of `metric` in a metrics document: a top-level number of a JSON object, or the sum of
 * the Prometheus samples of that name (any labels). null when absent or not a number.
 */
export function readMetric(body: string, metric: string): number | null {
  const text = body.trimStart();
  if (text.startsWith('{')) {
    try {
      const value = (JSON.parse(text) as Record<string, unknown>)[metric];
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    } catch {
      return null;
    }
  }
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== metric) continue;
    const v = Number(m[3]);
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}

export interface SutMetricsPoller {
  /** stops polling; the series read so far, metric → points */
  stop(): Promise<Record<string, MetricPoint[]>>;
}

/**
 * Polls every target every `intervalMs` from the first base URL that answers (the replicas
 * directly, not through the fault proxies: a fault must not hide the backlog). Bounded: stops
 * itself after `maxDurationMs`.
 */
export function pollSutMetrics(o: { targets: readonly SutMetricTarget[]; baseUrls: () => string[]; t0: number; intervalMs: number; maxDurationMs: number; file: string }): SutMetricsPoller {
  const series: Record<string, MetricPoint[]> = Object.fromEntries(o.targets.map((t) => [t.metric, []]));
  if (o.targets.length === 0) return { stop: async () => series };
  const out = fs.openSync(o.file, 'a');
  const byPath = new Map<string, SutMetricTarget[]>();
  for (const t of o.targets) byPath.set(t.path, [...(byPath.get(t.path) ?? []), t]);
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const readOnce = async () => {
    for (const [p, targets] of byPath) {
      for (const base of o.baseUrls()) {
        let body: string;
        try {
          const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(Math.max(200, o.intervalMs)) });
          body = await res.text();
          if (!res.ok) continue;
        } catch {
          continue;
        }
        const timeMs = Date.now() - o.t0;
        for (const t of targets) {
          const value = readMetric(body, t.metric);
          if (value === null) continue;
          series[t.metric].push({ timeMs, value });
          fs.writeSync(out, `${JSON.stringify({ time: new Date(o.t0 + timeMs).toISOString(), timeMs, metric: t.metric, value, from: `${base}${p}` })}\n`);
        }
        break;
      }
    }
  };
  const deadline = Date.now() + o.maxDurationMs;
  const timer = setInterval(() => {
    if (stopped || Date.now() > deadline) return;
    running = running.then(readOnce);
  }, o.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      fs.closeSync(out);
      return series;
    },
  };
}
