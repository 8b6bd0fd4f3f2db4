// compliance.json: what the run actually showed, mapped to the controls it is evidence for.
// Pure. A claim is made only from facts of this run (a fault injected and reverted, both
// verified; SLOs judged over real samples; partner errors the simulator really answered), and
// every claim names the artifacts that show it. An invalid run claims nothing. Chaos drills
// are never evidence of security testing: PCI DSS 11.x and DORA Art. 26 (TLPT) are excluded,
// and the schema rejects them.
import { ComplianceReport, type ClaimId, type ComplianceClaim, type ControlRef } from '../schema/evidence.ts';
import { RUN_FILES } from '../schema/run-dir.ts';

export const COMPLIANCE_FILE = RUN_FILES.compliance;

export interface ComplianceEvidence {
  runId: string;
  drill: string;
  app: string;
  decision: 'GO' | 'NO-GO' | 'CONDITIONAL';
  invalid: boolean;
  /** codes of the run's problems */
  problems: string[];
  verdicts: ReadonlyArray<{ slo: string; kind: string; phase: string; pass: boolean; samples: number; blocking: boolean; reason: string }>;
  faults: ReadonlyArray<{
    name: string;
    action: string;
    service: string;
    /** how many replicas of the service the fault hit */
    replicasHit: number;
    outcome: 'not-started' | 'injected' | 'reverted' | 'inject-failed' | 'revert-failed';
    injectVerified: boolean;
    revertVerified: boolean;
    injectedAt: string | null;
    revertedAt: string | null;
  }>;
  topology: { service: string; replicas: number; zones: string[] };
  /** the load profiles run, in order (rate: the constant rate, when the profile has one) */
  load: { profiles: ReadonlyArray<{ profile: string; rate: number | null; durationMs: number | null }> };
  /** what each partner simulator answered during the run */
  partners: ReadonlyArray<{
    name: string;
    requests: number;
    /** answered 429 */
    throttled: number;
    /** answered 5xx */
    serverErrors: number;
    /** hung up, reset or cut the answer short */
    broken: number;
    /** phases in which it failed */
    degradedPhases: string[];
  }>;
  /** files present in the run directory */
  artifacts: readonly string[];
}

const C = {
  soc2A12: { framework: 'SOC 2', control: 'A1.2', title: 'Environmental protections, software, data backup and recovery infrastructure' },
  soc2A13: { framework: 'SOC 2', control: 'A1.3', title: 'Recovery plan procedures are tested' },
  soc2CC74: { framework: 'SOC 2', control: 'CC7.4', title: 'Identified incidents are responded to' },
  soc2CC75: { framework: 'SOC 2', control: 'CC7.5', title: 'Recovery from identified incidents' },
  soc2CC91: { framework: 'SOC 2', control: 'CC9.1', title: 'Risk mitigation for potential business disruptions' },
  iso529: { framework: 'ISO/IEC 27001:2022', control: 'A.5.29', title: 'Information security during disruption' },
  iso530: { framework: 'ISO/IEC 27001:2022', control: 'A.5.30', title: 'ICT readiness for business continuity' },
  iso86: { framework: 'ISO/IEC 27001:2022', control: 'A.8.6', title: 'Capacity management' },
  iso814: { framework: 'ISO/IEC 27001:2022', control: 'A.8.14', title: 'Redundancy of information processing facilities' },
  pci12102: { framework: 'PCI DSS 4.0', control: '12.10.2', title: 'Incident response plan reviewed, updated and tested at least once every 12 months' },
  hipaa: { framework: 'HIPAA Security Rule', control: '164.308(a)(7)(ii)(D)', title: 'Contingency plan testing and revision procedures' },
  nistCP4: { framework: 'NIST SP 800-53 Rev. 5', control: 'CP-4', title: 'Contingency plan testing' },
  dora24: { framework: 'DORA', control: 'Art. 24', title: 'General requirements for digital operational resilience testing' },
  dora25: { framework: 'DORA', control: 'Art. 25', title: 'Testing of ICT tools and systems' },
} as const satisfies Record<string, Omit<ControlRef, 'grade'>>;

const direct = (c: Omit<ControlRef, 'grade'>): ControlRef => ({ ...c, grade: 'direct' });
const supporting = (c: Omit<ControlRef, 'grade'>): ControlRef => ({ ...c, grade: 'supporting' });

const SAMPLES = 'k6_samples.ndjson.gz';
const SLO_RESULTS = RUN_FILES.sloResults;
const CHAOS = RUN_FILES.chaosReport;
const DECISIONS = RUN_FILES.decisions;

const NOTE =
  'What this run showed, mapped to controls. direct: the run itself is evidence of what the control asks, for the system and scenario tested; supporting: one part of the evidence the control needs (plans, people and their review are out of its scope). A control is met by an organisation over time, not by one run.';

const NEVER = [
  { framework: 'PCI DSS 4.0', control: '11.x', reason: 'security testing (penetration tests, vulnerability scans, segmentation tests): a chaos drill is not one' },
  { framework: 'DORA', control: 'Art. 26', reason: 'threat-led penetration testing (TLPT): a chaos drill is not one' },
] as const;

type Verdicts = ComplianceEvidence['verdicts'];

/** SLOs of the load itself (src/schema/drill.ts kinds): what capacity is judged by. */
const LOAD_KINDS = ['latency', 'error-rate', 'availability', 'throughput'];
/** Load profiles that look for the limit, rather than show one rate is served. */
const CAPACITY_PROFILES = ['stress', 'breakpoint'];
/** SLOs that measure the way back after a fault, whatever phase they are filed under. */
const RECOVERY_KINDS = ['recovery-time', 'backlog-drain'];

function judged(verdicts: Verdicts, phases: readonly string[]) {
  return verdicts.filter((v) => phases.includes(v.phase));
}

function samples(verdicts: Verdicts): number {
  return verdicts.reduce((n, v) => n + v.samples, 0);
}

/** "3 SLOs judged over 812 samples: all met" / "...: 1 not met (a, b)" */
function sloBasis(what: string, verdicts: Verdicts): string {
  const failed = verdicts.filter((v) => !v.pass);
  return `${verdicts.length} ${what} SLO(s) judged over ${samples(verdicts)} samples: ${failed.length === 0 ? 'all met' : `${failed.length} not met (${failed.map((v) => `${v.slo} ${v.reason}`).join(', ')})`}`;
}

function faultBasis(f: ComplianceEvidence['faults'][number], replicas: number): string {
  return `fault ${f.name} (${f.action} on ${f.service}, ${f.replicasHit} of ${replicas} replica(s)) injected at ${f.injectedAt} and reverted at ${f.revertedAt}, both verified`;
}

export function mapCompliance(ev: ComplianceEvidence): ComplianceReport {
  const claims: ComplianceClaim[] = [];
  const notClaimed: ComplianceReport['notClaimed'] = [];
  const skip = (id: ClaimId, reason: string) => notClaimed.push({ id, reason });
  const missing = (paths: readonly string[]) => paths.filter((p) => !ev.artifacts.includes(p));
  const claim = (c: ComplianceClaim) => {
    const gone = missing(c.artifacts);
    if (gone.length) skip(c.id, `the run directory lacks ${gone.join(', ')}`);
    else claims.push(c);
  };

  if (ev.invalid) {
    const reason = `the run is invalid (${ev.problems.join(', ') || 'problems recorded'}): its evidence is incomplete, so nothing is claimed`;
    for (const id of ['recovery-tested', 'incident-response-tested', 'redundancy-exercised', 'capacity-under-load', 'partner-outage-fallback'] as const) skip(id, reason);
    return ComplianceReport.parse({ schema: 'gameday/compliance@1', runId: ev.runId, drill: ev.drill, app: ev.app, decision: ev.decision, note: NOTE, claims, notClaimed, neverClaimed: NEVER });
  }

  const replicas = ev.topology.replicas;
  const reverted = ev.faults.filter((f) => f.outcome === 'reverted' && f.injectVerified && f.revertVerified && f.replicasHit > 0);
  const recovery = ev.verdicts.filter((v) => v.phase === 'recovery' || RECOVERY_KINDS.includes(v.kind));
  const recoveryWithSamples = recovery.filter((v) => v.samples > 0);
  const duringFault = judged(ev.verdicts, ['fault']);
  const faultWithSamples = duringFault.filter((v) => v.samples > 0);

  // recovery tested: a fault went in and came back out, and the recovery phase was judged on real samples
  if (reverted.length === 0) skip('recovery-tested', 'no fault was both injected and reverted with verification');
  else if (recoveryWithSamples.length === 0) skip('recovery-tested', 'no SLO was judged over samples in the recovery phase (nor a recovery-time SLO)');
  else {
    const held = recovery.every((v) => v.pass);
    claim({
      id: 'recovery-tested',
      statement: `Recovery of ${ev.topology.service} after ${reverted.map((f) => f.name).join(', ')} was tested under load; the recovery SLOs ${held ? 'held' : 'did not hold'}.`,
      outcome: held ? 'held' : 'not-held',
      basis: [...reverted.map((f) => faultBasis(f, replicas)), sloBasis('recovery', recovery)],
      controls: [direct(C.soc2A12), direct(C.soc2A13), direct(C.iso530), supporting(C.iso529)],
      artifacts: [CHAOS, SLO_RESULTS, DECISIONS, SAMPLES],
    });
  }

  // incident response tested: the impact was measured during the fault and the recovery afterwards
  if (reverted.length === 0) skip('incident-response-tested', 'no fault was both injected and reverted with verification');
  else if (faultWithSamples.length === 0 || recoveryWithSamples.length === 0) skip('incident-response-tested', 'the fault and recovery phases were not both judged over samples');
  else {
    const both = [...duringFault, ...recovery];
    const held = both.every((v) => v.pass);
    claim({
      id: 'incident-response-tested',
      statement: `An incident (${reverted.map((f) => `${f.action} on ${f.service}`).join(', ')}) was replayed: its impact and the recovery were measured against SLOs, which ${held ? 'held' : 'did not hold'}.`,
      outcome: held ? 'held' : 'not-held',
      basis: [...reverted.map((f) => faultBasis(f, replicas)), sloBasis('fault-phase', duringFault), sloBasis('recovery', recovery), `decision ${ev.decision}`],
      controls: [direct(C.dora25), supporting(C.dora24), supporting(C.pci12102), supporting(C.hipaa), supporting(C.nistCP4), supporting(C.soc2CC74), supporting(C.soc2CC75)],
      artifacts: [CHAOS, SLO_RESULTS, DECISIONS, SAMPLES],
    });
  }

  // redundancy: more than one replica, a fault on some but not all of them, and the SLOs held meanwhile
  const zonesUsed = new Set(Array.from({ length: replicas }, (_, i) => ev.topology.zones[i % Math.max(1, ev.topology.zones.length)]));
  const partial = reverted.filter((f) => f.replicasHit < replicas);
  if (replicas < 2) skip('redundancy-exercised', `${ev.topology.service} ran as ${replicas} replica`);
  else if (partial.length === 0) skip('redundancy-exercised', `no fault hit part of the ${replicas} replicas while the others served (every fault covered all of them)`);
  else if (faultWithSamples.length === 0) skip('redundancy-exercised', 'no SLO was judged over samples in the fault phase');
  else if (!duringFault.every((v) => v.pass)) skip('redundancy-exercised', `the fault-phase SLOs did not hold (${duringFault.filter((v) => !v.pass).map((v) => v.slo).join(', ')}): the remaining replicas did not carry the load`);
  else {
    claim({
      id: 'redundancy-exercised',
      statement: `With ${partial.map((f) => `${f.replicasHit} of ${replicas}`).join(', ')} replicas of ${ev.topology.service} faulted (zones ${[...zonesUsed].join(', ')}), the remaining replicas kept the SLOs.`,
      outcome: 'held',
      basis: [...partial.map((f) => faultBasis(f, replicas)), `${replicas} replicas in ${zonesUsed.size} zone(s): ${[...zonesUsed].join(', ')}`, sloBasis('fault-phase', duringFault)],
      controls: [direct(C.iso814)],
      artifacts: [CHAOS, RUN_FILES.k6Plan, SLO_RESULTS, SAMPLES],
    });
  }

  // capacity: the load SLOs outside faults, judged over samples, held under the load that was run
  const load = judged(ev.verdicts, ['steady', 'all']).filter((v) => LOAD_KINDS.includes(v.kind));
  const ran = ev.load.profiles
    .map((p) => `${p.profile}${p.rate === null ? '' : ` at ${p.rate} req/s`}${p.durationMs === null ? '' : ` for ${Math.round(p.durationMs / 1000)} s`}`)
    .join(', ');
  if (load.filter((v) => v.samples > 0).length === 0) skip('capacity-under-load', 'no steady-phase or whole-run load SLO was judged over samples');
  else if (!load.every((v) => v.pass)) skip('capacity-under-load', `the load SLOs did not hold under ${ran} (${load.filter((v) => !v.pass).map((v) => v.slo).join(', ')})`);
  else {
    // a fixed or shaped rate shows that load is served; finding the limit takes a stress or breakpoint profile
    const grade = ev.load.profiles.some((p) => CAPACITY_PROFILES.includes(p.profile)) ? direct : supporting;
    claim({
      id: 'capacity-under-load',
      statement: `${ev.topology.service} met its load SLOs under ${ran}.`,
      outcome: 'held',
      basis: [`load profile(s): ${ran}`, sloBasis('load', load)],
      controls: [grade(C.iso86)],
      artifacts: [RUN_FILES.k6Plan, RUN_FILES.k6Summary, SLO_RESULTS, SAMPLES],
    });
  }

  // partner outage fallback: the partner really answered 429/5xx, and the SLOs of those phases held
  const degraded = ev.partners.filter((p) => p.throttled + p.serverErrors + p.broken > 0);
  const phases = [...new Set(degraded.flatMap((p) => p.degradedPhases))];
  const during = judged(ev.verdicts, [...phases, 'all']);
  if (degraded.length === 0) skip('partner-outage-fallback', 'no partner answered 429 or 5xx, or broke a connection, during the run');
  else if (during.filter((v) => v.samples > 0).length === 0) skip('partner-outage-fallback', `no SLO was judged over samples in the phases the partner failed in (${phases.join(', ')})`);
  else if (!during.every((v) => v.pass)) skip('partner-outage-fallback', `the SLOs did not hold while the partner failed (${during.filter((v) => !v.pass).map((v) => v.slo).join(', ')})`);
  else {
    claim({
      id: 'partner-outage-fallback',
      statement: `While ${degraded.map((p) => p.name).join(', ')} failed (429, 5xx or broken connections), ${ev.topology.service} kept its SLOs.`,
      outcome: 'held',
      basis: [
        ...degraded.map((p) => `partner ${p.name} answered ${p.throttled} × 429 and ${p.serverErrors} × 5xx and broke ${p.broken} connection(s), of ${p.requests} requests, in phase(s) ${p.degradedPhases.join(', ')}`),
        sloBasis(`${phases.join('/')}-phase and whole-run`, during),
      ],
      controls: [direct(C.soc2CC91)],
      artifacts: [RUN_FILES.journal, SLO_RESULTS, SAMPLES],
    });
  }

  return ComplianceReport.parse({ schema: 'gameday/compliance@1', runId: ev.runId, drill: ev.drill, app: ev.app, decision: ev.decision, note: NOTE, claims, notClaimed, neverClaimed: NEVER });
}
