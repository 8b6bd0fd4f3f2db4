// SLOs on figures other evidence produced: the simulator journal analysis (backoff compliance,
// Retry-After honoured, idempotency violations, forged webhooks accepted, valid ones rejected)
// and the chaos report (broker failover time, message loss, pod replacement time). The orchestrator computes the
// figures and passes them in SloContext.figures under figureKey(slo). Pure.
import { CHAOS_TIME_FIGURES, JOURNAL_RATIO_FIGURES, type Slo } from '../schema/drill.ts';
import { figureKey, type SloContext } from './context.ts';
import { CHAOS_FILE, duration, JOURNAL_FILE, percent, round, verdictBase, type Verdict, type VerdictUnit } from './verdict.ts';

type JournalSlo = Extract<Slo, { kind: 'journal' }>;
type ChaosSlo = Extract<Slo, { kind: 'chaos' }>;

function figureOf(slo: JournalSlo | ChaosSlo, ctx: SloContext): { key: string; value: number | null; present: boolean } {
  const key = figureKey(slo);
  const present = Object.prototype.hasOwnProperty.call(ctx.figures, key);
  const value = present ? ctx.figures[key] : null;
  return { key, value: typeof value === 'number' && Number.isFinite(value) ? value : null, present };
}

export function evaluateJournal(slo: JournalSlo, ctx: SloContext): Verdict {
  const base = verdictBase(slo, [JOURNAL_FILE]);
  const ratio = JOURNAL_RATIO_FIGURES.includes(slo.figure);
  const unit: VerdictUnit = ratio ? 'ratio' : 'count';
  const show = (n: number) => (ratio ? percent(n, 3) : String(round(n, 3)));
  // counts default to "none at all"
  const atMost = slo.atMost ?? (slo.atLeast === undefined ? 0 : undefined);
  const objective = atMost !== undefined ? `${slo.figure} ≤ ${show(atMost)}` : `${slo.figure} ≥ ${show(slo.atLeast!)}`;
  const scope = slo.partner ? ` (partner ${slo.partner})` : '';
  const f = figureOf(slo, ctx);
  if (f.value === null) {
    return { ...base, objective, observed: null, unit, samples: 0, pass: false, reason: 'no-evidence', detail: f.present ? `the journal analysis could not tell ${slo.figure}${scope}` : `no ${slo.figure} figure from the journal analysis${scope} (${f.key})` };
  }
  const pass = atMost !== undefined ? f.value <= atMost : f.value >= slo.atLeast!;
  return { ...base, objective, observed: round(f.value, 6), unit, samples: 1, pass, reason: pass ? 'met' : 'breached', detail: `${slo.figure} = ${show(f.value)}${scope}, from the simulator journal` };
}

export function evaluateChaos(slo: ChaosSlo, ctx: SloContext): Verdict {
  const base = verdictBase(slo, [CHAOS_FILE]);
  const time = CHAOS_TIME_FIGURES.has(slo.figure);
  const unit: VerdictUnit = time ? 'ms' : 'count';
  const limit = time ? (slo.within ?? 0) : (slo.atMost ?? 0);
  const objective = time ? `${slo.figure} ≤ ${duration(limit)}` : `${slo.figure} ≤ ${limit}`;
  const scope = slo.fault ? ` (fault ${slo.fault})` : '';
  const f = figureOf(slo, ctx);
  if (f.value === null) {
    return { ...base, objective, observed: null, unit, samples: 0, pass: false, reason: 'no-evidence', detail: f.present ? `the chaos report could not tell ${slo.figure}${scope}` : `no ${slo.figure} figure in the chaos report${scope} (${f.key})` };
  }
  const pass = f.value <= limit;
  return { ...base, objective, observed: round(f.value, 3), unit, samples: 1, pass, reason: pass ? 'met' : 'breached', detail: `${slo.figure} = ${time ? duration(f.value) : f.value}${scope}, from the chaos report` };
}
