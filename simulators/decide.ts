// Deciding a partner's answer: one pure function that both transports (the node:http server
// and the msw handlers) call, so that they cannot drift. A behaviour is compiled once (bodies
// serialised, headers built); `decide` then turns (behaviour, request, clock, randomness, what
// was remembered for this request's key) into an answer and what to remember next.
import http from 'node:http';
import type { Behaviour, Latency } from '../src/schema/partner.ts';
import { sampleLatency } from './latency.ts';

export const DEFAULT_BODY = JSON.stringify({ offers: [{ id: 'offer-1', price: 129 }, { id: 'offer-2', price: 189 }] });
/** What a malformed-json behaviour sends: a JSON document cut in the middle of a string. */
export const MALFORMED_JSON = '{"offers": [{"id": "offer-1", "price": 129}, {"id": "offer-2", "pri';

/** The request headers the simulators read (decisions and journal); no other header is looked at. */
export const WATCHED_HEADERS = ['x-request-id', 'x-attempt', 'idempotency-key', 'webhook-id', 'x-github-delivery', 'x-client-id'] as const;

/** What the decision needs to know about a request. */
export interface RequestFacts {
  method: string;
  /** path without the query */
  path: string;
  /** a header by its lower-case name */
  header(name: string): string | undefined;
  remoteAddress: string | null;
}

export interface DecideClock {
  /** wall clock, epoch ms (HTTP-dates) */
  nowMs: number;
  /** monotonic ms (token buckets) */
  monoMs: number;
  /** uniform in [0, 1) */
  random: () => number;
}

export type Answer =
  | { type: 'respond'; status: number; headers: Record<string, string>; body: Uint8Array; delayMs: number }
  /** never answer */
  | { type: 'hang' }
  /** a TCP RST after delayMs */
  | { type: 'reset'; delayMs: number }
  /** status, headers (chunked) and the first sendBytes of the body, then the connection is destroyed */
  | { type: 'close-mid-body'; status: number; headers: Record<string, string>; body: Uint8Array; sendBytes: number; delayMs: number }
  /** Content-Length of the whole body, only sendBytes of it, then the connection is ended */
  | { type: 'truncated'; status: number; headers: Record<string, string>; body: Uint8Array; sendBytes: number; delayMs: number }
  /** the body chunkBytes at a time, one chunk every intervalMs */
  | { type: 'slow-dribble'; status: number; headers: Record<string, string>; body: Uint8Array; chunkBytes: number; intervalMs: number; delayMs: number };

/** Per-key state of a behaviour: requests counted by a sequence, or a client's token bucket. */
export type Memory = { count: number } | { tokens: number; atMs: number };

export interface Decision {
  answer: Answer;
  /** HTTP status sent, or null when none is (hang, reset) */
  status: number | null;
  /** Retry-After sent, in seconds (for the date form: seconds from now to the date) */
  retryAfter: number | null;
  /** the HTTP-date sent as Retry-After, epoch ms; null for the seconds form */
  retryAfterUntil: number | null;
  /** state to keep under `key` for the next request with the same key */
  remember?: { key: string; memory: Memory };
}

// --- compiled behaviours -------------------------------------------------------------------

/** A ready answer: status, headers (content-type, content-length), body bytes, Retry-After. */
export interface Template {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  retryAfter: number | null;
  retryAfterDate: boolean;
  /** the decision for this fixed answer, made once (see respond) */
  fixed?: Decision;
}

export type Compiled =
  | { kind: 'respond' | 'malformed-json'; latency: Latency; answer: Template }
  | { kind: 'sequence'; latency: Latency; steps: Template[]; then: 'hold-last' | 'repeat'; scope: 'route' | 'call' }
  | { kind: 'rate-limit'; latency: Latency; rate: number; burst: number; ok: Template; limited: Template }
  | { kind: 'hang' }
  | { kind: 'reset'; latency: Latency }
  | { kind: 'close-mid-body' | 'truncated'; latency: Latency; answer: Template; fraction: number }
  | { kind: 'slow-dribble'; latency: Latency; answer: Template; chunkBytes: number; intervalMs: number };

function defaultBody(status: number): string {
  return status < 300 ? DEFAULT_BODY : JSON.stringify({ error: http.STATUS_CODES[status] ?? 'error' });
}

/** 1xx, 204 and 304 carry no body (RFC 9110) */
function bodiless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

function template(a: { status: number; headers?: Record<string, string>; body?: unknown; retryAfter?: number; retryAfterDate?: boolean }, rawBody?: string): Template {
  const none = bodiless(a.status);
  const text = none ? '' : (rawBody ?? (a.body === undefined ? defaultBody(a.status) : typeof a.body === 'string' ? a.body : JSON.stringify(a.body)));
  const body = Buffer.from(text, 'utf8'); // a Buffer: node writes it without a conversion
  const headers: Record<string, string> = none ? {} : { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(a.headers ?? {})) headers[k.toLowerCase()] = v;
  if (!none) headers['content-length'] = String(body.byteLength);
  const retryAfter = a.retryAfter ?? null;
  if (retryAfter !== null && !a.retryAfterDate) headers['retry-after'] = String(retryAfter);
  return { status: a.status, headers, body, retryAfter, retryAfterDate: a.retryAfterDate === true };
}

/** A behaviour as the schema gives it → ready to answer with (bodies serialised once). */
export function compileBehaviour(b: Behaviour): Compiled {
  switch (b.kind) {
    case undefined:
    case 'respond':
      return { kind: 'respond', latency: b.latency, answer: template(b) };
    case 'malformed-json':
      return { kind: 'malformed-json', latency: b.latency, answer: template(b, MALFORMED_JSON) };
    case 'sequence':
      return { kind: 'sequence', latency: b.latency, then: b.then, scope: b.scope, steps: b.steps.map((s) => template(typeof s === 'number' ? { status: s } : s)) };
    case 'rate-limit':
      return {
        kind: 'rate-limit',
        latency: b.latency,
        rate: b.rate,
        burst: b.burst ?? Math.max(1, Math.ceil(b.rate)),
        ok: template(b),
        // the Retry-After of a 429 is computed per request from the bucket
        limited: template({ status: b.limitedStatus, retryAfterDate: b.retryAfterDate }),
      };
    case 'hang':
      return { kind: 'hang' };
    case 'reset':
      return { kind: 'reset', latency: b.latency };
    case 'close-mid-body':
    case 'truncated':
      return { kind: b.kind, latency: b.latency, answer: template(b), fraction: b.fraction };
    case 'slow-dribble':
      return { kind: 'slow-dribble', latency: b.latency, answer: template(b), chunkBytes: b.chunkBytes, intervalMs: b.interval };
  }
}

// --- deciding ------------------------------------------------------------------------------

/** The HTTP-date (IMF-fixdate) `seconds` from `nowMs`, rounded up to a whole second so that it is never earlier. */
export function retryAfterDate(nowMs: number, seconds: number): { header: string; untilMs: number } {
  const untilMs = Math.ceil((nowMs + seconds * 1000) / 1000) * 1000;
  return { header: new Date(untilMs).toUTCString(), untilMs };
}

/** Key of the logical call a request belongs to: x-request-id, else idempotency-key, else "". */
export function callKeyOf(req: RequestFacts): string {
  return req.header('x-request-id') ?? req.header('idempotency-key') ?? '';
}

/** Key of the client a rate limit counts: x-client-id, else the remote address. */
export function clientKeyOf(req: RequestFacts): string {
  return req.header('x-client-id') ?? req.remoteAddress ?? '';
}

/**
 * A decision to answer with template `t`. Decisions are read-only: the one for a fixed answer
 * (no per-request Retry-After, nothing to remember) is made once and reused.
 */
function respond(t: Template, delayMs: number, nowMs: number, retryAfter: number | null = t.retryAfter, remember?: Decision['remember']): Decision {
  if (retryAfter === t.retryAfter && !t.retryAfterDate && remember === undefined) {
    if (t.fixed?.answer.type === 'respond' && t.fixed.answer.delayMs === delayMs) return t.fixed;
    return (t.fixed = { answer: { type: 'respond', status: t.status, headers: t.headers, body: t.body, delayMs }, status: t.status, retryAfter, retryAfterUntil: null });
  }
  if (retryAfter === null) return { answer: { type: 'respond', status: t.status, headers: t.headers, body: t.body, delayMs }, status: t.status, retryAfter: null, retryAfterUntil: null, remember };
  if (!t.retryAfterDate) {
    const headers = retryAfter === t.retryAfter ? t.headers : { ...t.headers, 'retry-after': String(retryAfter) };
    return { answer: { type: 'respond', status: t.status, headers, body: t.body, delayMs }, status: t.status, retryAfter, retryAfterUntil: null, remember };
  }
  // the date is computed when the answer leaves, so that it is `retryAfter` seconds from then
  const date = retryAfterDate(nowMs + delayMs, retryAfter);
  return {
    answer: { type: 'respond', status: t.status, headers: { ...t.headers, 'retry-after': date.header }, body: t.body, delayMs },
    status: t.status,
    retryAfter,
    retryAfterUntil: date.untilMs,
    remember,
  };
}

/** Token bucket: refill since the last request, then take one token if there is one. */
export function takeToken(bucket: { tokens: number; atMs: number } | undefined, rate: number, burst: number, monoMs: number): { allowed: boolean; bucket: { tokens: number; atMs: number }; retryAfterS: number } {
  const before = bucket ? Math.min(burst, bucket.tokens + ((monoMs - bucket.atMs) / 1000) * rate) : burst;
  if (before >= 1) return { allowed: true, bucket: { tokens: before - 1, atMs: monoMs }, retryAfterS: 0 };
  // whole seconds until a token is there (Retry-After has no fractions), at least 1
  return { allowed: false, bucket: { tokens: before, atMs: monoMs }, retryAfterS: Math.max(1, Math.ceil((1 - before) / rate)) };
}

/**
 * The answer of behaviour `b` to request `req`. Pure: the clock and randomness come in `clock`;
 * `recall(key)` reads what an earlier decision asked to remember (sequence position, token
 * bucket), and the caller stores `remember` for the next one.
 */
export function decide(b: Compiled, req: RequestFacts, clock: DecideClock, recall: (key: string) => Memory | undefined): Decision {
  if (b.kind === 'hang') return { answer: { type: 'hang' }, status: null, retryAfter: null, retryAfterUntil: null };
  const delayMs = sampleLatency(b.latency, clock.random);
  switch (b.kind) {
    case 'respond':
    case 'malformed-json':
      return respond(b.answer, delayMs, clock.nowMs);
    case 'sequence': {
      const key = b.scope === 'call' ? callKeyOf(req) : '';
      const seen = recall(key);
      const count = seen && 'count' in seen ? seen.count : 0;
      const step = b.then === 'repeat' ? count % b.steps.length : Math.min(count, b.steps.length - 1);
      return respond(b.steps[step], delayMs, clock.nowMs, b.steps[step].retryAfter, { key, memory: { count: count + 1 } });
    }
    case 'rate-limit': {
      const key = clientKeyOf(req);
      const seen = recall(key);
      const take = takeToken(seen && 'tokens' in seen ? seen : undefined, b.rate, b.burst, clock.monoMs);
      const remember = { key, memory: take.bucket };
      return take.allowed ? respond(b.ok, delayMs, clock.nowMs, b.ok.retryAfter, remember) : respond(b.limited, delayMs, clock.nowMs, take.retryAfterS, remember);
    }
    case 'reset':
      return { answer: { type: 'reset', delayMs }, status: null, retryAfter: null, retryAfterUntil: null };
    case 'close-mid-body':
    case 'truncated': {
      const t = b.answer;
      const sendBytes = Math.floor(t.body.byteLength * b.fraction);
      const headers = { ...t.headers };
      if (b.kind === 'close-mid-body') delete headers['content-length']; // chunked: the client cannot know the length
      else headers.connection = 'close';
      return { answer: { type: b.kind, status: t.status, headers, body: t.body, sendBytes, delayMs }, status: t.status, retryAfter: null, retryAfterUntil: null };
    }
    case 'slow-dribble': {
      const t = b.answer;
      return { answer: { type: 'slow-dribble', status: t.status, headers: t.headers, body: t.body, chunkBytes: b.chunkBytes, intervalMs: b.intervalMs, delayMs }, status: t.status, retryAfter: null, retryAfterUntil: null };
    }
  }
}
