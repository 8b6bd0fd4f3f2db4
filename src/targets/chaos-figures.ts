// The chaos figures SLOs of kind "chaos" judge (see figureKey in src/judge/context.ts), from the
// broker-failover faults' measurements. Pure.
import type { FailoverFigures } from '../../chaos/broker/driver.ts';

/**
 * Per fault: chaos/<fault>/broker-failover-time (ms) and chaos/<fault>/message-loss (count); over
 * every broker-failover fault: chaos/broker-failover-time (the longest) and chaos/message-loss (the
 * sum). null when a fault's figure is unknown — and then the aggregate is unknown too.
 */
export function brokerChaosFigures(faults: readonly string[], figuresOf: (fault: string) => FailoverFigures): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  if (faults.length === 0) return out;
  const all = faults.map((name) => ({ name, ...figuresOf(name) }));
  for (const f of all) {
    out[`chaos/${f.name}/broker-failover-time`] = f.failoverMs;
    out[`chaos/${f.name}/message-loss`] = f.messagesLost;
  }
  const times = all.map((f) => f.failoverMs);
  const losses = all.map((f) => f.messagesLost);
  out['chaos/broker-failover-time'] = times.every((t): t is number => t !== null) ? Math.max(...times) : null;
  out['chaos/message-loss'] = losses.every((n): n is number => n !== null) ? losses.reduce((a, b) => a + b, 0) : null;
  return out;
}
