// One way to wait: an abortable sleep (node's own timers/promises), a race against a timer that
// never outlives it, and a poll loop that ends with an error naming what did not happen.
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`; rejects with an AbortError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : undefined);
}

/** `promise`'s value, or null if `ms` pass first. The timer is cleared either way (it keeps no process alive). */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise, delay(ms, null, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly last: string,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last: ${last})` : ''}`);
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** pause between two checks (default 100 ms) */
  intervalMs?: number;
  /** what is awaited, for the timeout error ("http://127.0.0.1:8080/healthz to answer 2xx") */
  what: string;
  signal?: AbortSignal;
}

/**
 * Calls `check` until it returns something other than `false`, `null` or `undefined`, and
 * resolves with that. `note(detail)` records why it is not there yet, for the timeout error; an
 * exception from `check` ends the wait (it is not retried). Throws WaitTimeoutError after `timeoutMs`.
 */
export async function waitFor<T>(check: (note: (detail: string) => void) => Promise<T | false | null | undefined> | T | false | null | undefined, o: WaitOptions): Promise<T> {
  const deadline = performance.now() + o.timeoutMs;
  let last = '';
  const note = (detail: string) => (last = detail);
  for (;;) {
    o.signal?.throwIfAborted();
    const value = await check(note);
    if (value !== false && value !== null && value !== undefined) return value;
    const left = deadline - performance.now();
    if (left <= 0) throw new WaitTimeoutError(o.what, o.timeoutMs, last);
    await sleep(Math.min(o.intervalMs ?? 100, left), o.signal);
  }
}
