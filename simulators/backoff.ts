// Backoff as the AWS architecture blog defines it, and Retry-After (RFC 9110). Pure.
//   expo(k)       = min(cap, base · 2^k)            k = 0 for the wait after the first attempt
//   full          = U(0, expo(k))
//   equal         = expo(k)/2 + U(0, expo(k)/2)
//   decorrelated  = min(cap, U(base, prev · 3))     prev = the previous wait (base at first)
//   none          = expo(k)
import { JITTERS, type Jitter } from '../src/schema/vocabulary.ts';

export { JITTERS, type Jitter };

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  jitter: Jitter;
}

export function expoMs(p: { baseMs: number; capMs: number }, retry: number): number {
  return Math.min(p.capMs, p.baseMs * 2 ** retry);
}

/** The wait before retry number `retry` + 1 (0-based), given the previous wait for decorrelated jitter. */
export function backoffDelay(p: BackoffPolicy, retry: number, random: () => number, prevMs = p.baseMs): number {
  const expo = expoMs(p, retry);
  switch (p.jitter) {
    case 'full':
      return random() * expo;
    case 'equal':
      return expo / 2 + random() * (expo / 2);
    case 'decorrelated':
      return Math.min(p.capMs, p.baseMs + random() * (Math.max(p.baseMs, prevMs * 3) - p.baseMs));
    case 'none':
      return expo;
  }
}

/** The range a policy allows for that wait. */
export function backoffBounds(p: BackoffPolicy, retry: number, prevMs = p.baseMs): { min: number; max: number } {
  const expo = expoMs(p, retry);
  switch (p.jitter) {
    case 'full':
      return { min: 0, max: expo };
    case 'equal':
      return { min: expo / 2, max: expo };
    case 'decorrelated':
      return { min: Math.min(p.baseMs, p.capMs), max: Math.min(p.capMs, Math.max(p.baseMs, prevMs * 3)) };
    case 'none':
      return { min: expo, max: expo };
  }
}

export interface RetryAfter {
  /** ms to wait from `nowMs` */
  ms: number;
  /** as seconds (for the date form: from now to the date) */
  seconds: number;
  /** the HTTP-date form: that instant, epoch ms; null for delay-seconds */
  untilMs: number | null;
}

/** Retry-After: delay-seconds or an HTTP-date; null when absent or not understood. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): RetryAfter | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return { ms: Number(v) * 1000, seconds: Number(v), untilMs: null };
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  const ms = Math.max(0, at - nowMs);
  return { ms, seconds: ms / 1000, untilMs: at };
}

/** Whether an answer is worth retrying: 429, 5xx (and 408), or no answer at all. */
export function retryable(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}
