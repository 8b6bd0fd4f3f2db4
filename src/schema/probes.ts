// Steady-state probes (`probes:`, Chaos Toolkit's steady-state hypothesis): what must hold of the
// system before the first fault (else the run is invalid and nothing is injected) and again after
// the last recovery (else a verdict `probe:<name>` fails). Each probe is one of an HTTP request
// (status, a JSON path condition on the body, a latency bound), a PromQL instant query against
// telemetry.prometheus with a condition, or a command (argv, no shell, exit 0 = steady).
// Standalone so that it joins the drill in drill.ts in one line; probes.json's records are here too.
import { query } from 'jsonpath-rfc9535';
import { z } from 'zod';
import { Duration } from './duration.ts';
import { Slug } from './names.ts';

export const PROBE_WHEN = ['before', 'after', 'both'] as const;
export type ProbeWhen = (typeof PROBE_WHEN)[number];
export const PROBE_KINDS = ['http', 'prometheus', 'command'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];
/** the placeholder a command's argv may hold: the target's entry URL */
export const ENTRY_URL_PLACEHOLDER = '{{entryUrl}}';

function validRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

function validJsonPath(expression: string): string | null {
  try {
    query({}, expression);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** What a value must be: every bound given must hold. */
const conditionShape = {
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  atMost: z.number().optional(),
  atLeast: z.number().optional(),
  /** a regular expression the value (as text) must match */
  matches: z.string().refine(validRegex, 'not a regular expression: check its brackets and escapes').optional(),
};
const BOUNDS = ['equals', 'atMost', 'atLeast', 'matches'] as const;
export type Condition = { equals?: string | number | boolean | null; atMost?: number; atLeast?: number; matches?: string };

function needsABound(c: Condition, ctx: z.RefinementCtx): void {
  if (!BOUNDS.some((b) => c[b] !== undefined)) ctx.addIssue({ code: 'custom', path: ['atMost'], message: 'give the condition: equals, atMost, atLeast or matches' });
}

/** `json: { path: "$.breaker.state", equals: "closed" }`: every value the RFC 9535 JSONPath selects meets the condition (and it selects at least one). */
const JsonCondition = z
  .strictObject({
    path: z.string().superRefine((p, ctx) => {
      const problem = validJsonPath(p);
      if (problem) ctx.addIssue({ code: 'custom', message: `not a JSONPath (RFC 9535) expression, e.g. "$.breaker.state": ${problem}` });
    }),
    ...conditionShape,
  })
  .superRefine(needsABound);

const HttpProbe = z.strictObject({
  /** a path on the target's entry URL ("/healthz"), or an absolute URL (loopback unless the drill has allowRemote) */
  url: z.string().refine((u) => u.startsWith('/') || /^https?:\/\//.test(u), 'write a path on the target ("/healthz") or an absolute http:// URL'),
  method: z.enum(['GET', 'HEAD']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  /** the statuses that count as steady (default 200) */
  status: z.union([z.number().int().min(100).max(599).transform((s) => [s]), z.array(z.number().int().min(100).max(599)).min(1)]).default([200]),
  json: JsonCondition.optional(),
  /** the answer must come within this (the whole body read) */
  latencyBelow: Duration.optional(),
  timeout: Duration.default(5000),
});

const PromProbe = z
  .strictObject({
    /** an instant query; every series it returns must meet the condition, and it must return one */
    query: z.string().trim().min(1, 'write a PromQL expression'),
    equals: z.number().optional(),
    atMost: z.number().optional(),
    atLeast: z.number().optional(),
  })
  .superRefine(needsABound);

const CommandProbe = z.strictObject({
  /** run without a shell; {{entryUrl}} in an argument is the target's entry URL */
  argv: z.array(z.string().min(1)).min(1),
  timeout: Duration.default(10_000),
});

export const Probe = z
  .strictObject({
    name: Slug,
    /** before the first fault, after the last recovery, or both (default) */
    when: z.enum(PROBE_WHEN).default('both'),
    http: HttpProbe.optional(),
    prometheus: PromProbe.optional(),
    command: CommandProbe.optional(),
  })
  .superRefine((p, ctx) => {
    const kinds = PROBE_KINDS.filter((k) => p[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', path: kinds.length ? [kinds[1]] : [], message: kinds.length ? `a probe is one of http, prometheus or command: this one has ${kinds.join(' and ')}, split it in two` : 'say what the probe does: http, prometheus or command' });
  });
export type Probe = z.output<typeof Probe>;
export type HttpProbe = z.output<typeof HttpProbe>;
export type PromProbe = z.output<typeof PromProbe>;
export type CommandProbe = z.output<typeof CommandProbe>;

export const Probes = z.array(Probe).superRefine((probes, ctx) => {
  const first = new Map<string, number>();
  probes.forEach((p, i) => {
    const j = first.get(p.name);
    if (j === undefined) first.set(p.name, i);
    else ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `probe names must be unique: "${p.name}" is also probes[${j}].name: rename one of them` });
  });
});

/** Which of http, prometheus or command the probe is. */
export function probeKind(p: Probe): ProbeKind {
  return p.http ? 'http' : p.prometheus ? 'prometheus' : 'command';
}

/** Whether the probe runs at `moment`. */
export function runsAt(p: Pick<Probe, 'when'>, moment: 'before' | 'after'): boolean {
  return p.when === 'both' || p.when === moment;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** What the probes need of the rest of the drill: telemetry.prometheus for a PromQL probe, allowRemote for a URL beyond loopback. */
export function checkProbes(drill: { probes: readonly Probe[]; telemetry?: { prometheus?: unknown }; allowRemote?: unknown }, ctx: z.RefinementCtx): void {
  drill.probes.forEach((p, i) => {
    if (p.prometheus && !drill.telemetry?.prometheus) ctx.addIssue({ code: 'custom', path: ['probes', i, 'prometheus'], message: 'a PromQL probe asks the drill\'s Prometheus: add telemetry: { prometheus: { managed: true } } (or { url: ... })' });
    const url = p.http?.url;
    if (url && !url.startsWith('/') && !drill.allowRemote) {
      let host = '';
      try {
        host = new URL(url).hostname;
      } catch {
        ctx.addIssue({ code: 'custom', path: ['probes', i, 'http', 'url'], message: `"${url}" is not a URL` });
        return;
      }
      if (!LOOPBACK.has(host)) ctx.addIssue({ code: 'custom', path: ['probes', i, 'http', 'url'], message: `${host} is not on loopback: add allowRemote: { reason: ... } to the drill to probe it` });
    }
  });
}

/** One probe run, as probes.json holds it: which probe, when, what came back, and whether it was steady. */
export const ProbeResult = z.strictObject({
  probe: z.string(),
  when: z.enum(['before', 'after']),
  kind: z.enum(PROBE_KINDS),
  /** ISO time the probe started */
  at: z.string(),
  ms: z.number(),
  steady: z.boolean(),
  /** false when nothing usable came back (no answer, no series, a timeout): the verdict is no-evidence */
  answered: z.boolean(),
  /** what was asked: the URL, the query, the argv */
  asked: z.string(),
  /** what came back: status and body (cut), series, exit code and output (cut) */
  observed: z.record(z.string(), z.unknown()),
  /** the figure a verdict shows: latency ms (http), the first series' value (prometheus), the exit code (command) */
  value: z.number().nullable(),
  detail: z.string(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

export const ProbesFile = z.strictObject({ results: z.array(ProbeResult) });
export type ProbesFile = z.infer<typeof ProbesFile>;
