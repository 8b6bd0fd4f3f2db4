// Calls to the partner API: per-attempt timeout inside an overall budget, exponential backoff
// with full jitter, Retry-After honoured (and remembered for later calls), a circuit breaker.
// Every retry decision is recorded (the last 200) so a drill can read the schedule the hub chose.
import crypto from 'node:crypto';

export const ATTEMPT_TIMEOUT_MS = 400;
export const CALL_BUDGET_MS = 900;
export const MAX_ATTEMPTS = 4;
export const BACKOFF_BASE_MS = 50;
export const BACKOFF_CAP_MS = 400;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Retry-After: delay-seconds or an HTTP-date (RFC 9110) → ms from now, or null. */
export function retryAfterMs(value, now = Date.now()) {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * The pause before attempt `attempt + 1` when the partner gave no Retry-After.
 * Healthy: full jitter, uniform in [0, min(cap, base * 2^(attempt-1))).
 * @param {number} attempt the attempt that just failed (1-based)
 * @param {{ jitter?: boolean, backoff?: boolean, random?: () => number, base?: number, cap?: number }} [o]
 */
export function backoffDelayMs(attempt, o = {}) {
  if (o.backoff === false) return 0;
  const ceiling = Math.min(o.cap ?? BACKOFF_CAP_MS, (o.base ?? BACKOFF_BASE_MS) * 2 ** (attempt - 1));
  return o.jitter === false ? ceiling : (o.random ?? Math.random)() * ceiling;
}

/**
 * @param {{ partnerUrl: string, defects: ReadonlySet<string>, breaker: import('./circuit-breaker.mjs').CircuitBreaker }} o
 */
export function createPartnerClient({ partnerUrl, defects, breaker, clientId = 'partner-hub' }) {
  /** the partner asked us (Retry-After) not to call before this time */
  let partnerBlockedUntil = 0;
  /** @type {Array<{ at: string, requestId: string, attempt: number, outcome: string, delayMs: number | null, basis: string }>} */
  const retries = [];
  const counters = { calls: 0, attempts: 0, succeeded: 0, gaveUp: 0, shortCircuited: 0, heldBackByRetryAfter: 0 };
  const honourRetryAfter = !defects.has('ignore-retry-after');

  function record(entry) {
    retries.push({ at: new Date().toISOString(), ...entry });
    if (retries.length > 200) retries.shift();
  }

  /** The partner's offers as text, or null when they cannot be had within the budget. */
  async function fetchOffers() {
    counters.calls++;
    const deadline = Date.now() + CALL_BUDGET_MS;
    const requestId = crypto.randomUUID();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (honourRetryAfter && Date.now() < partnerBlockedUntil) {
        counters.heldBackByRetryAfter++;
        return giveUp();
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return giveUp();
      const permit = breaker.acquire();
      if (!permit.allowed) {
        counters.shortCircuited++;
        return giveUp();
      }
      let wait;
      let outcome;
      counters.attempts++;
      try {
        const res = await fetch(`${partnerUrl}/offers`, {
          headers: { 'x-request-id': requestId, 'x-attempt': String(attempt), 'x-client-id': clientId },
          signal: AbortSignal.timeout(Math.min(ATTEMPT_TIMEOUT_MS, remaining)),
        });
        const body = await res.text();
        if (res.ok) {
          breaker.success();
          counters.succeeded++;
          return body;
        }
        outcome = `http ${res.status}`;
        const ra = honourRetryAfter ? retryAfterMs(res.headers.get('retry-after')) : null;
        if (res.status >= 500 || res.status === 429) breaker.failure();
        else breaker.success(); // the partner answered: a client error is not an outage
        if (ra !== null) {
          partnerBlockedUntil = Math.max(partnerBlockedUntil, Date.now() + ra);
          wait = ra;
        } else if (res.status < 500 && res.status !== 429) {
          record({ requestId, attempt, outcome, delayMs: null, basis: 'not retryable' });
          return giveUp(); // a client error will not get better by retrying
        }
      } catch (err) {
        // timeout or connection error: retry with backoff
        breaker.failure();
        outcome = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'connection error';
      }
      if (permit.probe) {
        // the half-open probe failed: the breaker is open again, do not retry
        record({ requestId, attempt, outcome, delayMs: null, basis: 'half-open probe failed' });
        return giveUp();
      }
      // exponential backoff with full jitter, unless the partner told us how long to wait
      const basis = wait !== undefined ? 'retry-after' : defects.has('no-backoff') ? 'no-backoff' : defects.has('no-jitter') ? 'no-jitter' : 'full-jitter';
      wait ??= backoffDelayMs(attempt, { backoff: !defects.has('no-backoff'), jitter: !defects.has('no-jitter') });
      if (attempt === MAX_ATTEMPTS || Date.now() + wait >= deadline) {
        record({ requestId, attempt, outcome, delayMs: null, basis: attempt === MAX_ATTEMPTS ? 'attempts exhausted' : `${basis}: ${Math.round(wait)} ms is over the call budget` });
        return giveUp();
      }
      record({ requestId, attempt, outcome, delayMs: wait, basis });
      if (wait > 0) await sleep(wait);
    }
    return giveUp();
  }

  function giveUp() {
    counters.gaveUp++;
    return null;
  }

  return {
    fetchOffers,
    snapshot: () => ({
      ...counters,
      retryAfterUntil: partnerBlockedUntil > Date.now() ? new Date(partnerBlockedUntil).toISOString() : null,
      retries: [...retries],
    }),
  };
}
