// Collects the facts compliance.json is mapped from, out of a run directory and its drill.
import fs from 'node:fs';
import path from 'node:path';
import { phaseAt, type PhaseName, type PhaseWindow } from '../../scenarios/lib/phase.ts';
import { describeIssues } from '../schema/load.ts';
import { ChaosReportFile, SloResultsFile, type ComplianceReport } from '../schema/evidence.ts';
import { JournalEntry } from '../schema/journal.ts';
import { COMPLIANCE_FILE, mapCompliance, type ComplianceEvidence } from './compliance.ts';
import { writeJson } from './files.ts';
import { walkRunDir } from './layout.ts';
import { readDecisions, RERUN_FIX as RERUN } from './run-files.ts';
import { EvidenceFileError, readJsonFile } from './read-json.ts';

/** The parts of a drill (src/schema/drill.ts Drill) that the mapping needs: pass the drill. */
export interface DrillFacts {
  target: { service: { name: string; replicas: number; zones: string[] } };
  load: { profiles: ReadonlyArray<{ profile: string; rate?: number; duration?: number }> };
}

type PartnerFacts = ComplianceEvidence['partners'][number];

/** Exchanges a partner broke off instead of answering (src/schema/journal.ts outcome). */
const BROKEN = new Set(['hang', 'reset', 'closed-mid-body', 'truncated']);

/** Counts what each partner simulator answered, and in which phases it failed (429, 5xx, broken connections). */
function readJournal(file: string, t0: string | null, phases: PhaseWindow[]): PartnerFacts[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  type Acc = { name: string; requests: number; throttled: number; serverErrors: number; broken: number; degradedPhases: Set<PhaseName> };
  const byPartner = new Map<string, Acc>();
  const start = t0 === null ? null : Date.parse(t0);
  lines.forEach((text, i) => {
    if (!text) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      if (i === lines.length - 1) return; // the last line of a killed run may be cut short
      throw new EvidenceFileError(file, [`line ${i + 1}: not JSON`], RERUN);
    }
    const parsed = JournalEntry.safeParse(raw);
    if (!parsed.success) throw new EvidenceFileError(file, describeIssues(parsed.error.issues).map((d) => `line ${i + 1}: ${d}`), RERUN);
    const e = parsed.data;
    if (e.source !== 'partner') return; // webhook deliveries to the SUT say nothing about the partner
    const p = byPartner.get(e.partner) ?? { name: e.partner, requests: 0, throttled: 0, serverErrors: 0, broken: 0, degradedPhases: new Set<PhaseName>() };
    byPartner.set(e.partner, p);
    p.requests++;
    let failed = true;
    if (e.status === 429) p.throttled++;
    else if (e.status !== null && e.status >= 500) p.serverErrors++;
    else if (BROKEN.has(e.outcome)) p.broken++;
    else failed = false;
    if (failed && start !== null) p.degradedPhases.add(phaseAt(phases, Date.parse(e.time) - start));
  });
  return [...byPartner.values()].map((p) => ({ ...p, degradedPhases: [...p.degradedPhases] }));
}

/** Reads decisions.json, slo_results.json, chaos_report.json and simulator_journal.ndjson. */
export function complianceEvidenceFromRun(runDir: string, drill: DrillFacts): ComplianceEvidence {
  const decisions = readDecisions(runDir);
  const slo = readJsonFile(path.join(runDir, 'slo_results.json'), SloResultsFile, RERUN);
  const chaos = readJsonFile(path.join(runDir, 'chaos_report.json'), ChaosReportFile, RERUN);
  const phases: PhaseWindow[] = slo.phases.flatMap((p) => (['steady', 'fault', 'recovery'].includes(p.phase) ? [{ phase: p.phase as PhaseName, startMs: p.startMs, endMs: p.endMs }] : []));
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
    topology: { service: drill.target.service.name, replicas: drill.target.service.replicas, zones: drill.target.service.zones },
    load: { profiles: drill.load.profiles.map((p) => ({ profile: p.profile, rate: p.rate ?? null, durationMs: p.duration ?? null })) },
    partners: readJournal(path.join(runDir, 'simulator_journal.ndjson'), chaos.t0, phases),
    artifacts: walkRunDir(runDir).map((f) => f.path),
  };
}

/** Writes compliance.json into the run directory (before the manifest, so that it is listed and signed). */
export function writeCompliance(runDir: string, drill: DrillFacts): ComplianceReport {
  const report = mapCompliance(complianceEvidenceFromRun(runDir, drill));
  writeJson(path.join(runDir, COMPLIANCE_FILE), report);
  return report;
}
