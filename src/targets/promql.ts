// The PromQL HTTP API client the SLOs, probes and guards use (managed Prometheus or the team's
// own): range and instant queries, with Prometheus' own error message kept for the user, and
// "unreachable" told apart from "the query is wrong".
export interface PromEndpoint {
  /** http://127.0.0.1:9090 (no trailing /api) */
  url: string;
  /** resolved header values (env: references resolved by the caller) */
  headers?: Record<string, string>;
  /** default 5000 ms */
  timeoutMs?: number;
}

export interface PromSeries {
  labels: Record<string, string>;
  /** [unix ms, value]; NaN/Inf kept as numbers */
  points: [number, number][];
}

export type PromAnswer =
  | { ok: true; series: PromSeries[] }
  /** bad_data: PromQL syntax or a bad parameter; unreachable: no answer; http: any other failure */
  | { ok: false; kind: 'bad_data' | 'unreachable' | 'http'; message: string };

interface ApiBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: { metric?: Record<string, string>; values?: [number, string][]; value?: [number, string] }[] };
}

async function call(ep: PromEndpoint, apiPath: string, params: Record<string, string>): Promise<PromAnswer> {
  const base = ep.url.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}${apiPath}`, {
      method: 'POST',
      headers: { ...ep.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(ep.timeoutMs ?? 5000),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return { ok: false, kind: 'unreachable', message: `Prometheus at ${base} did not answer (${err instanceof Error ? err.message : String(err)}${cause})` };
  }
  let body: ApiBody;
  try {
    body = (await res.json()) as ApiBody;
  } catch {
    return { ok: false, kind: 'http', message: `Prometheus at ${base} answered HTTP ${res.status} without a JSON body` };
  }
  if (body.status !== 'success') {
    const kind = body.errorType === 'bad_data' ? 'bad_data' : 'http';
    return { ok: false, kind, message: body.error ?? `HTTP ${res.status}` };
  }
  const result = body.data?.result ?? [];
  const series = result.map((r) => ({
    labels: r.metric ?? {},
    points: (r.values ?? (r.value ? [r.value] : [])).map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]),
  }));
  return { ok: true, series };
}

/** query_range from startMs to endMs (inclusive) at stepMs. */
export function rangeQuery(ep: PromEndpoint, query: string, startMs: number, endMs: number, stepMs: number): Promise<PromAnswer> {
  return call(ep, '/api/v1/query_range', {
    query,
    start: (startMs / 1000).toFixed(3),
    end: (endMs / 1000).toFixed(3),
    step: String(Math.max(1, Math.round(stepMs)) / 1000),
  });
}

/** Instant query at atMs (default now). */
export function instantQuery(ep: PromEndpoint, query: string, atMs?: number): Promise<PromAnswer> {
  return call(ep, '/api/v1/query', { query, ...(atMs !== undefined ? { time: (atMs / 1000).toFixed(3) } : {}) });
}

/**
 * Asks the server whether `query` parses (an instant query at the epoch start costs no data). Null
 * when it does; Prometheus' own message when it does not; `unreachable` when nobody answered.
 */
export async function checkQuery(ep: PromEndpoint, query: string): Promise<null | { kind: 'bad_data' | 'unreachable' | 'http'; message: string }> {
  const r = await instantQuery(ep, query, 0);
  return r.ok ? null : { kind: r.kind, message: r.message };
}
