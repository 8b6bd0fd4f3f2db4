// A partner's behaviour, as data: routes, each with a timeline of behaviours. One schema for the
// drill's `partners` and for the partners file of `gameday simulate`.
import { z } from 'zod';
import { Duration } from './duration.ts';

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, e.g. "acme"');

const Status = z.number().int().min(100).max(599);
/** "5%" style is not a status: statuses are integers from 100 to 599 */
const Headers = z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name is a token, e.g. "x-partner-region"'), z.string());

// --- latency -------------------------------------------------------------------------------

const LatencyDistribution = z.discriminatedUnion(
  'dist',
  [
    z.strictObject({ dist: z.literal('fixed'), value: Duration }),
    z.strictObject({ dist: z.literal('uniform'), min: Duration, max: Duration }),
    /** log-normal given its median and 99th percentile (μ = ln p50, σ = (ln p99 − ln p50) / 2.326); `max` cuts the tail */
    z.strictObject({ dist: z.literal('lognormal'), p50: Duration, p99: Duration, max: Duration.optional() }),
  ],
  { error: () => 'unknown latency distribution: write dist "fixed", "uniform" or "lognormal"' },
);

/** Time before the partner acts: a duration ("20ms"), or a distribution. Not time-scaled. */
export const Latency = z
  .union([Duration, LatencyDistribution], {
    error: (iss) =>
      `${typeof iss.input === 'string' ? `"${iss.input}" is not a duration` : 'not a latency'}: write a duration ("20ms"), {dist: uniform, min, max} or {dist: lognormal, p50, p99}`,
  })
  .superRefine((l, ctx) => {
    if (typeof l === 'number') return;
    if (l.dist === 'uniform' && l.max < l.min) ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must be at least min' });
    if (l.dist === 'lognormal') {
      if (l.p50 <= 0) ctx.addIssue({ code: 'custom', path: ['p50'], message: 'a log-normal latency needs p50 above 0' });
      else if (l.p99 < l.p50) ctx.addIssue({ code: 'custom', path: ['p99'], message: 'p99 must be at least p50' });
      if (l.max !== undefined && l.max < l.p99) ctx.addIssue({ code: 'custom', path: ['max'], message: 'max must be at least p99' });
    }
  });
export type Latency = z.output<typeof Latency>;

// --- behaviours ----------------------------------------------------------------------------

/** Retry-After: `retryAfter` seconds, sent as delay-seconds or, with retryAfterDate, as an HTTP-date that far ahead. */
const RetryAfter = {
  retryAfter: z.number().int().nonnegative().optional(),
  retryAfterDate: z.boolean().optional(),
};

const common = { latency: Latency.default(0) };
/** kinds that send no status of their own say so, rather than ignoring one */
const noStatus = (why: string) => ({ status: z.undefined({ error: () => why }).optional() });

/** One answer: status, headers, body, Retry-After. */
const Answer = z.strictObject({
  status: Status.default(200),
  headers: Headers.optional(),
  /** JSON body (a string is sent as is); a default JSON body when absent */
  body: z.unknown().optional(),
  ...RetryAfter,
});

const SequenceStep = z.union([Status, Answer], { error: () => 'a step is a status (429) or {status, retryAfter?, retryAfterDate?, headers?, body?}' });

const BEHAVIOURS = {
  /** the default kind: `{at, status, retryAfter?, latency?, body?}` without `kind` is a respond */
  respond: z.strictObject({ kind: z.literal('respond').optional(), ...Answer.shape, ...common }),
  /** statuses in order ([429, 429, 200]); then repeat, or hold the last; counted per route or per logical call */
  sequence: z.strictObject({
    kind: z.literal('sequence'),
    steps: z.array(SequenceStep).min(1, 'a sequence needs at least one step'),
    then: z.enum(['hold-last', 'repeat']).default('hold-last'),
    /** route: one counter for every request; call: one per x-request-id / idempotency-key (else per route) */
    scope: z.enum(['route', 'call']).default('route'),
    ...noStatus('a sequence takes its statuses from steps: remove status'),
    ...common,
  }),
  /** token bucket per client (x-client-id header, else the remote address): `rate` tokens/s, `burst` at most */
  'rate-limit': z.strictObject({
    kind: z.literal('rate-limit'),
    rate: z.number().positive(),
    burst: z.number().int().min(1).optional(),
    ...Answer.omit({ retryAfter: true }).shape,
    limitedStatus: Status.default(429),
    ...common,
  }),
  /** never answers: the connection stays open until the client gives up or the simulator stops */
  hang: z.strictObject({ kind: z.literal('hang'), ...noStatus('a hang never answers: remove status'), ...common }),
  /** a 2xx with a JSON body cut in the middle */
  'malformed-json': z.strictObject({ kind: z.literal('malformed-json'), status: Status.default(200), headers: Headers.optional(), ...common }),
  /** over the wire only: a TCP RST instead of an answer */
  reset: z.strictObject({ kind: z.literal('reset'), ...noStatus('a reset sends no status: remove status'), ...common }),
  /** over the wire only: status, headers and `fraction` of the body (chunked), then the connection is destroyed */
  'close-mid-body': z.strictObject({ kind: z.literal('close-mid-body'), ...Answer.omit({ retryAfter: true, retryAfterDate: true }).shape, fraction: z.number().gt(0).lt(1).default(0.5), ...common }),
  /** over the wire only: Content-Length of the whole body, `fraction` of it sent, then the connection is ended */
  truncated: z.strictObject({ kind: z.literal('truncated'), ...Answer.omit({ retryAfter: true, retryAfterDate: true }).shape, fraction: z.number().gte(0).lt(1).default(0.5), ...common }),
  /** the body a few bytes at a time: `chunkBytes` every `interval` */
  'slow-dribble': z.strictObject({
    kind: z.literal('slow-dribble'),
    ...Answer.omit({ retryAfter: true, retryAfterDate: true }).shape,
    chunkBytes: z.number().int().min(1).default(4),
    interval: Duration.default(100),
    ...common,
  }),
} as const;

export const BEHAVIOUR_KINDS = Object.keys(BEHAVIOURS) as Array<keyof typeof BEHAVIOURS>;
/** Behaviours that only exist on a real socket (the node:http simulator), not in msw handlers. */
export const SOCKET_FAULT_KINDS = ['reset', 'close-mid-body', 'truncated'] as const;

const kindError = () => `unknown behaviour kind: use one of ${BEHAVIOUR_KINDS.join(', ')} (no kind means respond)`;
const options = Object.values(BEHAVIOURS);

/** Problems a behaviour's fields cannot show one at a time. */
function checkBehaviour(b: z.output<(typeof options)[number]>, ctx: z.RefinementCtx, at: Array<string | number>): void {
  const dateWithoutSeconds = (a: { retryAfter?: number; retryAfterDate?: boolean }, path: Array<string | number>) => {
    if (a.retryAfterDate && a.retryAfter === undefined) ctx.addIssue({ code: 'custom', path: [...path, 'retryAfterDate'], message: 'retryAfterDate sends retryAfter as an HTTP-date: give retryAfter (seconds) too' });
  };
  if (b.kind === undefined || b.kind === 'respond') dateWithoutSeconds(b, at);
  if (b.kind === 'sequence') b.steps.forEach((s, i) => typeof s === 'object' && dateWithoutSeconds(s, [...at, 'steps', i]));
}

/** A behaviour without a place on a timeline: what the control API switches a route to. */
export const Behaviour = z.discriminatedUnion('kind', [options[0], ...options.slice(1)], { error: kindError }).superRefine((b, ctx) => checkBehaviour(b, ctx, []));
export type Behaviour = z.output<typeof Behaviour>;
export type BehaviourInput = z.input<typeof Behaviour>;

/** when the behaviour starts, from the start of load (time-scaled) */
const at = { at: Duration.default(0) };
/** A behaviour on a timeline. */
export const TimedBehaviour = z.discriminatedUnion('kind', [options[0].extend(at), ...options.slice(1).map((o) => o.extend(at))], { error: kindError });
export type TimedBehaviour = z.output<typeof TimedBehaviour>;

function checkTimeline(bs: TimedBehaviour[], ctx: z.RefinementCtx): void {
  if (!bs.length) return;
  bs.forEach((b, j) => checkBehaviour(b, ctx, [j]));
  if (bs[0].at !== 0) ctx.addIssue({ code: 'custom', path: [0, 'at'], message: 'the first behaviour must start at "0s"' });
  bs.forEach((b, j) => {
    if (j > 0 && b.at <= bs[j - 1].at) ctx.addIssue({ code: 'custom', path: [j, 'at'], message: 'behaviours must be in order of "at", each later than the one before' });
  });
}

const Timeline = z.array(TimedBehaviour).min(1, 'a timeline needs at least one behaviour').superRefine(checkTimeline);

// --- routes and partners -------------------------------------------------------------------

export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*'] as const;

/** "/offers", "/offers/:id", "/offers/*" or "*" (every path) */
const RoutePath = z
  .string()
  .refine((p) => p === '*' || (p.startsWith('/') && !p.includes('?')), 'write a path like "/offers", "/offers/:id", "/offers/*" or "*" (every path), without a query')
  .refine((p) => !p.startsWith('/__gameday'), '"/__gameday" is reserved for the control API');

export const Route = z.strictObject({
  /** how the control API names it; "<METHOD> <path>" when absent */
  name: Slug.optional(),
  method: z.preprocess((m) => (typeof m === 'string' ? m.toUpperCase() : m), z.enum(ROUTE_METHODS, { error: () => `write one of ${ROUTE_METHODS.join(', ')}` })).default('*'),
  path: RoutePath.default('*'),
  behaviours: Timeline,
});
export type Route = z.output<typeof Route>;

/**
 * A rotation of the partner's webhook secret on the drill's timeline (time-scaled, from t = 0):
 * before `at` the SUT holds only previousWebhookSecret and the partner signs with it; from `at`
 * the SUT holds both; halfway through the overlap the partner signs with webhookSecret; when the
 * overlap ends the previous secret is retired — the SUT holds webhookSecret only, and the
 * old-key-after-rotation variant signs with the retired one.
 */
export const KeyRotation = z
  .object({
    at: Duration,
    /** how long the SUT accepts both secrets */
    overlap: Duration.refine((ms) => ms > 0, 'the old and the new secret overlap for some time: give an overlap above 0'),
  })
  .strict();
export type KeyRotation = z.output<typeof KeyRotation>;

export const Partner = z
  .strictObject({
    name: Slug,
    /** signing secret of this partner's webhooks: "whsec_<base64>" or "env:VARIABLE"; never written to evidence */
    webhookSecret: z.string().optional(),
    /** the secret before `rotation` (same forms as webhookSecret); never written to evidence */
    previousWebhookSecret: z.string().optional(),
    rotation: KeyRotation.optional(),
    /** a behaviour whose median latency is above this makes a partner outage on the timeline (default 1s; src/schema/partner-outages.ts) */
    slowAbove: Duration.optional(),
    /** matched in order; the first route whose method and path match answers */
    routes: z.array(Route).default([]),
    /** the timeline of every request no route matches (route "*"); the original single-timeline form */
    behaviours: z.array(TimedBehaviour).superRefine(checkTimeline).default([]),
  })
  .superRefine((p, ctx) => {
    if (!p.routes.length && !p.behaviours.length) ctx.addIssue({ code: 'custom', path: ['routes'], message: 'a partner needs routes (or behaviours for every path)' });
    if (p.rotation && !p.previousWebhookSecret) ctx.addIssue({ code: 'custom', path: ['previousWebhookSecret'], message: 'a rotation replaces a previous secret: give previousWebhookSecret' });
    if (p.previousWebhookSecret && !p.rotation) ctx.addIssue({ code: 'custom', path: ['rotation'], message: 'say when the previous secret is rotated out: rotation: { at, overlap }' });
    if (p.previousWebhookSecret && !p.webhookSecret) ctx.addIssue({ code: 'custom', path: ['webhookSecret'], message: 'a rotation needs the new secret too: give webhookSecret' });
    if (p.previousWebhookSecret && p.previousWebhookSecret === p.webhookSecret) ctx.addIssue({ code: 'custom', path: ['previousWebhookSecret'], message: 'the previous secret must differ from webhookSecret' });
    const names = new Set<string>();
    p.routes.forEach((r, i) => {
      const name = routeName(r);
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['routes', i, r.name ? 'name' : 'path'], message: `route "${name}" is declared twice: give it another name, method or path` });
      names.add(name);
    });
  });
export type Partner = z.output<typeof Partner>;
export type PartnerInput = z.input<typeof Partner>;

/** The partners file of `gameday simulate`. */
export const PartnersFile = z
  .strictObject({ partners: z.array(Partner).min(1, 'list at least one partner') })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.partners.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['partners', i, 'name'], message: `partner "${p.name}" is declared twice: partner names are unique` });
      seen.add(p.name);
    });
  });
export type PartnersFile = z.output<typeof PartnersFile>;

/** The name the control API uses for a route. */
export function routeName(r: { name?: string; method: string; path: string }): string {
  return r.name ?? `${r.method} ${r.path}`;
}
