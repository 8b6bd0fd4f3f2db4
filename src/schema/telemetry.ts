// The drill's telemetry vocabulary: which Prometheus it reads (`telemetry.prometheus`), PromQL SLOs
// (`kind: prometheus`) and the records the run keeps of every query it asked (telemetry.ndjson).
// The SLO shape is standalone here so it can join the Slo union in drill.ts in one line.
import { z } from 'zod';
import { Duration } from './duration.ts';
import { FaultRef } from './partner-outages.ts';

// the timeline's phases, as PHASES in drill.ts (which imports this file; a test keeps them equal)
export const TELEMETRY_PHASES = ['steady', 'fault', 'recovery'] as const;
const Phase = z.enum(TELEMETRY_PHASES);

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, e.g. "server-5xx-ratio"');

/** A header value given literally or read from the environment at run time: "env:GRAFANA_TOKEN". */
const HeaderValue = z.string().min(1);

/** gameday runs a Prometheus scraping every replica of the target, or reads the team's own. */
export const TelemetryPrometheus = z.union([
  z.strictObject({
    managed: z.literal(true),
    /** default 1s */
    scrapeInterval: Duration.default(1000),
    /** default /metrics */
    metricsPath: z.string().startsWith('/').default('/metrics'),
  }),
  z.strictObject({
    url: z.url({ message: 'give the Prometheus base URL, e.g. "http://127.0.0.1:9090"' }),
    /** values may be "env:NAME" (read at run time, never written to the evidence) */
    headers: z.record(z.string(), HeaderValue).default({}),
  }),
]);
export type TelemetryPrometheus = z.infer<typeof TelemetryPrometheus>;

export const Telemetry = z.strictObject({ prometheus: TelemetryPrometheus.optional() });
export type Telemetry = z.infer<typeof Telemetry>;

export const REDUCTIONS = ['max', 'min', 'avg', 'last', 'every'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

/**
 * A PromQL expression evaluated with a range query at `step` over a phase (`phase`), the recovery
 * window after a fault (`afterFault` + `within`: from its revert for `within`), or the whole run;
 * the series is reduced (max, min, avg, last, or every point) and compared with atMost / atLeast.
 */
export const PrometheusSlo = z
  .strictObject({
    name: Slug,
    kind: z.literal('prometheus'),
    severity: z.enum(['blocking', 'advisory']).default('blocking'),
    query: z.string().trim().min(1, 'write a PromQL expression'),
    phase: Phase.optional(),
    /** a fault of `faults`, or a partner outage ("partner:acme GET /offers") */
    afterFault: FaultRef.optional(),
    within: Duration.optional(),
    step: Duration.default(1000),
    reduce: z.enum(REDUCTIONS).default('max'),
    atMost: z.number().optional(),
    atLeast: z.number().optional(),
  })
  .superRefine((slo, ctx) => {
    if ((slo.atMost === undefined) === (slo.atLeast === undefined)) ctx.addIssue({ code: 'custom', path: ['atMost'], message: 'give exactly one bound: atMost or atLeast' });
    if (slo.phase && slo.afterFault) ctx.addIssue({ code: 'custom', path: ['afterFault'], message: 'judge either a phase or the window after a fault, not both' });
    if ((slo.afterFault === undefined) !== (slo.within === undefined)) ctx.addIssue({ code: 'custom', path: ['within'], message: 'afterFault and within go together: the window is [revert, revert + within]' });
    if (slo.step < 100) ctx.addIssue({ code: 'custom', path: ['step'], message: 'a step under 100ms is finer than any scrape: use e.g. "1s"' });
  });
export type PrometheusSlo = z.infer<typeof PrometheusSlo>;

/** One line of telemetry.ndjson: what was asked, of which server (no headers), and what came back. */
export const TelemetryRecord = z.strictObject({
  /** the SLO, probe or guard that asked */
  for: z.string(),
  query: z.string(),
  /** Prometheus base URL */
  server: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  stepMs: z.number(),
  /** ok: series as returned; otherwise the error kind and Prometheus' (or the network's) message */
  status: z.enum(['ok', 'bad_data', 'unreachable', 'http']),
  error: z.string().optional(),
  series: z.array(z.strictObject({ labels: z.record(z.string(), z.string()), points: z.array(z.tuple([z.number(), z.number()])) })),
});
export type TelemetryRecord = z.infer<typeof TelemetryRecord>;

export const TELEMETRY_FILE = 'telemetry.ndjson';
