// Load profiles: typed functions that produce k6 `options.scenarios` entries.

export interface BaselineProfile {
  /** iterations per second */
  rate: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs?: number;
  startTimeMs?: number;
}

/** Constant arrival rate: `rate` iterations every second whatever the response times. */
export function baseline(p: BaselineProfile) {
  return {
    executor: 'constant-arrival-rate' as const,
    rate: p.rate,
    timeUnit: '1s',
    duration: `${Math.round(p.durationMs)}ms`,
    preAllocatedVUs: p.preAllocatedVUs,
    maxVUs: p.maxVUs ?? Math.max(p.preAllocatedVUs, Math.ceil(p.rate * 2)),
    startTime: `${Math.round(p.startTimeMs ?? 0)}ms`,
    gracefulStop: '5s',
  };
}
