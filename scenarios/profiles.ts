// Load profiles: typed, pure functions that produce k6 `options.scenarios` entries.
// Durations are milliseconds; k6 gets them as "NNNms". Each profile knows its own length,
// so profiles compose on one timeline (in sequence or in parallel via `startMs`).

const ms = (n: number) => `${Math.max(0, Math.round(n))}ms`;

export interface Stage {
  /** ms */
  durationMs: number;
  /** iterations per second (arrival-rate executors) or VUs (ramping-vus) at the end of the stage */
  target: number;
}

interface Common {
  /** offset from the start of load */
  startMs?: number;
  preAllocatedVUs?: number;
  maxVUs?: number;
  /** time k6 lets running iterations finish at the end */
  gracefulStopMs?: number;
  /** environment of this scenario's VUs (k6 scenario `env`) */
  env?: Record<string, string>;
  tags?: Record<string, string>;
}

export interface K6Scenario {
  executor: 'constant-arrival-rate' | 'ramping-arrival-rate' | 'ramping-vus';
  startTime: string;
  gracefulStop: string;
  [key: string]: unknown;
}

export interface Profile {
  kind: 'baseline' | 'spike' | 'soak' | 'stress' | 'vu-ramp';
  /** when it starts and how long it lasts, ms from the start of load */
  startMs: number;
  durationMs: number;
  scenario: K6Scenario;
  /** the planned arrival rate (or VU count) at `tMs` from the start of load; 0 outside */
  targetAt(tMs: number): number;
}

function vus(rate: number, c: Common): { preAllocatedVUs: number; maxVUs: number } {
  const pre = c.preAllocatedVUs ?? Math.max(5, Math.ceil(rate / 4));
  return { preAllocatedVUs: pre, maxVUs: Math.max(pre, c.maxVUs ?? Math.ceil(rate * 2)) };
}

function base(c: Common) {
  return {
    startTime: ms(c.startMs ?? 0),
    gracefulStop: ms(c.gracefulStopMs ?? 5000),
    ...(c.env ? { env: c.env } : {}),
    ...(c.tags ? { tags: c.tags } : {}),
  };
}

/** Piecewise-linear target over stages that start from `start`. */
export function stagesTargetAt(start: number, stages: readonly Stage[], tMs: number): number {
  let t = 0;
  let from = start;
  for (const s of stages) {
    if (tMs < t + s.durationMs) return s.durationMs === 0 ? s.target : from + ((s.target - from) * (tMs - t)) / s.durationMs;
    t += s.durationMs;
    from = s.target;
  }
  return from;
}

function stagesLength(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}

function rampingArrival(kind: Profile['kind'], startRate: number, stages: Stage[], c: Common): Profile {
  const startMs = c.startMs ?? 0;
  const durationMs = stagesLength(stages);
  const peak = Math.max(startRate, ...stages.map((s) => s.target));
  return {
    kind,
    startMs,
    durationMs,
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate,
      timeUnit: '1s',
      stages: stages.map((s) => ({ duration: ms(s.durationMs), target: s.target })),
      ...vus(peak, c),
      ...base(c),
    },
    targetAt: (tMs) => (tMs < startMs || tMs >= startMs + durationMs ? 0 : stagesTargetAt(startRate, stages, tMs - startMs)),
  };
}

export interface BaselineProfile extends Common {
  /** iterations per second */
  rate: number;
  durationMs: number;
}

/** Constant arrival rate: `rate` iterations every second, whatever the response times. */
export function baseline(p: BaselineProfile, kind: Profile['kind'] = 'baseline'): Profile {
  const startMs = p.startMs ?? 0;
  return {
    kind,
    startMs,
    durationMs: p.durationMs,
    scenario: { executor: 'constant-arrival-rate', rate: p.rate, timeUnit: '1s', duration: ms(p.durationMs), ...vus(p.rate, p), ...base(p) },
    targetAt: (tMs) => (tMs >= startMs && tMs < startMs + p.durationMs ? p.rate : 0),
  };
}

export interface SpikeProfile extends Common {
  /** the usual rate, before and after */
  baseRate: number;
  /** the rate at the top of the spike (the seeds spike to 300 rps) */
  peakRate: number;
  warmupMs: number;
  rampUpMs: number;
  holdMs: number;
  rampDownMs: number;
  /** time at the base rate after the spike, to observe recovery */
  recoveryMs: number;
}

/** Warm up at the base rate, jump to the peak, hold, drop back, observe recovery. */
export function spike(p: SpikeProfile): Profile {
  return rampingArrival(
    'spike',
    p.baseRate,
    [
      { durationMs: p.warmupMs, target: p.baseRate },
      { durationMs: p.rampUpMs, target: p.peakRate },
      { durationMs: p.holdMs, target: p.peakRate },
      { durationMs: p.rampDownMs, target: p.baseRate },
      { durationMs: p.recoveryMs, target: p.baseRate },
    ],
    p,
  );
}

/** Long constant load; gameday reports the drift of latency and error rate between its first and last tenth. */
export function soak(p: BaselineProfile): Profile {
  return baseline(p, 'soak');
}

export interface StressProfile extends Common {
  startRate: number;
  maxRate: number;
  /** time to ramp from startRate to maxRate */
  rampMs: number;
}

/** Ramps the arrival rate until maxRate; the breaking point is where an SLO first breaks. */
export function stress(p: StressProfile): Profile {
  return rampingArrival('stress', p.startRate, [{ durationMs: p.rampMs, target: p.maxRate }], p);
}

export interface VuRampProfile extends Common {
  startVUs?: number;
  stages: Stage[];
}

/** Closed model: VUs ramp through stages (the seeds ramp to 400 VUs). */
export function vuRamp(p: VuRampProfile): Profile {
  const startMs = p.startMs ?? 0;
  const startVUs = p.startVUs ?? 0;
  const durationMs = stagesLength(p.stages);
  return {
    kind: 'vu-ramp',
    startMs,
    durationMs,
    scenario: {
      executor: 'ramping-vus',
      startVUs,
      stages: p.stages.map((s) => ({ duration: ms(s.durationMs), target: s.target })),
      gracefulRampDown: ms(p.gracefulStopMs ?? 5000),
      ...base(p),
    },
    targetAt: (tMs) => (tMs < startMs || tMs >= startMs + durationMs ? 0 : stagesTargetAt(startVUs, p.stages, tMs - startMs)),
  };
}

/** The end of the last profile: the length of the load. */
export function loadLength(profiles: readonly Profile[]): number {
  return profiles.reduce((end, p) => Math.max(end, p.startMs + p.durationMs), 0);
}

/** k6 `options.scenarios` of composed profiles, named `<kind>-<index>`. */
export function toScenarios(profiles: readonly Profile[]): Record<string, K6Scenario> {
  return Object.fromEntries(profiles.map((p, i) => [`${p.kind}-${i}`, p.scenario]));
}
