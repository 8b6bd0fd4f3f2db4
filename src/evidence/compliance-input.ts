// Collects the facts compliance.json is mapped from, out of a run directory and its drill.
import fs from 'node:fs';
import path from 'node:path';
import { phaseAt, type PhaseName, type PhaseWindow } from '../../scenarios/lib/phase.ts';
import { ChaosReportFile, SloResultsFile, type ComplianceReport, type DecisionFile } from '../schema/evidence.ts';
import type { JournalEntry } from '../schema/journal.ts';
import { targetTopology, type TopologyInput } from '../schema/drill.ts';
import { RUN_FILES } from '../schema/run-dir.ts';
import { JournalFileError, readJournal } from '../../simulators/journal.ts';
import { mapCompliance, type ComplianceEvidence } from './compliance.ts';
import { writeJson } from './files.ts';
import { walkRunDir } from './layout.ts';
import { readDecisions, RERUN_FIX as RERUN } from './run-files.ts';
import { EvidenceFileError, readJsonFile } from './read-json.ts';

/** The parts of a drill (src/schema/drill.ts Drill) that the mapping needs: pass the drill. */
export interface DrillFacts {
  target: TopologyInput;
  load: { profiles: ReadonlyArray<{ profile: string; rate?: number; duration?: number }> };
}

type PartnerFacts = ComplianceEvidence['partners'][number];

/** Exchanges a partner broke off instead of answering (src/schema/journal.ts outcome). */
const BROKEN = new Set(['hang', 'reset', 'closed-mid-body', 'truncated']);

/** Counts what each partner simulator answered, and in which phases it failed (429, 5xx, broken connections). */
function partnerFacts(entries: readonly JournalEntry[], t0: string | null, phases: PhaseWindow[]): PartnerFacts[] {
  type Acc = { name: string; requests: number; throttled: number; serverErrors: number; broken: number; degradedPhases: Set<PhaseName> };
  const byPartner = new Map<string, Acc>();
  const start = t0 === null ? null : Date.parse(t0);
  for (const e of entries) {
    if (e.source !== 'partner') continue; // webhook deliveries to the SUT say nothing about the partner
    const p = byPartner.get(e.partner) ?? { name: e.partner, requests: 0, throttled: 0, serverErrors: 0, broken: 0, degradedPhases: new Set<PhaseName>() };
    byPartner.set(e.partner, p);
    p.requests++;
    let failed = true;
    if (e.status === 429) p.throttled++;
    else if (e.status !== null && e.status >= 500) p.serverErrors++;
    else if (BROKEN.has(e.outcome)) p.broken++;
    else failed = false;
    if (failed && start !== null) p.degradedPhases.add(phaseAt(phases, Date.parse(e.time) - start));
  }
  return [...byPartner.values()].map((p) => ({ ...p, degradedPhases: [...p.degradedPhases] }));
}

/** What a run recorded, in memory: the facts compliance.json is mapped from. */
export interface RunFacts {
  decisions: Pick<DecisionFile, 'runId' | 'drill' | 'app' | 'decision' | 'invalid' | 'problems' | 'verdicts'>;
  phases: ReadonlyArray<{ phase: string; startMs: number; endMs: number }>;
  chaos: {
    t0: string | null;
    faults: ReadonlyArray<{ name: string; action: string; target: { service: string; proxies?: readonly unknown[]; replicas?: readonly unknown[] }; outcome: 'not-started' | 'injected' | 'reverted' | 'inject-failed' | 'revert-failed'; injectVerified: boolean; revertVerified: boolean; injectedAt: string | null; revertedAt: string | null }>;
  };
  journal: readonly JournalEntry[];
  /** every file of the run directory so far (relative paths) */
  artifacts: string[];
}

/** Pure: the compliance evidence of a run. */
export function complianceEvidence(run: RunFacts, drill: DrillFacts): ComplianceEvidence {
  const { decisions, chaos } = run;
  const phases: PhaseWindow[] = run.phases.flatMap((p) => (['steady', 'fault', 'recovery'].includes(p.phase) ? [{ phase: p.phase as PhaseName, startMs: p.startMs, endMs: p.endMs }] : []));
  return {
    runId: decisions.runId,
    drill: decisions.drill,
    app: decisions.app,
    decision: decisions.decision,
    invalid: decisions.invalid,
    problems: decisions.problems.map((p) => p.code),
    verdicts: decisions.verdicts,
    faults: chaos.faults.map((f) => ({
      name: f.name,
      action: f.action,
      service: f.target.service,
      replicasHit: (f.target.replicas ?? f.target.proxies ?? []).length,
      outcome: f.outcome,
      injectVerified: f.injectVerified,
      revertVerified: f.revertVerified,
      injectedAt: f.injectedAt,
      revertedAt: f.revertedAt,
    })),
    topology: targetTopology(drill.target),
    load: { profiles: drill.load.profiles.map((p) => ({ profile: p.profile, rate: p.rate ?? null, durationMs: p.duration ?? null })) },
    partners: partnerFacts(run.journal, chaos.t0, phases),
    artifacts: run.artifacts,
  };
}

/** Reads decisions.json, slo_results.json, chaos_report.json and simulator_journal.ndjson of a finished run. */
export function complianceEvidenceFromRun(runDir: string, drill: DrillFacts): ComplianceEvidence {
  const journalFile = path.join(runDir, RUN_FILES.journal);
  let journal: JournalEntry[] = [];
  try {
    journal = fs.existsSync(journalFile) ? readJournal(journalFile) : [];
  } catch (err) {
    if (err instanceof JournalFileError) throw new EvidenceFileError(journalFile, err.problems, RERUN);
    throw err;
  }
  return complianceEvidence(
    {
      decisions: readDecisions(runDir),
      phases: readJsonFile(path.join(runDir, RUN_FILES.sloResults), SloResultsFile, RERUN).phases,
      chaos: readJsonFile(path.join(runDir, RUN_FILES.chaosReport), ChaosReportFile, RERUN),
      journal,
      artifacts: walkRunDir(runDir).map((f) => f.path),
    },
    drill,
  );
}

/** Writes compliance.json into the run directory (before the manifest, so that it is listed and signed). */
export function writeCompliance(runDir: string, drill: DrillFacts, run?: Omit<RunFacts, 'artifacts'>): ComplianceReport {
  const report = mapCompliance(run ? complianceEvidence({ ...run, artifacts: walkRunDir(runDir).map((f) => f.path) }, drill) : complianceEvidenceFromRun(runDir, drill));
  writeJson(path.join(runDir, RUN_FILES.compliance), report);
  return report;
}
