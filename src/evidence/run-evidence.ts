// The evidence of one run, typed in memory and written once, in the one order that works:
// what the run observed (chaos_report.json, placeholders for missing k6 summaries) before the
// secret scan; then, once judged, slo_results.json, decisions.json, junit.xml,
// compliance.json, report.html and run_manifest.json — each built from the records in
// memory, none read back from disk. The seal (chain, signature, bundle) comes after.
import fs from 'node:fs';
import path from 'node:path';
import type { FaultParams } from '../../chaos/registry.ts';
import type { PhaseWindow } from '../../scenarios/lib/phase.ts';
import type { DecisionRecord } from '../judge/decide.ts';
import type { Verdict } from '../judge/evaluate.ts';
import type { GuardTrip } from '../judge/guard.ts';
import type { Judgement } from '../judge/judge.ts';
import type { MetricsAggregator } from '../metrics/aggregate.ts';
import type { Drill } from '../schema/drill.ts';
import type { DecisionFile, RunManifest } from '../schema/evidence.ts';
import type { JournalEntry } from '../schema/journal.ts';
import { RUN_FILES } from '../schema/run-dir.ts';
import { buildReportData, type ReportInput } from '../report/data.ts';
import { renderReport } from '../report/html.ts';
import { writeCompliance } from './compliance-input.ts';
import type { PartnerOutageRecord } from './partner-outage-records.ts';
import { listArtifacts, sha256File, writeJson } from './files.ts';
import { writeJunit } from './junit.ts';

/** One fault as chaos_report.json holds it. */
export interface FaultRecord {
  name: string;
  driver: string;
  action: string;
  target: { service: string; proxies: string[] };
  params: FaultParams;
  scheduled: { startMs: number; endMs: number };
  injectedAt: string | null;
  /** the fault was observed in place after injection */
  injectVerified: boolean;
  revertedAt: string | null;
  /** the fault was observed gone after revert */
  revertVerified: boolean;
  outcome: 'not-started' | 'injected' | 'reverted' | 'inject-failed' | 'revert-failed';
  error: string | null;
}

export interface ChaosReport {
  runId: string;
  toxiproxy: { url: string; version: string; source: string } | null;
  t0: string | null;
  faults: FaultRecord[];
  /** the partners' outages: fault windows of the timeline that no driver injected */
  partnerOutages: PartnerOutageRecord[];
  environment: Record<string, unknown> | null;
  /** driver fis: the endpoint, accounts, and each experiment's ids and states (src/targets/fis.ts) */
  fis?: unknown;
  sweptBeforeRun: unknown;
  /** the guard that aborted the run (its reading, and when every fault was back out), if one did */
  guardTrip?: GuardTrip | null;
}

/** slo_results.json: the verdicts with what they were judged on. */
export interface SloResults {
  runId: string;
  drill: string;
  timeScale: number;
  phases: readonly PhaseWindow[];
  samples: Record<string, unknown>;
  k6: unknown;
  verdicts: Verdict[];
  figures?: Record<string, number | null>;
  journal?: { entries: number; figures: Judgement['journalFigures']; sideEffects: { read: number; errors: string[] } | null };
  senders?: unknown;
  profiles?: Judgement['profileFigures'];
  /** planned vs delivered arrivals, per second of the timeline */
  load?: Judgement['load'];
  /** whose error each failed request was, from the load balancer's logs */
  attribution?: Judgement['attribution'];
  sutMetrics?: Record<string, unknown>;
  baselineSkipped?: Array<{ dir: string; problem: string }>;
  /** where the samples came from when they were not this run's own (gameday ingest) */
  source?: Record<string, unknown>;
}

export function decisionsFile(runId: string, drill: Pick<Drill, 'name' | 'app'>, decision: DecisionRecord): DecisionFile {
  return { runId, drill: drill.name, app: drill.app, ...decision } as DecisionFile;
}

/** Before the secret scan and the verdicts: what the run observed of its faults and its k6 processes. */
export function writeObservedEvidence(runDir: string, chaos: ChaosReport, k6Summaries: string[], k6Missing: string): void {
  writeJson(path.join(runDir, RUN_FILES.chaosReport), chaos);
  for (const name of k6Summaries) {
    const file = path.join(runDir, name);
    if (!fs.existsSync(file)) writeJson(file, { missing: true, reason: k6Missing });
  }
}

/** The verdicts and the decision alone (gameday ingest writes these two). */
export function writeVerdictEvidence(runDir: string, results: SloResults, decisions: DecisionFile): void {
  writeJson(path.join(runDir, RUN_FILES.sloResults), results);
  writeJson(path.join(runDir, RUN_FILES.decisions), decisions);
}

/** What ran: recorded in the manifest and the statement. */
export interface RunTools {
  gameday: string;
  node: string;
  k6: { version: string | null; source: string; pinned: string };
  toxiproxy: { version: string; source: string } | null;
}

export interface JudgedRun {
  drill: Drill;
  drillFile: string;
  runId: string;
  startedAt: Date;
  endedAt: Date;
  timeScale: number;
  scheduledMs: number;
  chaos: ChaosReport;
  results: SloResults;
  decision: DecisionRecord;
  journal: readonly JournalEntry[];
  metrics: MetricsAggregator;
  partners: ReportInput['partners'];
  /** the steady-state probes that ran (probes.json) */
  probes?: ReportInput['probes'];
  tools: RunTools;
}

/** Everything after the verdicts, manifest last; returns the records the seal signs. */
export function writeJudgedEvidence(runDir: string, r: JudgedRun): { manifest: RunManifest; decisions: DecisionFile } {
  const { drill } = r;
  const decisions = decisionsFile(r.runId, drill, r.decision);
  const startedAt = r.startedAt.toISOString();
  const endedAt = r.endedAt.toISOString();
  writeVerdictEvidence(runDir, r.results, decisions);
  writeJunit(runDir, decisions, { startedAt, endedAt });
  writeCompliance(runDir, drill, { decisions, phases: r.results.phases, chaos: r.chaos, journal: r.journal });
  const t0 = r.chaos.t0 === null ? null : Date.parse(r.chaos.t0);
  const reportTools = { gameday: r.tools.gameday, node: r.tools.node, k6: r.tools.k6?.version ?? null, toxiproxy: r.tools.toxiproxy?.version ?? null };
  fs.writeFileSync(
    path.join(runDir, RUN_FILES.report),
    renderReport(
      buildReportData({
        drill: { name: drill.name, app: drill.app, description: drill.description },
        runId: r.runId,
        startedAt,
        endedAt,
        decision: r.decision,
        timeScale: r.timeScale,
        durationMs: r.scheduledMs,
        phases: r.results.phases,
        t0,
        faults: r.chaos.faults,
        partnerOutages: r.chaos.partnerOutages,
        partners: r.partners.map((p) => ({ ...p, slowAboveMs: drill.partners.find((d) => d.name === p.name)?.slowAbove })),
        metrics: r.metrics,
        load: r.results.load ?? null,
        attribution: r.results.attribution ?? null,
        guardTrip: r.chaos.guardTrip ?? null,
        probes: r.probes,
        tools: reportTools,
      }),
    ),
  );
  const manifest: RunManifest = {
    schema: 'gameday/run-manifest@1',
    runId: r.runId,
    drill: { name: drill.name, app: drill.app, file: path.relative(process.cwd(), r.drillFile), sha256: sha256File(r.drillFile) },
    timeScale: r.timeScale,
    compressed: r.timeScale < 1,
    scheduledMs: r.scheduledMs,
    startedAt,
    endedAt,
    tools: { ...r.tools },
    decision: { decision: r.decision.decision, exitCode: r.decision.exitCode },
    artifacts: listArtifacts(runDir),
  };
  writeJson(path.join(runDir, RUN_FILES.manifest), manifest);
  return { manifest, decisions };
}
