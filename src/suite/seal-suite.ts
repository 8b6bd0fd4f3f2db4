// The suite's combined evidence: a sealed directory (suite-evidence/) holding the suite
// manifest, the summary and every run's own signed bundle, signed and packed like a run — so
// `gameday verify evidence_bundle_SUITE.zip` checks it, and each run bundle inside it verifies
// on its own. The suite is chained under reports/SUITE/, its decision is the worst of the runs'.
import fs from 'node:fs';
import path from 'node:path';
import { listArtifacts, MANIFEST_FILE, sha256File, writeJson } from '../evidence/files.ts';
import { sha256Hex } from '../evidence/layout.ts';
import { sealRun } from '../evidence/seal.ts';
import { GAMEDAY_VERSION } from '../platform/run-id.ts';
import { SUITE_EXIT_CODES } from './outcome.ts';
import type { SuiteRunRecord, SuiteSummary } from './records.ts';
import { renderSummary } from './summary.ts';
import { RUN_FILES } from '../schema/run-dir.ts';

export const SUITE_APP = 'SUITE';
export const SUITE_EVIDENCE_DIR = 'suite-evidence';
export const SUITE_MANIFEST_FILE = 'suite_manifest.json';
export const SUITE_BUNDLE_FILE = 'evidence_bundle_SUITE.zip';

/** One drill run as a verdict of the suite: a GO is met; a CONDITIONAL an advisory failure; anything else a blocking one. */
export function runVerdict(r: SuiteRunRecord, bundleInEvidence: string | null) {
  const ran = r.outcome === 'GO' || r.outcome === 'NO-GO' || r.outcome === 'CONDITIONAL';
  const failed = [...r.failedBlocking, ...r.failedAdvisory.map((n) => `${n} (advisory)`)];
  return {
    slo: r.drill,
    kind: 'drill-run',
    phase: 'all',
    request: null,
    objective: 'decision GO',
    observed: r.exitCode,
    unit: 'count',
    samples: ran ? 1 : 0,
    pass: r.outcome === 'GO',
    blocking: r.outcome !== 'CONDITIONAL',
    reason: r.outcome === 'GO' ? 'met' : ran ? 'breached' : 'no-evidence',
    detail: ran ? `${r.outcome}${failed.length ? `: ${failed.join(', ')}` : ''}${r.invalid ? ' (invalid run)' : ''}` : r.reasons.join('; '),
    evidence: bundleInEvidence ? [bundleInEvidence] : [],
  };
}

function linkOrCopy(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.rmSync(to, { force: true });
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

export interface SealSuiteResult {
  evidenceDir: string;
  bundle: string;
  bundleSha256: string;
}

export async function sealSuite(o: { suiteDir: string; summary: SuiteSummary; reportsRoot: string }): Promise<SealSuiteResult> {
  const { summary } = o;
  const dir = path.join(o.suiteDir, SUITE_EVIDENCE_DIR);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });

  const runs = summary.runs.map((r) => {
    const inEvidence = r.bundle ? `runs/${r.runDir}/${path.basename(r.bundle)}` : null;
    if (r.bundle && inEvidence) linkOrCopy(path.join(o.suiteDir, r.bundle), path.join(dir, inEvidence));
    return { r, inEvidence };
  });
  const drills = summary.runs.map((r) => ({ drill: r.drill, file: r.file, sha256: r.drillSha256 }));
  writeJson(path.join(dir, SUITE_MANIFEST_FILE), {
    schema: 'gameday/suite-manifest@1',
    suiteId: summary.suiteId,
    source: summary.source,
    mutant: summary.mutant,
    timeScale: summary.timeScale,
    startedAt: summary.startedAt,
    endedAt: summary.endedAt,
    decision: summary.decision,
    exitCode: summary.exitCode,
    interrupted: summary.interrupted,
    runs: runs.map(({ r, inEvidence }) => ({
      index: r.index,
      drill: r.drill,
      app: r.app,
      file: r.file,
      drillSha256: r.drillSha256,
      outcome: r.outcome,
      exitCode: r.exitCode,
      invalid: r.invalid,
      runId: r.runId,
      runDir: r.runDir,
      bundle: inEvidence,
      bundleSha256: r.bundleSha256,
      bundleBytes: r.bundleBytes,
      manifestSha256: r.manifestSha256,
    })),
  });
  writeJson(path.join(dir, 'summary.json'), summary);
  fs.writeFileSync(path.join(dir, 'summary.md'), renderSummary(summary));

  // the suite as a "run" of the evidence layer: its verdicts are the drills' decisions
  const decision = summary.decision === 'INVALID' ? 'NO-GO' : summary.decision;
  const problems = [
    ...(summary.interrupted ? [{ code: 'interrupted', message: 'the suite was interrupted: drills after the interrupted one did not run' }] : []),
    ...summary.runs.filter((r) => r.outcome === 'INVALID').map((r) => ({ code: 'invalid-drill', message: `${r.drill}: ${r.reasons.join('; ')}` })),
    ...summary.runs.filter((r) => r.invalid && r.outcome !== 'INVALID').map((r) => ({ code: 'invalid-run', message: `${r.drill}: the run was invalid (see its decisions.json)` })),
  ];
  const verdicts = runs.map(({ r, inEvidence }) => runVerdict(r, inEvidence));
  writeJson(path.join(dir, RUN_FILES.decisions), {
    runId: summary.suiteId,
    drill: `suite ${summary.source}`,
    app: SUITE_APP,
    decision,
    exitCode: SUITE_EXIT_CODES[summary.decision],
    reasons: summary.runs.map((r) => `${r.drill}: ${r.outcome}${r.failedBlocking.length ? ` (${r.failedBlocking.join(', ')})` : ''}`),
    invalid: problems.length > 0,
    problems,
    verdicts,
  });
  const scheduled = summary.runs.reduce((n, r) => n + (r.scheduledMs ?? 0), 0);
  writeJson(path.join(dir, MANIFEST_FILE), {
    schema: 'gameday/run-manifest@1',
    kind: 'suite',
    runId: summary.suiteId,
    // the "drill" of a suite is its list of drill files: name, source and the digest of that list
    drill: { name: `suite ${summary.source}`, app: SUITE_APP, file: summary.source, sha256: sha256Hex(JSON.stringify(drills)) },
    timeScale: summary.timeScale ?? 1,
    compressed: summary.runs.some((r) => r.timeScale < 1),
    scheduledMs: scheduled,
    startedAt: summary.startedAt,
    endedAt: summary.endedAt,
    tools: { gameday: GAMEDAY_VERSION, node: process.version },
    decision: { decision, exitCode: SUITE_EXIT_CODES[summary.decision] },
    artifacts: listArtifacts(dir),
  });
  const bundleFile = path.join(o.suiteDir, SUITE_BUNDLE_FILE);
  await sealRun({ runDir: dir, reportsRoot: o.reportsRoot, app: SUITE_APP, runId: summary.suiteId, bundleFile });
  return { evidenceDir: dir, bundle: bundleFile, bundleSha256: sha256File(bundleFile) };
}
