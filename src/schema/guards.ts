// Guards (stop conditions): checked every second while a drill runs; the first that trips aborts
// the drill — every fault reverted at once, the load stopped, NO-GO. Each watches one thing:
// gameday's own live windows (`window`), a PromQL instant query (`prometheus`) or an HTTP probe
// (`http`), and none trips before its grace period has passed since the load started (k6's
// delayAbortEval). Joined to the drill in src/schema/drill.ts.
import { z } from 'zod';
import { isLoopbackUrl } from '../platform/loopback.ts';
import { Duration } from './duration.ts';
import { Slug } from './names.ts';
import { Ratio } from './ratio.ts';

/** gameday's own 1-s windows of the k6 samples, over the last `over` (whole seconds, the current one included). */
const WindowBase = {
  /** how far back the window reaches (not time-scaled: it is how many samples the figure rests on) */
  over: Duration.default(3000),
  /** a request of load.requests; default: all of them */
  request: z.string().optional(),
  /** fewer samples in the window than this: not judged (the guard waits) */
  minSamples: z.number().int().min(1).default(10),
};

export const GuardWindow = z.discriminatedUnion('metric', [
  z.strictObject({ ...WindowBase, metric: z.literal('error-rate'), above: Ratio }),
  z.strictObject({ ...WindowBase, metric: z.literal('latency'), percentile: z.number().gt(0).lt(100), above: Duration }),
]);
export type GuardWindow = z.infer<typeof GuardWindow>;

/** A PromQL instant query against the drill's telemetry.prometheus: trips when any series is above (or below) the bound. */
export const GuardPrometheus = z
  .strictObject({
    query: z.string().trim().min(1, 'write a PromQL expression'),
    above: z.number().optional(),
    below: z.number().optional(),
  })
  .refine((p) => (p.above === undefined) !== (p.below === undefined), { message: 'give exactly one bound: above or below', path: ['above'] });
export type GuardPrometheus = z.infer<typeof GuardPrometheus>;

/** An HTTP GET: trips on another status, no answer, or an answer slower than `within`. */
export const GuardHttp = z
  .strictObject({
    /** a full URL (loopback unless the drill has allowRemote) ... */
    url: z.url({ message: 'give a full URL, e.g. "http://127.0.0.1:8080/healthz"' }).optional(),
    /** ... or a path on the target's entry (the load balancer, else the first replica's proxy) */
    path: z.string().startsWith('/').optional(),
    status: z.number().int().min(100).max(599).default(200),
    within: Duration.default(1000),
  })
  .refine((h) => (h.url === undefined) !== (h.path === undefined), { message: 'give url or path, not both', path: ['url'] });
export type GuardHttp = z.infer<typeof GuardHttp>;

export const Guard = z
  .strictObject({
    name: Slug,
    /** no trip before this long after the load started (time-scaled with the timeline) */
    gracePeriod: Duration.default(0),
    window: GuardWindow.optional(),
    prometheus: GuardPrometheus.optional(),
    http: GuardHttp.optional(),
    /**
     * a CloudWatch alarm that stands for this guard in AWS: every driver: fis fault's experiment
     * template gets it as a stop condition, so FIS stops the experiment when it fires. Alone, the
     * guard is watched by FIS only; beside window / prometheus / http, by both.
     */
    cloudwatchAlarm: z
      .string()
      .regex(/^arn:aws(?:-[a-z]+)*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/, 'write the ARN of a CloudWatch alarm, e.g. "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx"')
      .optional(),
  })
  .superRefine((g, ctx) => {
    const given = (['window', 'prometheus', 'http'] as const).filter((k) => g[k] !== undefined);
    if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1]], message: `a guard watches one thing: keep one of ${given.join(', ')} and make the others guards of their own` });
    if (given.length === 0 && g.cloudwatchAlarm === undefined) ctx.addIssue({ code: 'custom', path: [], message: 'say what the guard watches: window, prometheus or http (or a cloudwatchAlarm for FIS faults)' });
  });
export type Guard = z.infer<typeof Guard>;
export type GuardKind = 'window' | 'prometheus' | 'http';

export function guardKind(g: Guard): GuardKind {
  return g.window ? 'window' : g.prometheus ? 'prometheus' : 'http';
}

/** Whether gameday reads the guard itself (a guard with only a CloudWatch alarm is FIS's to watch). */
export function watchedLocally(g: Guard): boolean {
  return g.window !== undefined || g.prometheus !== undefined || g.http !== undefined;
}

/** The CloudWatch alarms the guards name: the stop conditions of every FIS experiment of the drill. */
export function guardAlarms(guards: readonly Guard[]): string[] {
  return [...new Set(guards.flatMap((g) => (g.cloudwatchAlarm ? [g.cloudwatchAlarm] : [])))];
}

/** The drill's guards: names unique (the error names both). */
export const Guards = z.array(Guard).superRefine((guards, ctx) => {
  const first = new Map<string, number>();
  guards.forEach((g, i) => {
    const j = first.get(g.name);
    if (j === undefined) first.set(g.name, i);
    else ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `guard names must be unique: "${g.name}" is also guards[${j}].name: rename one of them` });
  });
});


/** What guards need from the rest of the drill: a request to window on, a Prometheus to ask, loopback. */
export function checkGuards(
  drill: { guards: readonly Guard[]; telemetry?: { prometheus?: unknown }; allowRemote?: unknown; load: { requests: ReadonlyArray<{ name: string }> } },
  ctx: z.RefinementCtx,
): void {
  const requests = drill.load.requests.map((r) => r.name);
  drill.guards.forEach((g, i) => {
    if (g.window?.request !== undefined && !requests.includes(g.window.request)) ctx.addIssue({ code: 'custom', path: ['guards', i, 'window', 'request'], message: `no request named "${g.window.request}" in load.requests (${requests.join(', ')})` });
    if (g.prometheus && !drill.telemetry?.prometheus) ctx.addIssue({ code: 'custom', path: ['guards', i, 'prometheus'], message: 'a prometheus guard asks the drill\'s Prometheus: add telemetry.prometheus ({ managed: true } or { url: ... })' });
    if (g.http?.url && !isLoopbackUrl(g.http.url) && !drill.allowRemote) ctx.addIssue({ code: 'custom', path: ['guards', i, 'http', 'url'], message: `${g.http.url} is not on loopback: probe the target with path: "/..." or add allowRemote: { reason: ... } to the drill` });
  });
}
