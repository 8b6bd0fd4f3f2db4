// Planning: a validated drill plus a time-scale → one timeline in milliseconds from the
// start of load. Pure: no clocks, no I/O.
import { phaseWindows, type PhaseWindow } from '../../scenarios/lib/phase.ts';
import { planTimelines, type PlannedPartner } from '../../simulators/behaviour.ts';
import { baseline, loadLength, soak, spike, stress, vuRamp, type Profile } from '../../scenarios/profiles.ts';
import { profileStarts, type Drill, type Fault, type LoadProfile, type Partner } from '../schema/drill.ts';
import { partnerOutages, type PartnerOutage } from '../schema/partner-outages.ts';

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
  /** load profiles on the timeline, with their k6 scenarios */
  profiles: Profile[];
  faults: PlannedFault[];
  partners: PlannedPartner[];
  /** stretches in which a partner is not healthy: fault windows of the timeline, like the faults */
  partnerOutages: PartnerOutage[];
}

/** A partner's timelines with every `at` time-scaled (and nothing else). */
export function scalePartner(p: Partner, scale: number): PlannedPartner {
  // only `at` is a point on the timeline; latency (the partner's answer time), Retry-After, rates,
  // sequences and dribble intervals are what the SUT sees: not scaled
  return planTimelines(p, (at) => Math.round(at * scale));
}

/** One drill profile → a k6 scenario at its (scaled) place on the timeline. Its VUs get GAMEDAY_PROFILE=index. */
export function planProfile(p: LoadProfile, startMs: number, scale: (ms: number) => number, index: number): Profile {
  const common = { startMs, preAllocatedVUs: p.preAllocatedVUs, maxVUs: p.maxVUs, env: { GAMEDAY_PROFILE: String(index) } };
  switch (p.profile) {
    case 'baseline':
      return baseline({ ...common, rate: p.rate, durationMs: scale(p.duration) });
    case 'soak':
      return soak({ ...common, rate: p.rate, durationMs: scale(p.duration) });
    case 'spike':
      return spike({
        ...common,
        baseRate: p.baseRate,
        peakRate: p.peakRate,
        warmupMs: scale(p.warmup),
        rampUpMs: scale(p.rampUp),
        holdMs: scale(p.hold),
        rampDownMs: scale(p.rampDown),
        recoveryMs: scale(p.recovery),
      });
    case 'stress':
      return stress({ ...common, startRate: p.startRate, maxRate: p.maxRate, rampMs: scale(p.duration) });
    case 'vu-ramp':
      return vuRamp({ ...common, startVUs: p.startVUs, stages: p.stages.map((s) => ({ durationMs: scale(s.duration), target: s.target })) });
  }
}

/**
 * Every point and length on the timeline is multiplied by `timeScale`: load profile starts and
 * stages, fault start and duration, partner behaviour switches (and so partner outages). Magnitudes of faults (injected latency)
 * and protocol values (Retry-After seconds) are not, since the SUT sees them as they are.
 */
export function planDrill(drill: Drill, timeScale = drill.timeScale): Plan {
  const scale = (ms: number) => Math.round(ms * timeScale);
  const starts = profileStarts(drill.load.profiles);
  const profiles = drill.load.profiles.map((p, i) => planProfile(p, scale(starts[i]), scale, i));
  const totalMs = loadLength(profiles);
  const faults = drill.faults.map((fault) => ({ fault, startMs: scale(fault.at), endMs: scale(fault.at + fault.duration) }));
  const partners = drill.partners.map((p) => scalePartner(p, timeScale));
  const outages = partners.flatMap((p, i) => partnerOutages(p, totalMs, drill.partners[i].slowAbove));
  return {
    timeScale,
    totalMs,
    phases: phaseWindows(totalMs, [...faults, ...outages]),
    profiles,
    faults,
    partners,
    partnerOutages: outages,
  };
}
