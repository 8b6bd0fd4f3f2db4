// Analysis of a simulator journal: pure functions from entries (and the SUT's side-effect
// records) to figures; judging them against the drill's objectives is journal-figures.ts's job.
//
// The wait before a retry is measured from the end of the previous exchange (the answer sent:
// mono + durationMs) to the arrival of the next attempt; it is at least the client's own wait.
import type { JournalEntry } from '../schema/journal.ts';
import { backoffBounds, expoMs, type BackoffPolicy } from '../../simulators/backoff.ts';
import type { WebhookVariant } from '../../simulators/webhooks.ts';

// --- logical calls -------------------------------------------------------------------------

/** One logical call: the sender's delivery id, else x-request-id, idempotency-key, webhook-id, body hash. */
export function callKey(e: JournalEntry): string | null {
  return e.callId ?? e.requestId ?? e.idempotencyKey ?? e.webhookId ?? e.bodyHash;
}

export interface Call {
  key: string;
  /** in order of arrival */
  attempts: JournalEntry[];
}

/** Attempts grouped by logical call; entries without any key are calls of their own. */
export function groupCalls(entries: readonly JournalEntry[]): Call[] {
  const calls = new Map<string, JournalEntry[]>();
  entries.forEach((e, i) => {
    const key = callKey(e) ?? `#${i}`;
    const list = calls.get(key);
    if (list) list.push(e);
    else calls.set(key, [e]);
  });
  return [...calls].map(([key, attempts]) => ({ key, attempts: attempts.sort((a, b) => a.mono - b.mono) }));
}

/** Time from the end of `prev` (its answer) to the arrival of `next`. */
export function waitBetween(prev: JournalEntry, next: JournalEntry): number {
  return next.mono - (prev.mono + prev.durationMs);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median absolute deviation: the spread of the middle half, blind to a few outliers (a stalled timer). */
export function mad(xs: number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

// --- backoff -------------------------------------------------------------------------------

export interface BackoffExpectation {
  policy: BackoffPolicy;
  /** attempts per call, at most (the first included) */
  maxAttempts: number;
  /** a wait may exceed its upper bound by this much before it counts as late: timers, scheduling, the network (default 50 ms) */
  slackMs?: number;
  /** jitter is present at a retry index when the spread (MAD) of its waits is at least this share of the range the policy allows there (default 0.1; uniform waits give 0.25) */
  minJitterRatio?: number;
  /** retry indexes with fewer waits are not judged for jitter (default 3) */
  minSamples?: number;
  /** the outage window (mono ms) in which the peak retry rate is measured; the whole journal when absent */
  outage?: { fromMono: number; toMono: number };
  /** retries per second, at most, in any window of windowMs inside the outage */
  maxRetryRate?: number;
  windowMs?: number;
}

export interface RetryIndexFigures {
  /** 0: the wait after the first attempt */
  retry: number;
  samples: number;
  medianMs: number;
  /** MAD of the waits */
  spreadMs: number;
  expoMs: number;
  jittered: boolean | null;
}

export interface BackoffFigures {
  calls: number;
  retriedCalls: number;
  /** waits judged against the policy (those after an answer without Retry-After) */
  waits: number;
  /** waits outside the bounds of the policy: early + late */
  outOfBounds: number;
  /** retries sooner than the policy allows: more aggressive than declared (a failure) */
  early: number;
  /** retries later than the policy allows (+ slack): slower than declared, or a loaded machine (a warning) */
  late: number;
  /** the first few waits out of bounds */
  outOfBoundsSamples: Array<{ call: string; retry: number; waitMs: number; minMs: number; maxMs: number }>;
  byRetry: RetryIndexFigures[];
  /** null: not enough retries to tell */
  jitterPresent: boolean | null;
  /** median wait at the last judged retry index over that at the first (informational: waits should grow) */
  growth: number | null;
  maxAttemptsObserved: number;
  callsOverMaxAttempts: number;
  /** retries per second in the busiest window (inside the outage, when given) */
  peakRetryRate: number;
  warnings: string[];
}

export function analyseBackoff(entries: readonly JournalEntry[], exp: BackoffExpectation): BackoffFigures {
  const slack = exp.slackMs ?? 50;
  const ratio = exp.minJitterRatio ?? 0.1;
  const minSamples = exp.minSamples ?? 3;
  const windowMs = exp.windowMs ?? 1000;
  const calls = groupCalls(entries);
  const waitsByRetry = new Map<number, number[]>();
  /** width of the allowed range for each wait, per retry index */
  const rangesByRetry = new Map<number, number[]>();
  const outOfBoundsSamples: BackoffFigures['outOfBoundsSamples'] = [];
  let early = 0;
  let late = 0;
  let waits = 0;
  let maxAttemptsObserved = 0;
  let callsOverMaxAttempts = 0;
  const retryTimes: number[] = [];

  for (const call of calls) {
    const a = call.attempts;
    maxAttemptsObserved = Math.max(maxAttemptsObserved, a.length);
    if (a.length > exp.maxAttempts) callsOverMaxAttempts++;
    let prevWait = exp.policy.baseMs;
    for (let i = 1; i < a.length; i++) {
      retryTimes.push(a[i].mono);
      const prev = a[i - 1];
      const wait = waitBetween(prev, a[i]);
      if (prev.retryAfter !== null) {
        prevWait = wait;
        continue; // the answer said how long to wait: analyseRetryAfter judges it
      }
      const retry = i - 1;
      const { min, max } = backoffBounds(exp.policy, retry, prevWait);
      waits++;
      const tooEarly = wait < min - 2;
      const tooLate = wait > max + slack;
      if (tooEarly) early++;
      if (tooLate) late++;
      if (tooEarly || tooLate) {
        if (outOfBoundsSamples.length < 10) outOfBoundsSamples.push({ call: call.key, retry, waitMs: round(wait), minMs: round(min), maxMs: round(max) });
      }
      if (!waitsByRetry.has(retry)) {
        waitsByRetry.set(retry, []);
        rangesByRetry.set(retry, []);
      }
      waitsByRetry.get(retry)!.push(wait);
      rangesByRetry.get(retry)!.push(max - min);
      prevWait = wait;
    }
  }

  const byRetry: RetryIndexFigures[] = [...waitsByRetry]
    .sort(([a], [b]) => a - b)
    .map(([retry, ws]) => {
      const expo = expoMs(exp.policy, retry);
      const spread = mad(ws);
      const range = median(rangesByRetry.get(retry)!);
      return {
        retry,
        samples: ws.length,
        medianMs: round(median(ws)),
        spreadMs: round(spread),
        expoMs: expo,
        jittered: ws.length >= minSamples ? spread >= Math.max(2, ratio * range) : null,
      };
    });
  const judged = byRetry.filter((r) => r.jittered !== null);
  const jitterPresent = judged.length ? judged.filter((r) => r.jittered).length * 2 >= judged.length : null;
  const growth = judged.length >= 2 && judged[0].medianMs > 0 ? round(judged[judged.length - 1].medianMs / judged[0].medianMs) : null;

  // peak retry rate: the most retries in any window starting at a retry
  const inWindow = exp.outage ? retryTimes.filter((t) => t >= exp.outage!.fromMono && t <= exp.outage!.toMono) : retryTimes;
  inWindow.sort((x, y) => x - y);
  let peak = 0;
  for (let i = 0, j = 0; i < inWindow.length; i++) {
    while (inWindow[j] < inWindow[i] - windowMs + 1e-9) j++;
    peak = Math.max(peak, i - j + 1);
  }
  const peakRetryRate = round(peak / (windowMs / 1000));

  const warnings: string[] = [];
  const retriedCalls = calls.filter((c) => c.attempts.length > 1).length;
  if (late) warnings.push(`${late} of ${waits} retries came later than ${exp.policy.jitter}-jitter backoff allows (+${slack} ms slack)`);
  if (exp.policy.jitter !== 'none') {
  }
  if (growth !== null && growth < 1.25 && expoMs(exp.policy, judged[judged.length - 1].retry) >= 2 * expoMs(exp.policy, judged[0].retry)) {
    warnings.push(`waits do not grow: median ${judged[0].medianMs} ms at retry ${judged[0].retry}, ${judged[judged.length - 1].medianMs} ms at retry ${judged[judged.length - 1].retry}`);
  }
  return {
    calls: calls.length,
    retriedCalls,
    waits,
    outOfBounds: early + late,
    early,
    late,
    outOfBoundsSamples,
    byRetry,
    jitterPresent,
    growth,
    maxAttemptsObserved,
    callsOverMaxAttempts,
    peakRetryRate,
    warnings,
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

// --- Retry-After ---------------------------------------------------------------------------

export interface RetryAfterFigures {
  /** answers with Retry-After that were followed by another attempt of the same call */
  checked: number;
  honoured: number;
  violations: number;
  bySeconds: { checked: number; violations: number };
  byDate: { checked: number; violations: number };
  /** the first few retries that came too early */
  samples: Array<{ call: string; attempt: number; form: 'seconds' | 'date'; earlyByMs: number }>;
}

/**
 * The next attempt must not arrive before the Retry-After the previous answer gave: delay-seconds
 * from when the answer was sent, or the HTTP-date (mapped to the monotonic clock through the
 * entry's own wall-clock time).
 */
export function analyseRetryAfter(entries: readonly JournalEntry[], opts: { toleranceMs?: number; scope?: 'call' | 'client' } = {}): RetryAfterFigures {
  const tolerance = opts.toleranceMs ?? 10;
  const f: RetryAfterFigures = { checked: 0, honoured: 0, violations: 0, bySeconds: { checked: 0, violations: 0 }, byDate: { checked: 0, violations: 0 }, samples: [] };
  if (opts.scope === 'client') return clientRetryAfter(entries, tolerance, f);
  for (const call of groupCalls(entries)) {
    const a = call.attempts;
    for (let i = 1; i < a.length; i++) {
      const prev = a[i - 1];
      if (prev.retryAfter === null) continue;
      const form = prev.retryAfterUntil !== null ? 'date' : 'seconds';
      const notBefore = form === 'date' ? prev.mono + (prev.retryAfterUntil! - Date.parse(prev.time)) : prev.mono + prev.durationMs + prev.retryAfter * 1000;
      const early = notBefore - a[i].mono;
      const bucket = form === 'date' ? f.byDate : f.bySeconds;
      f.checked++;
      bucket.checked++;
      if (early > tolerance) {
        f.violations++;
        bucket.violations++;
        if (f.samples.length < 10) f.samples.push({ call: call.key, attempt: i + 1, form, earlyByMs: round(early) });
      } else f.honoured++;
    }
  }
  return f;
}

/** When the previous answer's Retry-After ends, on the monotonic clock. */
function notBeforeOf(prev: JournalEntry): { form: 'seconds' | 'date'; at: number } {
  const form = prev.retryAfterUntil !== null ? 'date' : 'seconds';
  return { form, at: form === 'date' ? prev.mono + (prev.retryAfterUntil! - Date.parse(prev.time)) : prev.mono + prev.durationMs + prev.retryAfter! * 1000 };
}

/**
 * Client scope: Retry-After holds back the whole client, not only the call that got it (RFC 9110
 * §10.2.3: how long the user agent ought to wait before making a follow-up request). For every
 * answer with Retry-After, no request of the same client (x-client-id, else the remote address)
 * may arrive after that answer was sent (+ tolerance: requests already on their way) and before
 * the Retry-After ends. Checked: answers the client sent anything after.
 */
function clientRetryAfter(entries: readonly JournalEntry[], tolerance: number, f: RetryAfterFigures): RetryAfterFigures {
  const byClient = new Map<string, JournalEntry[]>();
  for (const e of entries) {
    const key = `${e.partner} ${e.clientKey ?? ''}`;
    const list = byClient.get(key);
    if (list) list.push(e);
    else byClient.set(key, [e]);
  }
  for (const [client, list] of byClient) {
    list.sort((a, b) => a.mono - b.mono);
    for (let i = 0; i < list.length; i++) {
      const prev = list[i];
      if (prev.retryAfter === null) continue;
      const answeredAt = prev.mono + prev.durationMs;
      const { form, at } = notBeforeOf(prev);
      let followed = false;
      let early: JournalEntry | null = null;
      for (let j = i + 1; j < list.length; j++) {
        const next = list[j];
        if (next.mono <= answeredAt + tolerance) continue; // sent before the answer could be seen
        followed = true;
        if (next.mono < at - tolerance) early = next;
        break;
      }
      if (!followed) continue;
      const bucket = form === 'date' ? f.byDate : f.bySeconds;
      f.checked++;
      bucket.checked++;
      if (early) {
        f.violations++;
        bucket.violations++;
        if (f.samples.length < 10) f.samples.push({ call: `${client.trim()} ${callKey(early) ?? ''}`.trim(), attempt: early.attempt ?? 1, form, earlyByMs: round(at - early.mono) });
      } else f.honoured++;
    }
  }
  return f;
}

// --- idempotency ---------------------------------------------------------------------------

/** One side effect the SUT recorded (a row written, a webhook applied), under the key it was made for. */
export interface SideEffect {
  key: string;
}

export interface IdempotencyFigures {
  /** logical keys in the journal */
  keys: number;
  /** keys that were attempted more than once */
  keysWithRetries: number;
  /** keys with more than one side effect */
  duplicated: number;
  duplicates: Array<{ key: string; attempts: number; effects: number }>;
  /** side effects whose key the journal never saw */
  unknownEffects: number;
}

/** The key a side effect is recorded under: idempotency-key, else webhook-id, else x-request-id. */
export function idempotencyKeyOf(e: JournalEntry): string | null {
  return e.idempotencyKey ?? e.webhookId ?? e.requestId;
}

/** Every attempt with one key must have produced at most one side effect. */
export function analyseIdempotency(entries: readonly JournalEntry[], effects: readonly SideEffect[], opts: { keyOf?: (e: JournalEntry) => string | null } = {}): IdempotencyFigures {
  const keyOf = opts.keyOf ?? idempotencyKeyOf;
  const attempts = new Map<string, number>();
  for (const e of entries) {
    const k = keyOf(e);
    if (k !== null) attempts.set(k, (attempts.get(k) ?? 0) + 1);
  }
  const counts = new Map<string, number>();
  for (const s of effects) counts.set(s.key, (counts.get(s.key) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([key, n]) => ({ key, attempts: attempts.get(key) ?? 0, effects: n }));
  return {
    keys: attempts.size,
    keysWithRetries: [...attempts.values()].filter((n) => n > 1).length,
    duplicated: duplicates.length,
    duplicates: duplicates.slice(0, 20),
    unknownEffects: [...counts.keys()].filter((k) => !attempts.has(k)).length,
  };
}

// --- webhooks ------------------------------------------------------------------------------

export interface WebhookFigures {
  deliveries: number;
  byVariant: Partial<Record<WebhookVariant | string, { deliveries: number; accepted: number; rejected: number; unresolved: number }>>;
  /** forged deliveries the SUT accepted (2xx; for replays: applied a second time) — must be 0 */
  forgedAccepted: number;
  /** valid deliveries the SUT rejected (a final 4xx) — must be 0 */
  validRejected: number;
  /** valid deliveries without a final answer (retries exhausted on 429/5xx/no answer) */
  validUnresolved: number;
  /** replays answered 2xx; without side-effect records they cannot be judged */
  replaysAnsweredOk: number;
  warnings: string[];
}

/**
 * Judges the webhook sender's journal: the final answer of each delivery by variant. A replay
 * (same id, same bytes) answered 2xx is fine if it was not applied twice: give the SUT's side
 * effects (keyed by webhook id) to judge it.
 */
export function analyseWebhooks(entries: readonly JournalEntry[], opts: { sideEffects?: readonly SideEffect[] } = {}): WebhookFigures {
  const deliveries = groupCalls(entries.filter((e) => e.source === 'webhook-sender'));
  const effects = new Map<string, number>();
  for (const s of opts.sideEffects ?? []) effects.set(s.key, (effects.get(s.key) ?? 0) + 1);
  const f: WebhookFigures = { deliveries: deliveries.length, byVariant: {}, forgedAccepted: 0, validRejected: 0, validUnresolved: 0, replaysAnsweredOk: 0, warnings: [] };
  const forgedBy: Record<string, number> = {};
  for (const d of deliveries) {
    const last = d.attempts[d.attempts.length - 1];
    const variant = last.variant ?? 'valid';
    const v = (f.byVariant[variant] ??= { deliveries: 0, accepted: 0, rejected: 0, unresolved: 0 });
    v.deliveries++;
    const s = last.status;
    const result = s !== null && s >= 200 && s < 300 ? 'accepted' : s !== null && s < 500 && s !== 429 && s !== 408 ? 'rejected' : 'unresolved';
    v[result]++;
    if (variant === 'valid') {
      if (result === 'rejected') f.validRejected++;
      if (result === 'unresolved') f.validUnresolved++;
    } else if (variant === 'replayed-id') {
      if (result === 'accepted') {
        f.replaysAnsweredOk++;
        if (opts.sideEffects && last.webhookId && (effects.get(last.webhookId) ?? 0) > 1) {
          f.forgedAccepted++;
          forgedBy[variant] = (forgedBy[variant] ?? 0) + 1;
        }
      }
    } else if (result === 'accepted') {
      f.forgedAccepted++;
      forgedBy[variant] = (forgedBy[variant] ?? 0) + 1;
    }
  }
  if (f.validUnresolved) f.warnings.push(`${f.validUnresolved} valid webhook(s) without a final answer (retries exhausted or out of time)`);
  if (f.replaysAnsweredOk && !opts.sideEffects) f.warnings.push(`${f.replaysAnsweredOk} replay(s) answered 2xx: give the SUT's side effects to tell whether they were applied twice`);
  return f;
}
