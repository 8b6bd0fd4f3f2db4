// Latency of a partner's answer: fixed, uniform or log-normal. Pure: randomness is passed in.
import type { Latency } from '../src/schema/partner.ts';

/** z-score of the 99th percentile of the standard normal distribution */
export const Z99 = 2.3263478740408408;

/** μ and σ of the log-normal distribution whose median is p50 and 99th percentile p99. */
export function lognormalParams(p50: number, p99: number): { mu: number; sigma: number } {
  return { mu: Math.log(p50), sigma: (Math.log(p99) - Math.log(p50)) / Z99 };
}

/** A standard normal sample (Box–Muller) from two uniform samples. */
export function standardNormal(random: () => number): number {
  const u1 = 1 - random(); // (0, 1]: log(0) is -Infinity
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** One latency in ms (never negative). */
export function sampleLatency(latency: Latency, random: () => number): number {
  if (typeof latency === 'number') return latency;
  switch (latency.dist) {
    case 'fixed':
      return latency.value;
    case 'uniform':
      return latency.min + random() * (latency.max - latency.min);
    case 'lognormal': {
      const { mu, sigma } = lognormalParams(latency.p50, latency.p99);
      const ms = Math.exp(mu + sigma * standardNormal(random));
      return latency.max === undefined ? ms : Math.min(ms, latency.max);
    }
  }
}

/** The largest latency a distribution can give, or Infinity (an uncapped log-normal). */
export function latencyBound(latency: Latency): number {
  if (typeof latency === 'number') return latency;
  if (latency.dist === 'fixed') return latency.value;
  if (latency.dist === 'uniform') return latency.max;
  return latency.max ?? Number.POSITIVE_INFINITY;
}
