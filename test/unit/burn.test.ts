import { describe, expect, it } from 'vitest';
import { budgetSpent, burnRate, burnRateFactor, evaluateBurnAlerts, scaleAlertWindows, SRE_BURN_ALERTS, type BurnPoint } from '../../src/judge/burn.ts';
import { evaluateSlo } from '../../src/judge/evaluate.ts';
import { PHASES, run, slo, T0 } from './slo-fixtures.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PERIOD = 30 * DAY;

describe('burn-rate math (SRE workbook, "Alerting on SLOs")', () => {
  it('the four recommended alerts have factors 14.4, 6, 3 and 1 over 30 days', () => {
    expect(burnRateFactor(0.02, PERIOD, HOUR)).toBeCloseTo(14.4, 10);
    expect(burnRateFactor(0.05, PERIOD, 6 * HOUR)).toBeCloseTo(6, 10);
    expect(burnRateFactor(0.1, PERIOD, DAY)).toBeCloseTo(3, 10);
    expect(burnRateFactor(0.1, PERIOD, 3 * DAY)).toBeCloseTo(1, 10);
    expect(SRE_BURN_ALERTS.map((a) => Math.round(burnRateFactor(a.budgetShare, PERIOD, a.longWindowMs) * 10) / 10)).toEqual([14.4, 6, 3, 1]);
    expect(SRE_BURN_ALERTS.map((a) => [a.longWindowMs, a.shortWindowMs])).toEqual([
      [HOUR, 5 * 60_000],
      [6 * HOUR, 30 * 60_000],
      [DAY, 2 * HOUR],
      [3 * DAY, 6 * HOUR],
    ]);
  });

  it('worked example: 99.9% objective, 2% of a 30-day budget spent in 1 h is a burn rate of 14.4', () => {
    // uniform traffic R per hour: the 30-day budget is 0.001 × 720 R; 2% of it in one hour is 0.0144 R failed requests
    const R = 1_000_000;
    const budget = 0.001 * 720 * R;
    const failedInTheHour = 0.02 * budget;
    const badFraction = failedInTheHour / R;
    expect(badFraction).toBeCloseTo(0.0144, 12);
    expect(burnRate(badFraction, 0.999)).toBeCloseTo(14.4, 9);
    expect(budgetSpent(14.4, HOUR, PERIOD)).toBeCloseTo(0.02, 12);
    // burn 1 spends exactly the budget over the period; 6 over 6 h spends 5%
    expect(burnRate(0.001, 0.999)).toBeCloseTo(1, 12);
    expect(budgetSpent(6, 6 * HOUR, PERIOD)).toBeCloseTo(0.05, 12);
  });

  it('windows scale to the drill: the drill plays the 30-day period', () => {
    const oneHourDrill = SRE_BURN_ALERTS.map((a) => scaleAlertWindows(a, PERIOD, HOUR));
    expect(oneHourDrill).toEqual([
      { longWindowMs: 5000, shortWindowMs: 1000 }, // 1h/720 = 5 s; 5m/720 = 0.4 s → the 1-s resolution
      { longWindowMs: 30_000, shortWindowMs: 3000 },
      { longWindowMs: 120_000, shortWindowMs: 10_000 },
      { longWindowMs: 360_000, shortWindowMs: 30_000 },
    ]);
    expect(SRE_BURN_ALERTS.map((a) => scaleAlertWindows(a, PERIOD, 60_000).longWindowMs)).toEqual([1000, 1000, 2000, 6000]);
  });
});

describe('multi-window alerts over a drill', () => {
  /** 100 requests per second for 600 s; `failedAt(s)` failures in second s. */
  function points(failedAt: (s: number) => number): BurnPoint[] {
    return Array.from({ length: 600 }, (_, s) => ({ tMs: s * 1000, total: 100, failed: failedAt(s) }));
  }
  const tenMinutes = 600_000;

  it('no failure: nothing fires', () => {
    const alerts = evaluateBurnAlerts(points(() => 0), 0.999, SRE_BURN_ALERTS, PERIOD, tenMinutes);
    expect(alerts.map((a) => a.fired)).toEqual([false, false, false, false]);
    expect(alerts.every((a) => a.maxLongBurn === 0 && a.firstFiredAtMs === null)).toBe(true);
  });

  it('a steady burn of 2 (0.2% failed against 99.9%) fires only the slow ticket (factor 1)', () => {
    // one failure every 5 s from 100 s to 500 s: 0.2% of requests
    const alerts = evaluateBurnAlerts(points((s) => (s >= 100 && s < 500 && s % 5 === 0 ? 1 : 0)), 0.999, SRE_BURN_ALERTS, PERIOD, tenMinutes);
    expect(alerts.map((a) => [a.name, a.fired])).toEqual([
      ['2% of budget in 1h', false],
      ['5% of budget in 6h', false],
      ['10% of budget in 1d', false],
      ['10% of budget in 3d', true],
    ]);
    expect(alerts[3]).toMatchObject({ severity: 'ticket', factor: 1, longWindowMs: 60_000, shortWindowMs: 5000 });
    expect(alerts[3].maxLongBurn).toBeCloseTo(2, 1);
  });

  it('a burst of 5% failures for 3 s fires every alert, the page first at the end of its first second', () => {
    const alerts = evaluateBurnAlerts(points((s) => (s >= 200 && s < 203 ? 5 : 0)), 0.999, SRE_BURN_ALERTS, PERIOD, tenMinutes);
    expect(alerts.map((a) => a.fired)).toEqual([true, true, true, true]);
    expect(alerts[0]).toMatchObject({ severity: 'page', factor: 14.4, firstFiredAtMs: 201_000, maxLongBurn: 50 });
  });

  it('a burn just at the factor does not fire: both windows must exceed it', () => {
    // 14.4 × 0.001 = 1.44%: 144 failed of 10 000 per second
    const exact = Array.from({ length: 60 }, (_, s) => ({ tMs: s * 1000, total: 10_000, failed: s === 30 ? 144 : 0 }));
    expect(evaluateBurnAlerts(exact, 0.999, SRE_BURN_ALERTS.slice(0, 1), PERIOD, 60_000)[0].fired).toBe(false);
    const above = exact.map((p) => (p.failed ? { ...p, failed: 145 } : p));
    expect(evaluateBurnAlerts(above, 0.999, SRE_BURN_ALERTS.slice(0, 1), PERIOD, 60_000)[0].fired).toBe(true);
  });
});

describe('the error-budget-burn SLO', () => {
  // 100 requests/s for 60 s; 1% of them fail during the fault (20–40 s)
  const agg = () => run(100, (s) => ({ failedShare: s >= 20 && s < 40 ? 0.01 : 0 }));
  const ctx = (metrics: ReturnType<typeof agg>) => ({ metrics, t0: T0, faults: {}, figures: {}, phases: PHASES, durationMs: 60_000 });

  it('burn = bad fraction / budget; met when burn ≤ maxBurn', () => {
    // 20 of 6000 failed = 0.333%: against 99% (budget 1%) that is a third of the budget
    const v = evaluateSlo(slo({ name: 'budget', kind: 'error-budget-burn', objective: '99%', maxBurn: '50%' }), ctx(agg()));
    expect(v).toMatchObject({ kind: 'error-budget-burn', pass: true, reason: 'met', unit: 'budget', samples: 6000 });
    expect(v.observed).toBeCloseTo(1 / 3, 5);
    expect(v.objective).toBe('burn ≤ 50% of the error budget of 99% availability');
  });

  it('is breached above maxBurn, and reports which alert windows fired', () => {
    const v = evaluateSlo(slo({ name: 'budget', kind: 'error-budget-burn', objective: '99.9%', maxBurn: '15%' }), ctx(agg()));
    expect(v.pass).toBe(false);
    expect(v.reason).toBe('breached');
    expect(v.observed).toBeCloseTo(20 / 6000 / 0.001, 4);
    // the fault's 1% failures burn at 10: above 6, 3 and 1, not 14.4
    expect(v.alerts!.map((a) => [a.factor, a.fired])).toEqual([
      [14.4, false],
      [6, true],
      [3, true],
      [1, true],
    ]);
    expect(v.alerts![1].firstFiredAtMs).toBe(21_000);
    expect(v.detail).toContain('alerts fired: 5% of budget in 6h (page, 6×');
  });

  it('judges a phase; without samples it is no evidence', () => {
    const v = evaluateSlo(slo({ name: 'b', kind: 'error-budget-burn', phase: 'steady', objective: '99.9%', maxBurn: '15%' }), ctx(agg()));
    expect(v).toMatchObject({ pass: true, observed: 0, phase: 'steady' });
    const none = evaluateSlo(slo({ name: 'b', kind: 'error-budget-burn', request: 'webhook', objective: '99.9%', maxBurn: '15%' }), ctx(agg()));
    expect(none).toMatchObject({ pass: false, reason: 'no-evidence' });
  });
});
