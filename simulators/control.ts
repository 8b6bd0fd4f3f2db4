// The runtime control API of the simulators, under the reserved prefix /__gameday/ of every
// simulator server (loopback only):
//   GET    /__gameday/partners                        every partner, its routes and their active behaviour
//   GET    /__gameday/partners/{partner}              one partner
//   GET    /__gameday/partners/{partner}/routes/{route}
//   PUT    /__gameday/partners/{partner}/routes/{route}   body: a behaviour (JSON) → used until cleared
//   DELETE /__gameday/partners/{partner}/routes/{route}   back to the timeline
//   POST   /__gameday/partners/{partner}/reset        every route of the partner back to its timeline, state forgotten
//   POST   /__gameday/reset                           the same for every partner
// {route} is the route's name ("GET /offers" URL-encoded, "*" for the partner-wide timeline) or
// its index. Unknown partner or route → 404, an invalid behaviour → 400; nothing changes then.
import { z } from 'zod';
import { Behaviour } from '../src/schema/partner.ts';
import { UnknownRouteError, type PartnerRuntime } from './runtime.ts';

export const CONTROL_PREFIX = '/__gameday';

export interface ControlTarget {
  runtime: PartnerRuntime;
  url: string;
}

export interface ControlResult {
  status: number;
  body: unknown;
}

const notFound = (error: string): ControlResult => ({ status: 404, body: { error } });

function describe(name: string, t: ControlTarget) {
  return { name, url: t.url, routes: t.runtime.views() };
}

/** Answers one control request; `path` starts with /__gameday. */
export function controlRequest(partners: ReadonlyMap<string, ControlTarget>, method: string, path: string, body: string): ControlResult {
  const parts = path.slice(CONTROL_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  const known = () => [...partners.keys()].join(', ');
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'partners')) {
    if (method !== 'GET') return { status: 405, body: { error: 'use GET' } };
    return { status: 200, body: { partners: [...partners].map(([n, t]) => describe(n, t)) } };
  }
  if (parts.length === 1 && parts[0] === 'reset') {
    if (method !== 'POST') return { status: 405, body: { error: 'use POST' } };
    for (const t of partners.values()) t.runtime.reset();
    return { status: 200, body: { reset: [...partners.keys()] } };
  }
  if (parts[0] !== 'partners') return notFound(`no control endpoint ${path}: see GET ${CONTROL_PREFIX}/partners`);
  const target = partners.get(parts[1]);
  if (!target) return notFound(`no partner "${parts[1]}": partners are ${known()}`);
  const rt = target.runtime;
  if (parts.length === 2) return method === 'GET' ? { status: 200, body: describe(parts[1], target) } : { status: 405, body: { error: 'use GET' } };
  if (parts.length === 3 && parts[2] === 'reset') {
    if (method !== 'POST') return { status: 405, body: { error: 'use POST' } };
    rt.reset();
    return { status: 200, body: { reset: [parts[1]] } };
  }
  if (parts.length !== 4 || parts[2] !== 'routes') return notFound(`no control endpoint ${path}: see GET ${CONTROL_PREFIX}/partners`);
  const ref = parts[3];
  try {
    if (method === 'GET') return { status: 200, body: rt.routeView(ref) };
    if (method === 'DELETE') return { status: 200, body: rt.clearOverride(ref) };
    if (method === 'PUT') {
      rt.routeView(ref); // unknown route → 404 before looking at the body
      let raw: unknown;
      try {
        raw = JSON.parse(body);
      } catch {
        return { status: 400, body: { error: 'the body is not JSON: send a behaviour, e.g. {"kind":"respond","status":503,"retryAfter":2}' } };
      }
      const parsed = Behaviour.safeParse(raw);
      if (!parsed.success) return { status: 400, body: { error: 'not a valid behaviour', problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(behaviour)'}: ${i.message}`) } };
      return { status: 200, body: rt.override(ref, parsed.data) };
    }
    return { status: 405, body: { error: 'use GET, PUT or DELETE' } };
  } catch (err) {
    if (err instanceof UnknownRouteError) return notFound(err.message);
    if (err instanceof z.ZodError) return { status: 400, body: { error: err.message } };
    throw err;
  }
}
