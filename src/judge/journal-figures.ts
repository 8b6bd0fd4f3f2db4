// The simulator journal's figures, keyed as the SLO context wants them (figureKey): pure
// analysis of the journal entries (and the SUT's side effects, when read). A figure the journal
// cannot tell (no retries, no deliveries) is null: the verdict says "no evidence", never a pass.
import { analyseBackoff, analyseIdempotency, analyseRetryAfter, analyseWebhooks, groupCalls, type SideEffect } from './journal-analysis.ts';
import type { JournalEntry } from '../schema/journal.ts';
import type { Slo } from '../schema/drill.ts';
import { figureKey } from './context.ts';

type JournalSlo = Extract<Slo, { kind: 'journal' }>;

export interface JournalFigureDetail {
  key: string;
  value: number | null;
  /** what the figure was computed from, for the evidence */
  detail: Record<string, unknown>;
}

export function journalFigure(slo: JournalSlo, all: readonly JournalEntry[], sideEffects: readonly SideEffect[] | null): JournalFigureDetail {
  const key = figureKey(slo);
  const ofPartner = slo.partner ? all.filter((e) => e.partner === slo.partner) : all;
  const calls = ofPartner.filter((e) => e.source === 'partner');
  switch (slo.figure) {
    case 'backoff-compliance':
    case 'backoff-jitter': {
      const b = slo.backoff!;
      const f = analyseBackoff(calls, { policy: { baseMs: b.base, capMs: b.cap, jitter: b.jitter }, maxAttempts: b.maxAttempts });
      const detail = { waits: f.waits, early: f.early, late: f.late, callsOverMaxAttempts: f.callsOverMaxAttempts, jitterPresent: f.jitterPresent, byRetry: f.byRetry, outOfBoundsSamples: f.outOfBoundsSamples };
      if (slo.figure === 'backoff-jitter') return { key, value: f.jitterPresent === null ? null : f.jitterPresent ? 1 : 0, detail };
      // a wait sooner than the policy allows, or an attempt beyond maxAttempts, is not compliant
      const judged = f.waits + f.callsOverMaxAttempts;
      return { key, value: judged === 0 ? null : (f.waits - f.early) / judged, detail };
    }
    case 'retry-after-honoured': {
      // client scope: a Retry-After holds the client back, not only the call that got it
      const f = analyseRetryAfter(calls, { scope: 'client', toleranceMs: 50 });
      return { key, value: f.checked === 0 ? null : f.honoured / f.checked, detail: { checked: f.checked, honoured: f.honoured, violations: f.violations, samples: f.samples } };
    }
    case 'idempotency-violations': {
      if (!sideEffects) return { key, value: null, detail: { problem: 'no side effects were read from the SUT: give the sender an appliedPath' } };
      const replays = ofPartner.filter((e) => e.source === 'webhook-sender' && e.variant === 'replayed-id');
      const f = analyseIdempotency(replays, sideEffects, { keyOf: (e) => e.webhookId });
      return { key, value: f.keys === 0 ? null : f.duplicated, detail: { keys: f.keys, duplicated: f.duplicated, duplicates: f.duplicates } };
    }
    case 'accepted-not-applied': {
      // valid deliveries the SUT acknowledged (final 2xx) and never applied: lost after the ack
      if (!sideEffects) return { key, value: null, detail: { problem: 'no side effects were read from the SUT: give the sender an appliedPath' } };
      const applied = new Set(sideEffects.map((e) => e.key));
      // each delivery's last attempt (groupCalls keys attempts by the sender's call id)
      const deliveries = groupCalls(ofPartner.filter((e) => e.source === 'webhook-sender' && e.variant === 'valid' && e.webhookId));
      const final = deliveries.map((d) => d.attempts[d.attempts.length - 1]).filter((e) => e.status !== null && e.status >= 200 && e.status < 300);
      const lost = final.filter((e) => !applied.has(e.webhookId!));
      return { key, value: final.length === 0 ? null : lost.length, detail: { accepted: final.length, lost: lost.length, samples: lost.slice(0, 10).map((e) => ({ webhookId: e.webhookId, time: e.time })) } };
    }
    case 'forged-accepted':
    case 'valid-rejected': {
      const f = analyseWebhooks(ofPartner, sideEffects ? { sideEffects } : {});
      const detail = { deliveries: f.deliveries, byVariant: f.byVariant, forgedAccepted: f.forgedAccepted, validRejected: f.validRejected, validUnresolved: f.validUnresolved, warnings: f.warnings };
      const valid = f.byVariant.valid?.deliveries ?? 0;
      // a figure about forged (valid) deliveries needs some to have been sent
      if (slo.figure === 'forged-accepted' ? f.deliveries - valid === 0 : valid === 0) return { key, value: null, detail };
      return { key, value: slo.figure === 'forged-accepted' ? f.forgedAccepted : f.validRejected, detail };
    }
  }
}

/** Every journal figure the SLOs ask for. */
export function journalFigures(slos: readonly Slo[], entries: readonly JournalEntry[], sideEffects: readonly SideEffect[] | null): JournalFigureDetail[] {
  const out = new Map<string, JournalFigureDetail>();
  for (const slo of slos) if (slo.kind === 'journal' && !out.has(figureKey(slo))) out.set(figureKey(slo), journalFigure(slo, entries, sideEffects));
  return [...out.values()];
}
