// Planning: a validated drill plus a time-scale → one timeline in milliseconds from the
// start of load. Pure: no clocks, no I/O.
import { phaseWindows, type PhaseWindow } from '../../scenarios/lib/phase.ts';
import type { PlannedPartner } from '../../simulators/behaviour.ts';
import type { Drill, Fault, Partner } from '../schema/drill.ts';

export interface PlannedFault {
  fault: Fault;
  startMs: number;
  endMs: number;
}

export interface Plan {
  timeScale: number;
  /** scheduled length of the load, after scaling */
  totalMs: number;
  phases: PhaseWindow[];
  faults: PlannedFault[];
  partners: PlannedPartner[];
}

function scalePartner(p: Partner, scale: number): PlannedPartner {
  return {
    name: p.name,
    behaviours: p.behaviours.map((b) => ({
      atMs: Math.round(b.at * scale),
      status: b.status,
      retryAfter: b.retryAfter,
      // latency is the partner's answer time, not a point on the timeline: not scaled
      latencyMs: b.latency,
      body: b.body,
    })),
  };
}

/**
 * Every point and length on the timeline is multiplied by `timeScale`: load duration, fault
 * start and duration, partner behaviour switches. Magnitudes of faults (injected latency)
 * and protocol values (Retry-After seconds) are not, since the SUT sees them as they are.
 */
export function planDrill(drill: Drill, timeScale = drill.timeScale): Plan {
  const scale = (ms: number) => Math.round(ms * timeScale);
  const totalMs = scale(drill.load.duration);
  const faults = drill.faults.map((fault) => ({ fault, startMs: scale(fault.at), endMs: scale(fault.at + fault.duration) }));
  return {
    timeScale,
    totalMs,
    phases: phaseWindows(totalMs, faults),
    faults,
    partners: drill.partners.map((p) => scalePartner(p, timeScale)),
  };
}
