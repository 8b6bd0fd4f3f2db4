// Error-budget burn: the budget of an availability objective is 1 − objective; burn rate is the
// observed bad fraction divided by it (1 = spending the budget exactly over the SLO period).
// Multi-window, multi-burn-rate alerts as in the Google SRE workbook ("Alerting on SLOs"):
// alert when both a long and a short window burn faster than factor = budget share × period /
// long window (14.4 / 6 / 3 / 1 over 30 days). A drill is far shorter than a period, so the
// windows are scaled: the drill plays the period, every window keeps its share of it. Pure.
import type { Slo } from '../schema/drill.ts';
import type { SloContext } from './context.ts';
import { duration, percent, round, SAMPLES_FILE, verdictBase, type BurnAlertResult, type Verdict } from './verdict.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface BurnAlertSpec {
  name: string;
  severity: 'page' | 'ticket';
  /** share of the period's budget spent in the long window that the alert stands for */
  budgetShare: number;
  longWindowMs: number;
  shortWindowMs: number;
}

/** The SRE workbook's recommended alerts over a 30-day SLO period. */
export const SRE_BURN_ALERTS: readonly BurnAlertSpec[] = [
  { name: '2% of budget in 1h', severity: 'page', budgetShare: 0.02, longWindowMs: HOUR, shortWindowMs: 5 * MINUTE },
  { name: '5% of budget in 6h', severity: 'page', budgetShare: 0.05, longWindowMs: 6 * HOUR, shortWindowMs: 30 * MINUTE },
  { name: '10% of budget in 1d', severity: 'ticket', budgetShare: 0.1, longWindowMs: DAY, shortWindowMs: 2 * HOUR },
  { name: '10% of budget in 3d', severity: 'ticket', budgetShare: 0.1, longWindowMs: 3 * DAY, shortWindowMs: 6 * HOUR },
];

/** Burn-rate factor of an alert: budget share × period / long window (2% × 30 d / 1 h = 14.4). */
export function burnRateFactor(budgetShare: number, periodMs: number, longWindowMs: number): number {
  return (budgetShare * periodMs) / longWindowMs;
}

/** Burn rate of a bad fraction against an availability objective (0.999 → budget 0.001). */
export function burnRate(badFraction: number, objective: number): number {
  return badFraction / (1 - objective);
}

/** Share of the period's budget a burn rate spends in `windowMs`. */
export function budgetSpent(rate: number, windowMs: number, periodMs: number): number {
  return (rate * windowMs) / periodMs;
}

/**
 * Alert windows scaled to a drill: each window keeps its share of the period (drillMs plays
 * periodMs), rounded to whole seconds, at least `minMs` (the metrics' 1-s resolution).
 */
export function scaleAlertWindows(spec: BurnAlertSpec, periodMs: number, drillMs: number, minMs = 1000): { longWindowMs: number; shortWindowMs: number } {
  const scale = drillMs / periodMs;
  const fit = (ms: number) => Math.max(minMs, Math.round((ms * scale) / 1000) * 1000);
  const longWindowMs = fit(spec.longWindowMs);
  return { longWindowMs, shortWindowMs: Math.min(longWindowMs, fit(spec.shortWindowMs)) };
}

/** Requests judged and failed in one 1-s window, ms after t0 at the window's start. */
export interface BurnPoint {
  tMs: number;
  total: number;
  failed: number;
}

/**
 * Evaluates each alert over 1-s points: at every window end from the first point on, the long
 * and the short window ending there (as far as data reach back) are compared with the factor.
 */
export function evaluateBurnAlerts(points: readonly BurnPoint[], objective: number, specs: readonly BurnAlertSpec[], periodMs: number, drillMs: number): BurnAlertResult[] {
  const budget = 1 - objective;
  if (points.length === 0) {
    return specs.map((spec) => ({ name: spec.name, severity: spec.severity, factor: round(burnRateFactor(spec.budgetShare, periodMs, spec.longWindowMs), 3), ...scaleAlertWindows(spec, periodMs, drillMs), fired: false, firstFiredAtMs: null, maxLongBurn: 0 }));
  }
  const sorted = [...points].sort((a, b) => a.tMs - b.tMs);
  const first = Math.floor(sorted[0].tMs / 1000);
  const last = Math.floor(sorted[sorted.length - 1].tMs / 1000);
  const n = last - first + 1;
  // prefix sums over a dense array of seconds
  const total = new Float64Array(n + 1);
  const failed = new Float64Array(n + 1);
  const perSecondTotal = new Float64Array(n);
  const perSecondFailed = new Float64Array(n);
  for (const p of sorted) {
    const k = Math.floor(p.tMs / 1000) - first;
    perSecondTotal[k] += p.total;
    perSecondFailed[k] += p.failed;
  }
  for (let k = 0; k < n; k++) {
    total[k + 1] = total[k] + perSecondTotal[k];
    failed[k + 1] = failed[k] + perSecondFailed[k];
  }
  const burnOver = (endExclusive: number, seconds: number): number => {
    const start = Math.max(0, endExclusive - seconds);
    const t = total[endExclusive] - total[start];
    return t === 0 ? 0 : (failed[endExclusive] - failed[start]) / t / budget;
  };
  return specs.map((spec) => {
    const factor = burnRateFactor(spec.budgetShare, periodMs, spec.longWindowMs);
    const windows = scaleAlertWindows(spec, periodMs, drillMs);
    const longS = windows.longWindowMs / 1000;
    const shortS = windows.shortWindowMs / 1000;
    let firstFiredAtMs: number | null = null;
    let maxLongBurn = 0;
    for (let end = 1; end <= n; end++) {
      const long = burnOver(end, longS);
      if (long > maxLongBurn) maxLongBurn = long;
      if (firstFiredAtMs === null && long > factor && burnOver(end, shortS) > factor) firstFiredAtMs = (first + end) * 1000;
    }
    return { name: spec.name, severity: spec.severity, factor: round(factor, 3), ...windows, fired: firstFiredAtMs !== null, firstFiredAtMs, maxLongBurn: round(maxLongBurn, 3) };
  });
}

type BurnSlo = Extract<Slo, { kind: 'error-budget-burn' }>;

export function evaluateErrorBudgetBurn(slo: BurnSlo, ctx: SloContext): Verdict {
  const base = verdictBase(slo, [SAMPLES_FILE]);
  const budget = 1 - slo.objective;
  const scope = `${slo.request ? `request ${slo.request}` : 'all requests'}, ${slo.phase ? `phase ${slo.phase}` : 'whole run'}`;
  const objective = `burn ≤ ${percent(slo.maxBurn)} of the error budget of ${percent(slo.objective)} availability`;
  const failed = ctx.metrics.rate('http_req_failed', { phase: slo.phase, request: slo.request });
  if (!failed) return { ...base, objective, observed: null, unit: 'budget', samples: 0, pass: false, reason: 'no-evidence', detail: `no http_req_failed samples (${scope})` };
  const burn = burnRate(failed.value, slo.objective);
  const pass = burn <= slo.maxBurn;

  const windows = ctx.metrics.windows.series({ request: slo.request });
  const points = windows.filter((w) => w.total > 0).map((w) => ({ tMs: w.second * 1000 - ctx.t0, total: w.total, failed: w.failed }));
  const span = windows.length ? (windows[windows.length - 1].second - windows[0].second + 1) * 1000 : 0;
  const drillMs = ctx.durationMs ?? span;
  const alerts = evaluateBurnAlerts(points, slo.objective, SRE_BURN_ALERTS, slo.period, Math.max(drillMs, 1000));
  const fired = alerts.filter((a) => a.fired);
  const alertText = fired.length
    ? `alerts fired: ${fired.map((a) => `${a.name} (${a.severity}, ${a.factor}×, windows ${duration(a.longWindowMs)}/${duration(a.shortWindowMs)}, first at +${duration(a.firstFiredAtMs ?? 0)})`).join('; ')}`
    : 'no burn-rate alert fired';
  return {
    ...base,
    objective,
    observed: round(burn, 6),
    unit: 'budget',
    samples: failed.total,
    pass,
    reason: pass ? 'met' : 'breached',
    detail: `${failed.nonZero} of ${failed.total} requests failed = ${percent(failed.value, 4)} against a budget of ${percent(budget)}: burn ${percent(burn, 2)} of the budget (${scope}); ${alertText}`,
    alerts,
  };
}
