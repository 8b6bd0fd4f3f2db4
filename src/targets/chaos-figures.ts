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

/** A kubernetes fault's replacements: the pods watched for, and whether all were seen Ready in time. */
export interface ReplacementFigures {
  pods: ReadonlyArray<{ readyAfterMs: number }>;
  complete: boolean;
}

/**
 * Per kubernetes fault that deleted pods: chaos/<fault>/pod-replacement-time, the slowest delete →
 * replacement Ready (ms); over them all: chaos/pod-replacement-time (the slowest). null when a
 * replacement was not seen Ready in time — the service did not come back whole, so the figure is
 * unknown rather than the time of the ones that did.
 */
export function podReplacementFigures(faults: ReadonlyArray<{ name: string; replacements: ReplacementFigures | null | undefined }>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const measured = faults.filter((f) => f.replacements);
  if (measured.length === 0) return out;
  for (const f of measured) {
    const r = f.replacements!;
    out[`chaos/${f.name}/pod-replacement-time`] = r.complete && r.pods.length > 0 ? Math.max(...r.pods.map((p) => p.readyAfterMs)) : null;
  }
  const times = measured.map((f) => out[`chaos/${f.name}/pod-replacement-time`]);
  out['chaos/pod-replacement-time'] = times.every((t): t is number => t !== null) ? Math.max(...times) : null;
  return out;
}
