// The webhook sender: delivers a partner's webhooks to the SUT at a rate — valid or forged per a
// mix — retries on 429 / 5xx / no answer honouring Retry-After (seconds or HTTP-date), else with
// capped exponential backoff (full jitter), up to a number of attempts; journals every attempt
// with the SUT's answer and the variant. Bounded in count and in time.
import { createHash, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { backoffDelay, parseRetryAfter, retryable, type BackoffPolicy } from './backoff.ts';
import { micros } from './exchange.ts';
import type { Journal, JournalEntry } from './journal.ts';
import { deliveryId, forgeDelivery, variantApplies, WEBHOOK_VARIANTS, type Delivery, type WebhookScheme, type WebhookVariant } from './webhooks.ts';

export interface SenderOptions {
  /** where to POST (the SUT's webhook endpoint; 127.0.0.1) */
  url: string;
  /** whose webhooks these are (journal) */
  partner: string;
  scheme: WebhookScheme;
  secret: string;
  /**
   * The partner's key rotation, on the wall clock (epoch ms): valid deliveries are signed with
   * previousSecret before `switchAt` (the SUT holds it until `retiredAt`), with `secret` from
   * then on; old-key-after-rotation deliveries are signed with previousSecret from `retiredAt`
   * (before it the old key is still valid, so one picked earlier is sent as a valid delivery).
   */
  rotation?: { previousSecret: string; switchAt: number; retiredAt: number };
  /** logical deliveries, at most */
  count: number;
  /** deliveries started per second */
  rate: number;
  /** hard bound: nothing starts, waits or stays in flight after this */
  maxDurationMs: number;
  /** relative weights of the variants (default: only valid); variants the scheme has not are skipped */
  mix?: Partial<Record<WebhookVariant, number>>;
  retry?: { maxAttempts?: number; baseMs?: number; capMs?: number };
  /** per attempt (default 5 s) */
  timeoutMs?: number;
  journal: Journal;
  /** the JSON payload of delivery i (default {id, type, data}) */
  payload?: (i: number, id: string) => unknown;
  random?: () => number;
  /** stops the sender early (a drill aborted): nothing new starts, waits end, in-flight attempts are cut */
  signal?: AbortSignal;
}

export interface VariantFigures {
  deliveries: number;
  attempts: number;
  /** the last answer was 2xx */
  accepted: number;
  /** the last answer was a non-retryable error (4xx) */
  rejected: number;
  /** no final answer: attempts exhausted, out of time, or the last answer still retryable */
  unresolved: number;
}

export interface SenderReport {
  deliveries: number;
  attempts: number;
  byVariant: Partial<Record<WebhookVariant, VariantFigures>>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Picks a variant by weight. */
export function pickVariant(weights: Array<[WebhookVariant, number]>, random: () => number): WebhookVariant {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [v, w] of weights) {
    if ((r -= w) < 0) return v;
  }
  return weights[weights.length - 1][0];
}

/**
 * The variant of delivery `i`: the first deliveries go through every variant the mix names once —
 * valid first, a replay last (so it has a delivery to replay) — then each is drawn by weight. A
 * compressed run with few deliveries still sends every variant it claims to test.
 */
export function variantAt(i: number, weights: Array<[WebhookVariant, number]>, random: () => number): WebhookVariant {
  const named = weights.map(([v]) => v);
  const order = [...named.filter((v) => v === 'valid'), ...named.filter((v) => v !== 'valid' && v !== 'replayed-id'), ...named.filter((v) => v === 'replayed-id')];
  return i < order.length ? order[i] : pickVariant(weights, random);
}

export async function sendWebhooks(opts: SenderOptions): Promise<SenderReport> {
  const random = opts.random ?? Math.random;
  const maxAttempts = opts.retry?.maxAttempts ?? 5;
  const policy: BackoffPolicy = { baseMs: opts.retry?.baseMs ?? 100, capMs: opts.retry?.capMs ?? 2000, jitter: 'full' };
  const timeoutMs = opts.timeoutMs ?? 5000;
  const weights = Object.entries(opts.mix ?? { valid: 1 }).filter(
    ([v, w]) => (WEBHOOK_VARIANTS as readonly string[]).includes(v) && (w ?? 0) > 0 && variantApplies(opts.scheme, v as WebhookVariant),
  ) as Array<[WebhookVariant, number]>;
  if (!weights.length) throw new Error(`no variant of the mix applies to ${opts.scheme} webhooks`);
  if (!opts.rotation && weights.some(([v]) => v === 'old-key-after-rotation')) {
    throw new Error('old-key-after-rotation signs with a retired secret: give the rotation (previous secret, switch and retirement moments)');
  }
  const path = new URL(opts.url).pathname;
  const deadline = new AbortController();
  // every delivery in flight listens on it (its request and its retry wait) until it settles; at a
  // sender's rate, with retries backing off, more than Node's 10 is normal, not a leak
  setMaxListeners(0, deadline.signal);
  const stop = setTimeout(() => deadline.abort(), opts.maxDurationMs);
  const onAbort = () => deadline.abort();
  if (opts.signal?.aborted) deadline.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const started = performance.now();
  const report: SenderReport = { deliveries: 0, attempts: 0, byVariant: {} };
  const validSent: Delivery[] = [];

  const deliver = async (i: number) => {
    let variant = variantAt(i, weights, random);
    if (variant === 'replayed-id' && !validSent.length) variant = 'valid'; // nothing to replay yet
    const now = Date.now();
    const rotation = opts.rotation;
    if (variant === 'old-key-after-rotation' && rotation && now < rotation.retiredAt) variant = 'valid'; // the old key is not retired yet
    const id = opts.scheme === 'stripe' ? `evt_${randomUUID().replace(/-/g, '')}` : `msg_${randomUUID()}`;
    const body = JSON.stringify(opts.payload?.(i, id) ?? { id, type: 'offer.updated', data: { offer: `offer-${i % 10}`, price: 100 + (i % 50) } });
    const delivery = forgeDelivery(variant, {
      scheme: opts.scheme,
      // the key the partner signs with now: the previous one until the switch
      secret: rotation && now < rotation.switchAt ? rotation.previousSecret : opts.secret,
      oldSecret: rotation?.previousSecret,
      id,
      timestampS: Math.floor(now / 1000),
      body,
      replayOf: validSent.length ? validSent[Math.floor(random() * validSent.length)] : undefined,
    });
    if (variant === 'valid') validSent.push(delivery);
    const figures = (report.byVariant[variant] ??= { deliveries: 0, attempts: 0, accepted: 0, rejected: 0, unresolved: 0 });
    figures.deliveries++;
    report.deliveries++;
    const callId = `${opts.partner}-d${i}`;
    const webhookId = deliveryId(opts.scheme, delivery);
    const bodyHash = createHash('sha256').update(delivery.body).digest('hex');
    let prevWait = policy.baseMs;
    let final: 'accepted' | 'rejected' | 'unresolved' = 'unresolved';
    for (let attempt = 1; attempt <= maxAttempts && !deadline.signal.aborted; attempt++) {
      const time = Date.now();
      const mono = performance.now();
      let status: number | null = null;
      let error: string | null = null;
      let retryAfterHeader: string | null = null;
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
          signal: AbortSignal.any([deadline.signal, AbortSignal.timeout(timeoutMs)]),
        });
        status = res.status;
        retryAfterHeader = res.headers.get('retry-after');
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        error = err instanceof Error ? `${err.name}: ${(err.cause as Error | undefined)?.message ?? err.message}` : String(err);
      }
      const durationMs = performance.now() - mono;
      const ra = parseRetryAfter(retryAfterHeader, Date.now());
      report.attempts++;
      figures.attempts++;
      const entry: JournalEntry = {
        time: new Date(time).toISOString(),
        mono: micros(mono),
        source: 'webhook-sender',
        partner: opts.partner,
        method: 'POST',
        path,
        route: null,
        requestId: null,
        attempt,
        idempotencyKey: null,
        webhookId,
        callId,
        bodyHash,
        clientKey: null,
        status,
        retryAfter: ra ? ra.seconds : null,
        retryAfterUntil: ra?.untilMs ?? null,
        behaviour: -1,
        kind: null,
        outcome: status === null ? 'network-error' : 'answered',
        durationMs: micros(durationMs),
        variant,
        error,
      };
      opts.journal.record(entry);
      if (!retryable(status)) {
        final = status !== null && status < 300 ? 'accepted' : 'rejected';
        break;
      }
      if (attempt === maxAttempts) break;
      const wait = ra ? ra.ms : backoffDelay(policy, attempt - 1, random, prevWait);
      prevWait = wait;
      if (performance.now() + wait - started >= opts.maxDurationMs) break; // would retry after the bound
      await sleep(wait, deadline.signal);
    }
    figures[final]++;
  };

  const inflight: Promise<void>[] = [];
  try {
    for (let i = 0; i < opts.count && !deadline.signal.aborted; i++) {
      const due = started + (i * 1000) / opts.rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait, deadline.signal);
      if (deadline.signal.aborted) break;
      inflight.push(deliver(i));
    }
    await Promise.all(inflight);
  } finally {
    clearTimeout(stop);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return report;
}
