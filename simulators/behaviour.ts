// A partner's behaviour timelines, as planned data: which behaviour a route shows at which point
// of the drill. The shapes come from src/schema/partner.ts; planning (src/plan) time-scales `at`.
import { Partner, routeName, type Latency, type PartnerInput, type TimedBehaviour } from '../src/schema/partner.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A behaviour on a planned timeline: `atMs` from the start of load (already time-scaled) and
 * `latencyMs`, the time before the partner acts (a number of ms or a distribution; never
 * scaled). `status` and `retryAfter` read as undefined on kinds that have none.
 */
export type PlannedBehaviour = DistributiveOmit<TimedBehaviour, 'at' | 'latency'> & {
  atMs: number;
  latencyMs: Latency;
  status?: number;
  retryAfter?: number;
};

export interface PlannedRoute {
  /** the route's name, or "<METHOD> <path>" */
  name: string;
  method: string;
  path: string;
  behaviours: PlannedBehaviour[];
}

export interface PlannedPartner {
  name: string;
  /** the timeline of every request no route matches (empty when the partner only has routes) */
  behaviours: PlannedBehaviour[];
  /** matched in order before `behaviours` */
  routes?: PlannedRoute[];
}

/** The behaviour a timeline shows `tMs` after the start of load (behaviours sorted by atMs). */
export function behaviourAt<B extends { atMs: number }>(partner: { behaviours: B[] }, tMs: number): B {
  return partner.behaviours[behaviourIndexAt(partner.behaviours, tMs)];
}

/** Index of the behaviour active at `tMs`; the first one before the timeline starts. */
export function behaviourIndexAt(behaviours: ReadonlyArray<{ atMs: number }>, tMs: number): number {
  let current = 0;
  for (let i = 1; i < behaviours.length; i++) {
    if (behaviours[i].atMs <= tMs) current = i;
    else break;
  }
  return current;
}

/**
 * A validated partner's timelines as planned data; `atMs` maps each `at` (the drill planner
 * passes its time-scaling; nothing else is scaled).
 */
export function planTimelines(p: Partner, atMs: (at: number) => number): PlannedPartner {
  const timeline = (bs: TimedBehaviour[]) => bs.map(({ at, latency, ...rest }) => ({ ...rest, atMs: atMs(at), latencyMs: latency }) as PlannedBehaviour);
  return {
    name: p.name,
    behaviours: timeline(p.behaviours),
    routes: p.routes.length ? p.routes.map((r) => ({ name: routeName(r), method: r.method, path: r.path, behaviours: timeline(r.behaviours) })) : undefined,
  };
}

/** A partner definition (as in a partners file) → planned, unscaled; throws a ZodError when invalid. */
export function planPartner(input: PartnerInput): PlannedPartner {
  return planTimelines(Partner.parse(input), (at) => at);
}
