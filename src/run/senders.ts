// The drill's webhook senders on the timeline: each starts at its (scaled) `at`, delivers to the
// SUT for its (scaled) duration, and journals every attempt. Afterwards the SUT is asked how often
// each replayed webhook was applied (appliedPath): the side effects idempotency is judged on.
import { sendWebhooks, type SenderReport } from '../../simulators/webhook-sender.ts';
import type { Journal, JournalEntry } from '../../simulators/journal.ts';
import type { SideEffect } from '../../simulators/analysis.ts';
import type { WebhookSender } from '../schema/drill.ts';

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
      try {
        const report = await sendWebhooks({
          url: `${o.baseUrl()}${s.path}`,
          partner: s.partner,
          scheme: s.scheme,
          secret: o.secrets[s.partner],
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

/**
 * How often the SUT applied each replayed webhook, from the senders' appliedPath: one side effect
 * per application. Null when no sender names an appliedPath (idempotency cannot be judged).
 */
export async function readSideEffects(senders: readonly WebhookSender[], entries: readonly JournalEntry[], baseUrls: () => string[]): Promise<{ effects: SideEffect[]; errors: string[] } | null> {
  const withPath = senders.filter((s) => s.appliedPath);
  if (!withPath.length) return null;
  const effects: SideEffect[] = [];
  const errors: string[] = [];
  for (const s of withPath) {
    const ids = new Set(entries.filter((e) => e.source === 'webhook-sender' && e.partner === s.partner && e.variant === 'replayed-id' && e.webhookId).map((e) => e.webhookId!));
    for (const id of [...ids].slice(0, 500)) {
      const p = s.appliedPath!.replace('{id}', encodeURIComponent(id));
      let applied: number | null = null;
      for (const base of baseUrls()) {
        try {
          const res = await fetch(`${base}${p}`, { signal: AbortSignal.timeout(2000) });
          const body = (await res.json()) as { applied?: unknown };
          if (typeof body.applied === 'number') applied = body.applied;
          break;
        } catch {
          continue;
        }
      }
      if (applied === null) errors.push(`${p}: no {"applied": n} answer`);
      else for (let i = 0; i < applied; i++) effects.push({ key: id });
    }
  }
  return { effects, errors };
}
