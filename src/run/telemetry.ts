// The drill's telemetry at run time, in two entry points the run calls:
//   startDrillTelemetry  — once the target's replicas are up: starts the managed Prometheus
//                          (scraping every replica) or checks the team's own (loopback unless
//                          allowRemote) and that every kind: prometheus query parses;
//   finishDrillTelemetry — after the load, faults reverted: asks each SLO's range query over its
//                          window, writes telemetry.ndjson, stops the managed Prometheus, and
//                          returns the records for SloContext.telemetry plus the problems that
//                          make the run invalid (unreachable server, PromQL error).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isLoopbackUrl } from '../platform/loopback.ts';
import { OWNER_ENV, ownerMarker } from '../platform/processes.ts';
import { prometheusSloWindow, type RunWindows } from '../judge/prometheus-slo.ts';
import type { Drill } from '../schema/drill.ts';
import { TELEMETRY_FILE, type PrometheusSlo, type TelemetryRecord } from '../schema/telemetry.ts';
import { startPrometheus, type ManagedPrometheus } from '../targets/prometheus.ts';
import { checkQuery, type PromEndpoint } from '../targets/promql.ts';
import { collectTelemetry, resolveHeaders, type TelemetryRequest } from '../targets/telemetry.ts';

export interface DrillTelemetry {
  endpoint: PromEndpoint;
  managed: ManagedPrometheus | null;
  /** ms to wait after the load so the last window is scraped */
  settleMs: number;
}

export interface TelemetryProblem {
  code: 'telemetry-unreachable' | 'telemetry-query-invalid' | 'telemetry-error';
  message: string;
}

function promSlos(drill: Drill): PrometheusSlo[] {
  return drill.slos.filter((s): s is PrometheusSlo => s.kind === 'prometheus');
}

/** Every PromQL expression of the drill, where it is (slos[i].query, probes[i].prometheus.query) and whose it is. */
function promQueries(drill: Drill): { at: string; name: string; query: string }[] {
  return [
    ...drill.slos.flatMap((s, i) => (s.kind === 'prometheus' ? [{ at: `slos[${i}].query`, name: `slos.${s.name}.query`, query: s.query }] : [])),
    ...drill.probes.flatMap((p, i) => (p.prometheus ? [{ at: `probes[${i}].prometheus.query`, name: `probes.${p.name}.prometheus.query`, query: p.prometheus.query }] : [])),
    ...drill.guards.flatMap((g, i) => (g.prometheus ? [{ at: `guards[${i}].prometheus.query`, name: `guards.${g.name}.prometheus.query`, query: g.prometheus.query }] : [])),
  ];
}


/**
 * Null when the drill reads no Prometheus. Throws (a problem for the run: it is invalid) when the
 * server is remote without allowRemote, unreachable, or refuses a query of an SLO.
 */
export async function startDrillTelemetry(
  drill: Drill,
  o: { replicas: readonly { port: number; name?: string; zone?: string }[]; env?: Record<string, string> },
): Promise<DrillTelemetry | null> {
  const spec = drill.telemetry?.prometheus;
  if (!spec) {
    if (promSlos(drill).length) throw new Error('kind: prometheus SLOs need telemetry.prometheus in the drill: { managed: true } or { url: ... }');
    return null;
  }
  let telemetry: DrillTelemetry;
  if ('managed' in spec) {
    // its TSDB lives outside the run's scratch dir (removed before the queries are asked) and the evidence
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-prometheus-'));
    const started = await startPrometheus({
      dir,
      // the owner marker: if this run is killed, the next run's sweep (or gameday cleanup) kills it
      env: { [OWNER_ENV]: ownerMarker(), ...o.env },
      scrapeIntervalMs: spec.scrapeInterval,
      targets: o.replicas.map((r, i) => ({ address: `127.0.0.1:${r.port}`, metricsPath: spec.metricsPath, labels: { instance_name: r.name ?? `replica-${i}`, ...(r.zone ? { instance_zone: r.zone } : {}) } })),
    });
    const managed = { ...started, stop: () => started.stop().finally(() => fs.rmSync(dir, { recursive: true, force: true })) };
    telemetry = { endpoint: { url: managed.url }, managed, settleMs: 2 * spec.scrapeInterval + 250 };
    try {
      await managed.waitForTargets();
    } catch (err) {
      await managed.stop();
      throw err;
    }
  } else {
    if (!isLoopbackUrl(spec.url) && !drill.allowRemote) throw new Error(`telemetry.prometheus.url ${spec.url} is not on loopback: add allowRemote: { reason: ... } to the drill to read it`);
    telemetry = { endpoint: { url: spec.url, headers: resolveHeaders(spec.headers) }, managed: null, settleMs: 0 };
  }
  for (const q of promQueries(drill)) {
    const problem = await checkQuery(telemetry.endpoint, q.query);
    if (problem) {
      await telemetry.managed?.stop();
      throw new Error(problem.kind === 'bad_data' ? `${q.name} ${JSON.stringify(q.query)}: Prometheus says: ${problem.message}` : problem.message);
    }
  }
  return telemetry;
}

/** The run's windows in epoch ms from the plan's (ms after t0), the faults' revert times, and when the load ended. Pure. */
export function runWindows(
  t0: number,
  phases: readonly { phase: string; startMs: number; endMs: number }[],
  faults: Readonly<Record<string, { revertedAtMs: number | null }>>,
  totalMs: number,
  endedAtMs: number,
): RunWindows {
  const runEndMs = Math.max(t0, Math.min(t0 + totalMs, endedAtMs));
  return {
    runStartMs: t0,
    runEndMs,
    phases: phases.filter((p) => t0 + p.startMs < runEndMs).map((p) => ({ phase: p.phase, startMs: t0 + p.startMs, endMs: Math.min(t0 + p.endMs, runEndMs) })),
    revertedAtMs: Object.fromEntries(Object.entries(faults).flatMap(([name, f]) => (f.revertedAtMs === null ? [] : [[name, t0 + f.revertedAtMs]]))),
  };
}

/** Stops the managed Prometheus when the run ends before finishDrillTelemetry could (idempotent). */
export async function stopDrillTelemetry(telemetry: DrillTelemetry | null): Promise<void> {
  await telemetry?.managed?.stop();
}

/** The range query each kind: prometheus SLO asks, and why an SLO has no window. Pure. */
export function telemetryRequests(drill: Drill, w: RunWindows): { requests: TelemetryRequest[]; windowProblems: Record<string, string> } {
  const requests: TelemetryRequest[] = [];
  const windowProblems: Record<string, string> = {};
  for (const slo of promSlos(drill)) {
    const win = prometheusSloWindow(slo, w);
    if ('missing' in win) windowProblems[slo.name] = win.missing;
    else requests.push({ for: slo.name, query: slo.query, startMs: win.startMs, endMs: win.endMs, stepMs: slo.step });
  }
  return { requests, windowProblems };
}

/** Collects, writes runDir/telemetry.ndjson, stops the managed Prometheus (always). */
export async function finishDrillTelemetry(
  drill: Drill,
  telemetry: DrillTelemetry,
  w: RunWindows,
  runDir: string,
): Promise<{ records: TelemetryRecord[]; windowProblems: Record<string, string>; problems: TelemetryProblem[] }> {
  try {
    // the last window scraped: the managed Prometheus says when (a scrape after the end, within a
    // scrape interval); the team's is given settleMs
    const wait = w.runEndMs + telemetry.settleMs - Date.now();
    if (telemetry.managed) await telemetry.managed.waitScrapedSince(w.runEndMs, Math.max(0, wait));
    else if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { requests, windowProblems } = telemetryRequests(drill, w);
    const records = await collectTelemetry(telemetry.endpoint, requests);
    fs.writeFileSync(path.join(runDir, TELEMETRY_FILE), records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
    const problems: TelemetryProblem[] = records
      .filter((r) => r.status !== 'ok')
      .map((r) => ({
        code: r.status === 'unreachable' ? 'telemetry-unreachable' : r.status === 'bad_data' ? 'telemetry-query-invalid' : 'telemetry-error',
        message: r.status === 'bad_data' ? `slos.${r.for}.query ${JSON.stringify(r.query)}: Prometheus says: ${r.error}` : `slo ${r.for}: ${r.error}`,
      }));
    return { records, windowProblems, problems };
  } finally {
    await telemetry.managed?.stop();
  }
}

/**
 * `gameday validate`: every kind: prometheus query (and prometheus guard's) checked by Prometheus' own parser — the team's
 * server when it answers, or for `managed: true` a Prometheus started for the check (no targets)
 * and stopped. "deferred" when the team's server does not answer: the run checks again.
 */
export async function checkDrillQueries(drill: Drill, file: string): Promise<{ status: 'none' | 'checked' | 'deferred'; problems: string[]; note?: string }> {
  const spec = drill.telemetry?.prometheus;
  const queries = promQueries(drill);
  if (!spec || queries.length === 0) return { status: 'none', problems: [] };
  let endpoint: PromEndpoint;
  let managed: ManagedPrometheus | null = null;
  let dir: string | null = null;
  if ('managed' in spec) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-prometheus-check-'));
    managed = await startPrometheus({ dir, targets: [] });
    endpoint = { url: managed.url };
  } else {
    let headers: Record<string, string>;
    try {
      headers = resolveHeaders(spec.headers);
    } catch (err) {
      return { status: 'deferred', problems: [], note: `${err instanceof Error ? err.message : String(err)}; the queries are checked when the drill runs` };
    }
    endpoint = { url: spec.url, headers };
  }
  try {
    const problems: string[] = [];
    for (const q of queries) {
      const problem = await checkQuery(endpoint, q.query);
      if (problem?.kind === 'unreachable') return { status: 'deferred', problems: [], note: `${problem.message}: the PromQL queries are checked when the drill runs` };
      if (problem) problems.push(`${file}: ${q.at} ${JSON.stringify(q.query)}: Prometheus says: ${problem.message} (fix the PromQL expression)`);
    }
    return { status: 'checked', problems };
  } finally {
    await managed?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
