// Partner outages: a partner behaviour that is not healthy (429, 5xx, a hang, a socket fault, a
// broken body, or answers slower than a bound) is a fault window on the drill's timeline, named
// after the partner and route ("partner:payments POST /charge"), so phases, recovery-time and the
// report treat a third party's outage like an injected fault. Pure: timelines in, windows out.
// It lives with the model because the drill's own validation needs the outages' names.
import { z } from 'zod';
import type { Latency } from './partner.ts';

/** A behaviour answering slower than this (its median) is an outage, unless the partner says `slowAbove`. */
export const DEFAULT_SLOW_ABOVE_MS = 1000;

/** What health is judged on: the fields of a planned behaviour (simulators/behaviour.ts PlannedBehaviour). */
export interface BehaviourHealthFacts {
  kind?: string;
  status?: number;
  steps?: ReadonlyArray<number | { status?: number }>;
  latencyMs: Latency;
}

/** The median of a latency: the fixed value, the middle of a uniform range, a log-normal's p50. */
export function medianLatencyMs(l: Latency): number {
  if (typeof l === 'number') return l;
  if (l.dist === 'fixed') return l.value;
  if (l.dist === 'uniform') return (l.min + l.max) / 2;
  return l.p50;
}

const failing = (status: number) => status === 429 || status >= 500;

/**
 * Why a behaviour is not healthy, or null when it is. Not healthy: a 429 or 5xx answer (also as a
 * step of a sequence), a hang, a socket fault (reset, close-mid-body, truncated, slow-dribble), a
 * malformed JSON body, or a median latency above `slowAboveMs`. A token-bucket rate limit is a
 * quota, not an outage: it refuses only clients above its rate.
 */
export function unhealthyBecause(b: BehaviourHealthFacts, slowAboveMs = DEFAULT_SLOW_ABOVE_MS): string | null {
  switch (b.kind ?? 'respond') {
    case 'hang':
    case 'reset':
    case 'close-mid-body':
    case 'truncated':
    case 'slow-dribble':
    case 'malformed-json':
      return b.kind!;
    case 'sequence': {
      const statuses = (b.steps ?? []).map((s) => (typeof s === 'number' ? s : (s.status ?? 200)));
      const bad = [...new Set(statuses.filter(failing))];
      if (bad.length) return `sequence with ${bad.join(', ')}`;
      break;
    }
    case 'respond':
      if (b.status !== undefined && failing(b.status)) return `status ${b.status}`;
      break;
  }
  const median = medianLatencyMs(b.latencyMs);
  return median > slowAboveMs ? `median latency ${median} ms above ${slowAboveMs} ms` : null;
}

/** One stretch of a partner's timeline in which it was not healthy, ms after t0. */
export interface PartnerOutage {
  /** "partner:<partner> <route>" ("partner:<partner>" for the timeline of every other path); " #2" from the second outage of a route */
  name: string;
  partner: string;
  /** the route's name, or null for the partner's timeline of every other path */
  route: string | null;
  startMs: number;
  /** clipped to the end of the load */
  endMs: number;
  /** the partner was still not healthy when the load ended: the outage was never over */
  lastsToEnd: boolean;
  /** why, behaviour by behaviour, without repeats */
  reasons: string[];
}

export function partnerOutageName(partner: string, route: string | null, nth = 1): string {
  return `partner:${partner}${route === null ? '' : ` ${route}`}${nth > 1 ? ` #${nth}` : ''}`;
}

/** Where an SLO names a fault: a fault of `faults`, or a partner outage. */
export const FaultRef = z.string().regex(/^([a-z0-9][a-z0-9-]*|partner:[a-z0-9][a-z0-9-]*( .+)?)$/, 'name a fault of faults ("hub-latency") or a partner outage ("partner:acme GET /offers")');

interface Timeline {
  name: string;
  behaviours: ReadonlyArray<BehaviourHealthFacts & { atMs: number }>;
  routes?: ReadonlyArray<{ name: string; behaviours: ReadonlyArray<BehaviourHealthFacts & { atMs: number }> }>;
}

/** The unhealthy stretches of one timeline (behaviours in order of atMs), merged while the partner stays unhealthy. */
function stretches(behaviours: Timeline['behaviours'], endMs: number, slowAboveMs: number) {
  const out: Array<{ startMs: number; endMs: number; lastsToEnd: boolean; reasons: string[] }> = [];
  let open: (typeof out)[number] | null = null;
  behaviours.forEach((b, i) => {
    const start = Math.min(b.atMs, endMs);
    const end = Math.min(i + 1 < behaviours.length ? behaviours[i + 1].atMs : endMs, endMs);
    if (end <= start) return;
    const why = unhealthyBecause(b, slowAboveMs);
    if (why === null) {
      open = null;
      return;
    }
    if (!open) {
      open = { startMs: start, endMs: end, lastsToEnd: false, reasons: [] };
      out.push(open);
    }
    open.endMs = end;
    if (!open.reasons.includes(why)) open.reasons.push(why);
  });
  for (const s of out) s.lastsToEnd = s.endMs >= endMs;
  return out;
}

/**
 * Every outage of a partner over [0, endMs): per route (and the timeline of every other path),
 * one window from the first unhealthy behaviour until a healthy one, in order of time.
 */
export function partnerOutages(partner: Timeline, endMs: number, slowAboveMs = DEFAULT_SLOW_ABOVE_MS): PartnerOutage[] {
  const timelines = [...(partner.routes ?? []).map((r) => ({ route: r.name as string | null, behaviours: r.behaviours })), { route: null, behaviours: partner.behaviours }];
  return timelines.flatMap(({ route, behaviours }) =>
    stretches(behaviours, endMs, slowAboveMs).map((s, i) => ({ name: partnerOutageName(partner.name, route, i + 1), partner: partner.name, route, ...s })),
  );
}
