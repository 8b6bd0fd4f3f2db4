// One partner at runtime, whatever the transport: its routes, which behaviour each shows now
// (timeline or an override from the control API), and what sequences and rate limits remember.
// Both the node:http server and the msw handlers ask it for decisions.
import { performance } from 'node:perf_hooks';
import { Behaviour, type BehaviourInput } from '../src/schema/partner.ts';
import { behaviourIndexAt, type PlannedBehaviour, type PlannedPartner } from './behaviour.ts';
import { compileBehaviour, decide, type Compiled, type Decision, type Memory, type RequestFacts } from './decide.ts';

/** Keys a sequence or rate limit remembers per behaviour, at most (the oldest are forgotten). */
const MAX_KEYS = 10_000;

export interface RuntimeDecision extends Decision {
  route: string;
  /** index in the route's timeline; -1 for an override */
  behaviour: number;
  kind: string;
}

export interface RouteView {
  name: string;
  method: string;
  path: string;
  active: { source: 'timeline' | 'override'; index: number | null; kind: string; behaviour: unknown };
  timeline: Array<{ atMs: number; kind: string }>;
}

export class UnknownRouteError extends Error {
  constructor(
    readonly partner: string,
    readonly route: string,
    readonly known: string[],
  ) {
    super(`partner "${partner}" has no route "${route}": use one of ${known.map((k) => JSON.stringify(k)).join(', ')} (or its index)`);
    this.name = 'UnknownRouteError';
  }
}

export interface RuntimeOptions {
  /** wall clock, epoch ms */
  now?: () => number;
  /** monotonic ms */
  mono?: () => number;
  random?: () => number;
}

type PathMatcher = (path: string) => boolean;

/** "/offers", "/offers/:id" (one segment), "/offers/*" (the rest), "*" (every path). */
export function pathMatcher(pattern: string): PathMatcher {
  if (pattern === '*') return () => true;
  if (!pattern.includes(':') && !pattern.includes('*')) return (p) => p === pattern;
  const segs = pattern.split('/');
  const rest = segs[segs.length - 1] === '*';
  const fixed = rest ? segs.slice(0, -1) : segs;
  return (p) => {
    const parts = p.split('/');
    if (rest ? parts.length < segs.length : parts.length !== segs.length) return false;
    for (let i = 0; i < fixed.length; i++) {
      const s = fixed[i];
      if (s.startsWith(':') ? parts[i] === '' : parts[i] !== s) return false;
    }
    return true;
  };
}

function kindOf(b: { kind?: string }): string {
  return b.kind ?? 'respond';
}

/** A planned behaviour as the schema gives it (latencyMs → latency, no atMs). */
function specOf(b: PlannedBehaviour): Behaviour {
  const { atMs: _at, latencyMs, ...rest } = b;
  return { ...rest, latency: latencyMs } as Behaviour;
}

class RuntimeRoute {
  readonly matchPath: PathMatcher;
  readonly compiled: Compiled[];
  override: { spec: Behaviour; compiled: Compiled } | null = null;
  constructor(
    readonly name: string,
    readonly method: string,
    readonly path: string,
    readonly timeline: PlannedBehaviour[],
  ) {
    this.matchPath = pathMatcher(path);
    this.compiled = timeline.map((b) => compileBehaviour(specOf(b)));
  }
  matches(method: string, path: string): boolean {
    return (this.method === '*' || this.method === method) && this.matchPath(path);
  }
}

export class PartnerRuntime {
  readonly name: string;
  private readonly routes: RuntimeRoute[];
  private readonly memory = new Map<Compiled, Map<string, Memory>>();
  /** before the timeline starts, the first behaviour applies */
  private t0 = Number.POSITIVE_INFINITY;
  private readonly now: () => number;
  private readonly mono: () => number;
  private readonly random: () => number;

  constructor(partner: PlannedPartner, opts: RuntimeOptions = {}) {
    this.name = partner.name;
    this.routes = (partner.routes ?? []).map((r) => new RuntimeRoute(r.name, r.method, r.path, r.behaviours));
    if (partner.behaviours.length) this.routes.push(new RuntimeRoute('*', '*', '*', partner.behaviours));
    if (!this.routes.length) throw new Error(`partner "${partner.name}" has no routes and no behaviours`);
    this.now = opts.now ?? Date.now;
    this.mono = opts.mono ?? (() => performance.now());
    this.random = opts.random ?? Math.random;
  }

  /** t = 0 of the timelines (wall-clock epoch ms). */
  startTimeline(t0: number): void {
    this.t0 = t0;
  }

  /** Every behaviour of every timeline (for checks such as "does it use socket faults"). */
  allBehaviours(): Array<{ route: string; index: number; kind: string }> {
    return this.routes.flatMap((r) => r.timeline.map((b, index) => ({ route: r.name, index, kind: kindOf(b) })));
  }

  private active(r: RuntimeRoute, nowMs: number): { compiled: Compiled; index: number } {
    if (r.override) return { compiled: r.override.compiled, index: -1 };
    const t = nowMs - this.t0;
    const index = r.compiled.length === 1 ? 0 : behaviourIndexAt(r.timeline, Number.isFinite(t) ? t : 0);
    return { compiled: r.compiled[index], index };
  }

  /** The answer to a request, or null when no route matches it. */
  decide(req: RequestFacts): RuntimeDecision | null {
    let route: RuntimeRoute | undefined;
    for (const r of this.routes) {
      if (r.matches(req.method, req.path)) {
        route = r;
        break;
      }
    }
    if (!route) return null;
    const nowMs = this.now();
    const { compiled, index } = this.active(route, nowMs);
    const memory = this.memory.get(compiled);
    const d = decide(compiled, req, { nowMs, monoMs: this.mono(), random: this.random }, (key) => memory?.get(key));
    if (d.remember) this.remember(compiled, d.remember.key, d.remember.memory);
    return { answer: d.answer, status: d.status, retryAfter: d.retryAfter, retryAfterUntil: d.retryAfterUntil, remember: d.remember, route: route.name, behaviour: index, kind: compiled.kind };
  }

  private remember(b: Compiled, key: string, m: Memory): void {
    let keys = this.memory.get(b);
    if (!keys) this.memory.set(b, (keys = new Map()));
    keys.delete(key); // re-insert: Map order is the age
    keys.set(key, m);
    if (keys.size > MAX_KEYS) keys.delete(keys.keys().next().value as string);
  }

  private route(ref: string): RuntimeRoute {
    const r = this.routes.find((x) => x.name === ref) ?? (/^\d+$/.test(ref) ? this.routes[Number(ref)] : undefined);
    if (!r) throw new UnknownRouteError(this.name, ref, this.routes.map((x) => x.name));
    return r;
  }

  /** Switches a route (its name or index) to `behaviour` until cleared; its state starts fresh. */
  override(ref: string, behaviour: BehaviourInput): RouteView {
    const r = this.route(ref);
    const spec = Behaviour.parse(behaviour);
    r.override = { spec, compiled: compileBehaviour(spec) };
    return this.view(r);
  }

  /** Back to the route's timeline. */
  clearOverride(ref: string): RouteView {
    const r = this.route(ref);
    r.override = null;
    return this.view(r);
  }

  /** Every route back to its timeline; sequences and rate limits forget everything. */
  reset(): void {
    for (const r of this.routes) r.override = null;
    this.memory.clear();
  }

  private view(r: RuntimeRoute): RouteView {
    const { index } = this.active(r, this.now());
    const active = r.override
      ? { source: 'override' as const, index: null, kind: kindOf(r.override.spec), behaviour: r.override.spec }
      : { source: 'timeline' as const, index, kind: kindOf(r.timeline[index]), behaviour: r.timeline[index] };
    return { name: r.name, method: r.method, path: r.path, active, timeline: r.timeline.map((b) => ({ atMs: b.atMs, kind: kindOf(b) })) };
  }

  views(): RouteView[] {
    return this.routes.map((r) => this.view(r));
  }

  routeView(ref: string): RouteView {
    return this.view(this.route(ref));
  }
}
