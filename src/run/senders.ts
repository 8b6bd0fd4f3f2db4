// The drill's webhook senders on the timeline: each starts at its (scaled) `at`, delivers to the
// SUT for its (scaled) duration, and journals every attempt. Afterwards the SUT is asked how often
// each replayed webhook was applied (appliedPath): the side effects idempotency is judged on.
import { sendWebhooks, type SenderReport } from '../../simulators/webhook-sender.ts';
import type { Journal, JournalEntry } from '../../simulators/journal.ts';
import type { SideEffect } from '../judge/journal-analysis.ts';
import type { WebhookSender } from '../schema/drill.ts';
import { sleep } from '../platform/poll.ts';
import type { PartnerRotation } from './rotation.ts';

export interface SenderRun {
  name: string;
  report: SenderReport | null;
  error: string | null;
}

export interface StartSendersOptions {
  senders: readonly WebhookSender[];
  timeScale: number;
  /** epoch ms of t = 0 */
  t0: number;
  /** where webhooks go: the SUT's entry URL (load balancer or first replica's proxy) */
  baseUrl: () => string;
  secrets: Readonly<Record<string, string>>;
  /** partners whose key is rotated during the run (moments time-scaled, from t0) */
  rotations?: Readonly<Record<string, PartnerRotation>>;
  journal: Journal;
  signal?: AbortSignal;
}

/** Starts every sender at its time; resolves when all are done (each bounded by its duration). */
export function runSenders(o: StartSendersOptions): Promise<SenderRun[]> {
  return Promise.all(
    o.senders.map(async (s): Promise<SenderRun> => {
      const startIn = o.t0 + Math.round(s.at * o.timeScale) - Date.now();
      if (startIn > 0) await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, startIn);
        o.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
      if (o.signal?.aborted) return { name: s.name, report: null, error: 'the drill was interrupted before the sender started' };
      const durationMs = Math.max(1, Math.round(s.duration * o.timeScale));
      const r = o.rotations?.[s.partner];
      try {
        const report = await sendWebhooks({
          url: `${o.baseUrl()}${s.path}`,
          partner: s.partner,
          scheme: s.scheme,
          secret: o.secrets[s.partner],
          rotation: r ? { previousSecret: r.previousSecret, switchAt: o.t0 + r.switchMs, retiredAt: o.t0 + r.endMs } : undefined,
          count: Math.max(1, Math.ceil((s.rate * durationMs) / 1000)),
          rate: s.rate,
          maxDurationMs: durationMs,
          mix: s.mix,
          retry: s.retry ? { maxAttempts: s.retry.maxAttempts, baseMs: s.retry.base, capMs: s.retry.cap } : undefined,
          journal: o.journal,
          signal: o.signal,
        });
        return { name: s.name, report, error: null };
      } catch (err) {
        return { name: s.name, report: null, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/** The ids a sender's side effects are read for: replayed ones, and valid deliveries the SUT accepted (2xx). */
export function idsToRead(entries: readonly JournalEntry[], partner: string): string[] {
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.source !== 'webhook-sender' || e.partner !== partner || !e.webhookId) continue;
    if (e.variant === 'replayed-id' || (e.variant === 'valid' && e.status !== null && e.status >= 200 && e.status < 300)) ids.add(e.webhookId);
  }
  return [...ids];
}

const MAX_IDS = 2000;
/** how long an accepted webhook may take to be applied (a queue consumer behind the SUT) */
const SETTLE_MS = 3000;

async function appliedCount(p: string, baseUrls: () => string[]): Promise<number | null> {
  for (const base of baseUrls()) {
    try {
      const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as { applied?: unknown };
      if (typeof body.applied === 'number') return body.applied;
    } catch {
      continue;
    }
  }
  return null;
}

/**
 * How often the SUT applied each replayed webhook and each accepted valid one, from the senders'
 * appliedPath: one side effect per application (each id asked once). An id not applied yet is
 * asked again until SETTLE_MS has passed, for SUTs that apply through a queue. Null when no
 * sender names an appliedPath (idempotency and lost deliveries cannot be judged).
 */
export async function readSideEffects(senders: readonly WebhookSender[], entries: readonly JournalEntry[], baseUrls: () => string[]): Promise<{ effects: SideEffect[]; errors: string[] } | null> {
  const withPath = senders.filter((s) => s.appliedPath);
  if (!withPath.length) return null;
  const effects: SideEffect[] = [];
  const errors: string[] = [];
  const asked = new Set<string>();
  for (const s of withPath) {
    let pending = idsToRead(entries, s.partner).filter((id) => !asked.has(id)).slice(0, MAX_IDS);
    pending.forEach((id) => asked.add(id));
    const deadline = Date.now() + SETTLE_MS;
    for (;;) {
      const notYet: string[] = [];
      for (const id of pending) {
        const p = s.appliedPath!.replace('{id}', encodeURIComponent(id));
        const applied = await appliedCount(p, baseUrls);
        if (applied === null) errors.push(`${p}: no {"applied": n} answer`);
        else if (applied === 0) notYet.push(id);
        else for (let i = 0; i < applied; i++) effects.push({ key: id });
      }
      if (notYet.length === 0 || Date.now() >= deadline) break;
      pending = notYet;
      await sleep(500);
    }
  }
  return { effects, errors };
}
