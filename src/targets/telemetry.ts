// Collects the telemetry a drill's PromQL SLOs read, after the load has ended: one range query per
// request, every answer kept (errors included) as a TelemetryRecord for telemetry.ndjson. Header
// values "env:NAME" are resolved here, at the edge, and never recorded.
import type { TelemetryRecord } from '../schema/telemetry.ts';
import { rangeQuery, type PromEndpoint } from './promql.ts';

export interface TelemetryRequest {
  /** the SLO (probe, guard) asking */
  for: string;
  query: string;
  startMs: number;
  endMs: number;
  stepMs: number;
}

/** headers with "env:NAME" values read from `env`; a missing variable is an error naming it. */
export function resolveHeaders(headers: Record<string, string>, env: Record<string, string | undefined> = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([k, v]) => {
      if (!v.startsWith('env:')) return [k, v];
      const name = v.slice(4);
      const value = env[name];
      if (value === undefined) throw new Error(`telemetry.prometheus.headers.${k}: environment variable ${name} is not set (set it, or give the value literally)`);
      return [k, value];
    }),
  );
}

/** One range query per request, in order; Prometheus' answer (or failure) recorded for each. */
export async function collectTelemetry(endpoint: PromEndpoint, requests: readonly TelemetryRequest[]): Promise<TelemetryRecord[]> {
  const records: TelemetryRecord[] = [];
  for (const r of requests) {
    const answer = await rangeQuery(endpoint, r.query, r.startMs, r.endMs, r.stepMs);
    records.push({
      for: r.for,
      query: r.query,
      server: endpoint.url,
      startMs: r.startMs,
      endMs: r.endMs,
      stepMs: r.stepMs,
      status: answer.ok ? 'ok' : answer.kind,
      ...(answer.ok ? {} : { error: answer.message }),
      series: answer.ok ? answer.series : [],
    });
  }
  return records;
}
