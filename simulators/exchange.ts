// One exchange (request and the partner's answer) as a journal entry: shared by both transports.
import type { JournalEntry } from '../src/schema/journal.ts';
import type { RequestFacts } from './decide.ts';
import type { RuntimeDecision } from './runtime.ts';

export type Outcome = 'answered' | 'hang' | 'reset' | 'closed-mid-body' | 'truncated' | 'dribbled' | 'client-closed' | 'no-route' | 'network-error';

export interface ExchangeTiming {
  /** wall clock when the request arrived, epoch ms */
  time: number;
  /** monotonic ms at the same instant */
  mono: number;
  durationMs: number;
}

function attemptOf(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

let lastTime = Number.NaN;
let lastIso = '';
/** ISO 8601 of an epoch ms; many exchanges share a millisecond under load */
function iso(time: number): string {
  if (time !== lastTime) {
    lastTime = time;
    lastIso = new Date(time).toISOString();
  }
  return lastIso;
}

/** ms to the microsecond: enough for gaps between attempts, and shorter lines */
export function micros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function exchangeEntry(partner: string, req: RequestFacts, d: RuntimeDecision | null, timing: ExchangeTiming, outcome: Outcome, bodyHash: string | null): JournalEntry {
  return {
    time: iso(timing.time),
    mono: micros(timing.mono),
    source: 'partner',
    partner,
    method: req.method,
    path: req.path,
    route: d?.route ?? null,
    requestId: req.header('x-request-id') ?? null,
    attempt: attemptOf(req.header('x-attempt')),
    idempotencyKey: req.header('idempotency-key') ?? null,
    webhookId: req.header('webhook-id') ?? req.header('x-github-delivery') ?? null,
    callId: null,
    bodyHash,
    clientKey: req.header('x-client-id') ?? req.remoteAddress,
    status: outcome === 'no-route' ? 404 : outcome === 'client-closed' ? null : (d?.status ?? null),
    retryAfter: d?.retryAfter ?? null,
    retryAfterUntil: d?.retryAfterUntil ?? null,
    behaviour: d?.behaviour ?? -1,
    kind: d?.kind ?? null,
    outcome,
    durationMs: micros(Math.max(0, timing.durationMs)),
    variant: null,
    error: null,
  };
}
