// The drill: one schema for the TypeScript form (`defineDrill({...})`) and the YAML form.
import { z } from 'zod';
import { Duration } from './duration.ts';

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, e.g. "partner-hub"');

export const PHASES = ['steady', 'fault', 'recovery'] as const;
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;

/** A ratio: 0.02 or "2%". */
export const Ratio = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : /^\d+(\.\d+)?%$/.test(value.trim()) ? Number(value.trim().slice(0, -1)) / 100 : NaN;
  if (!(n >= 0 && n <= 1)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a ratio: write a number from 0 to 1 (0.02) or a percentage ("2%")` });
    return z.NEVER;
  }
  return n;
});

const Service = z.object({
  name: Slug,
  /** argv of one replica; arguments starting with ./ or ../ are resolved against the drill file's folder */
  command: z.array(z.string()).min(1),
  replicas: z.number().int().min(1).max(16).default(1),
  /** replica i runs in zones[i % zones.length]; exported to it as ZONE */
  zones: z.array(Slug).min(1).default(['a']),
  /** environment of every replica; {{port}}, {{replica}}, {{zone}}, {{dataDir}}, {{partners.NAME.url}} and {{partners.NAME.webhookSecret}} are filled in */
  env: z.record(z.string(), z.string()).default({}),
  healthPath: z.string().startsWith('/').default('/healthz'),
  startTimeout: Duration.default(15_000),
});

const Target = z.object({
  kind: z.literal('process'),
  service: Service,
});

const Webhook = z.object({
  partner: Slug,
  scheme: z.literal('standard-webhooks').default('standard-webhooks'),
});

const Request = z.object({
  name: Slug,
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  path: z.string().startsWith('/'),
  /** relative share of iterations */
  weight: z.number().positive().default(1),
  /** JSON body; a webhook request sends {"id", "type", "data"} when none is given */
  body: z.unknown().optional(),
  /** sign the body as a webhook from this partner */
  webhook: Webhook.optional(),
});

const Baseline = z.object({
  profile: z.literal('baseline'),
  /** requests per second (k6 constant-arrival-rate) */
  rate: z.number().positive(),
  duration: Duration,
  preAllocatedVUs: z.number().int().positive().default(20),
  maxVUs: z.number().int().positive().optional(),
  requests: z.array(Request).min(1),
});

const Behaviour = z.object({
  /** when this behaviour starts, from the start of load */
  at: Duration,
  status: z.number().int().min(100).max(599).default(200),
  /** Retry-After header in seconds (sent with 429 / 503) */
  retryAfter: z.number().int().nonnegative().optional(),
  latency: Duration.default(0),
  body: z.unknown().optional(),
});

const Partner = z.object({
  name: Slug,
  /** signing secret of this partner's webhooks: "whsec_<base64>" or "env:VARIABLE"; never written to evidence */
  webhookSecret: z.string().optional(),
  behaviours: z.array(Behaviour).min(1),
});

const FaultBase = {
  name: Slug,
  driver: z.literal('toxiproxy').default('toxiproxy'),
  /** the service whose proxies get the fault */
  target: Slug,
  at: Duration,
  duration: Duration,
};

export const FAULT_ACTIONS = ['latency', 'down'] as const;
const Fault = z.discriminatedUnion('action', [
  z.object({ ...FaultBase, action: z.literal('latency'), latency: Duration, jitter: Duration.default(0) }),
  z.object({ ...FaultBase, action: z.literal('down') }),
]);

const SloBase = {
  name: Slug,
  /** restrict to one phase of the timeline; the whole run when absent */
  phase: Phase.optional(),
  /** restrict to one request of the load (its name) */
  request: Slug.optional(),
  /** blocking: a failure makes the decision NO-GO; advisory: CONDITIONAL */
  severity: z.enum(['blocking', 'advisory']).default('blocking'),
};

const Slo = z.discriminatedUnion('kind', [
  z.object({ ...SloBase, kind: z.literal('latency'), percentile: z.number().gt(0).lt(100), below: Duration }),
  z.object({ ...SloBase, kind: z.literal('error-rate'), below: Ratio }),
]);

export const Drill = z
  .object({
    name: Slug,
    /** the application the drill belongs to (reports/<app>/...) */
    app: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'use letters, digits, "-" and "_", e.g. "APP2"'),
    description: z.string().optional(),
    /** compresses every duration of the drill (0.1 = ten times faster); the CLI's --time-scale overrides it */
    timeScale: z.number().gt(0).max(10).default(1),
    target: Target,
    load: Baseline,
    partners: z.array(Partner).default([]),
    faults: z.array(Fault).default([]),
    slos: z.array(Slo).min(1, 'a drill needs at least one SLO: without one there is nothing to decide'),
  })
  .superRefine((drill, ctx) => {
    const partners = new Map(drill.partners.map((p) => [p.name, p]));
    const requests = new Set(drill.load.requests.map((r) => r.name));
    drill.load.requests.forEach((r, i) => {
      if (!r.webhook) return;
      const p = partners.get(r.webhook.partner);
      if (!p) ctx.addIssue({ code: 'custom', path: ['load', 'requests', i, 'webhook', 'partner'], message: `no partner named "${r.webhook.partner}": add it under partners` });
      else if (!p.webhookSecret) ctx.addIssue({ code: 'custom', path: ['partners', drill.partners.indexOf(p), 'webhookSecret'], message: `partner "${p.name}" signs webhooks, so it needs a webhookSecret` });
    });
    drill.partners.forEach((p, i) => {
      if (p.behaviours[0].at !== 0) ctx.addIssue({ code: 'custom', path: ['partners', i, 'behaviours', 0, 'at'], message: 'the first behaviour must start at "0s"' });
      p.behaviours.forEach((b, j) => {
        if (j > 0 && b.at <= p.behaviours[j - 1].at) ctx.addIssue({ code: 'custom', path: ['partners', i, 'behaviours', j, 'at'], message: 'behaviours must be in order of "at", each later than the one before' });
      });
      if (p.webhookSecret && !/^(whsec_[A-Za-z0-9+/=]+|env:[A-Za-z_][A-Za-z0-9_]*)$/.test(p.webhookSecret)) {
        ctx.addIssue({ code: 'custom', path: ['partners', i, 'webhookSecret'], message: 'write "whsec_<base64>" or "env:VARIABLE_NAME"' });
      }
    });
    const faultNames = new Set<string>();
    drill.faults.forEach((f, i) => {
      if (faultNames.has(f.name)) ctx.addIssue({ code: 'custom', path: ['faults', i, 'name'], message: `fault names must be unique: "${f.name}" is used twice` });
      faultNames.add(f.name);
      if (f.target !== drill.target.service.name) ctx.addIssue({ code: 'custom', path: ['faults', i, 'target'], message: `no service named "${f.target}": the drill's service is "${drill.target.service.name}"` });
      if (f.duration <= 0) ctx.addIssue({ code: 'custom', path: ['faults', i, 'duration'], message: 'a fault needs a duration above 0' });
      if (f.at + f.duration > drill.load.duration) ctx.addIssue({ code: 'custom', path: ['faults', i, 'duration'], message: `the fault ends after the load does (load.duration): end it by ${drill.load.duration} ms` });
    });
    drill.slos.forEach((s, i) => {
      if (s.request && !requests.has(s.request)) ctx.addIssue({ code: 'custom', path: ['slos', i, 'request'], message: `no request named "${s.request}" in load.requests (${[...requests].join(', ')})` });
      if (s.phase && s.phase !== 'steady' && drill.faults.length === 0) ctx.addIssue({ code: 'custom', path: ['slos', i, 'phase'], message: `phase "${s.phase}" never happens: the drill has no faults` });
    });
  });

/** What a drill file holds (durations as strings, defaults optional). */
export type DrillInput = z.input<typeof Drill>;
/** A validated drill (durations in ms, defaults filled in). */
export type Drill = z.output<typeof Drill>;
export type Fault = Drill['faults'][number];
export type Slo = Drill['slos'][number];
export type Partner = Drill['partners'][number];
export type LoadRequest = Drill['load']['requests'][number];
