// `gameday suite`: drills run one after the other, each into its own run directory under the
// suite directory, then a combined summary and one sealed suite bundle. Ctrl-C (the signal)
// stops the drill that is running — its faults reverted, its evidence written — and the suite:
// the drills after it are recorded as not run.
import fs from 'node:fs';
import path from 'node:path';
import { DrillError, type LoadedDrill } from '../schema/load.ts';
import { sha256File, writeJson } from '../evidence/files.ts';
import { newRunId } from '../platform/run-id.ts';
import { runDrill, type RunResult } from '../run/run-drill.ts';
import type { Mutant } from '../schema/mutants.ts';
import { RUN_FILES } from '../schema/run-dir.ts';
import { applyMutant, mutantProblems } from './mutants.ts';
import { suiteDecision, SUITE_EXIT_CODES, type SuiteDecision } from './outcome.ts';
import type { SuiteRunRecord, SuiteSummary } from './records.ts';
import { sealSuite } from './seal-suite.ts';
import { renderSummary } from './summary.ts';

export const SUITE_SUMMARY_JSON = 'summary.json';
export const SUITE_SUMMARY_MD = 'summary.md';
/** written into each run directory of a mutant run, before the run: signed with the run's evidence */
export const MUTANT_FILE = 'mutant.json';

export type { SuiteRunRecord, SuiteSummary };

export interface SuiteOptions {
  drills: LoadedDrill[];
  /** what the drills were given as (folder or files), for the record */
  source: string;
  mutant?: Mutant | null;
  /** the mutants file the mutant came from */
  mutantsFile?: string | null;
  /** overrides every drill's own time-scale */
  timeScale?: number;
  /** the suite directory (default reports/suites/<suite-id>) */
  outDir?: string;
  reportsRoot?: string;
  signal?: AbortSignal;
  progress?: boolean;
  log?: (line: string) => void;
  /** called after each drill (the CLI prints its line) */
  onRun?: (run: SuiteRunRecord) => void;
}

export interface SuiteResult {
  suiteId: string;
  suiteDir: string;
  decision: SuiteDecision;
  exitCode: number;
  interrupted: boolean;
  runs: SuiteRunRecord[];
  /** the combined, signed bundle of the suite */
  bundle: string;
  bundleSha256: string;
  summaryMd: string;
  summaryJson: string;
}

function runSlug(index: number, name: string): string {
  return `${String(index).padStart(2, '0')}-${name}`;
}

function relTo(dir: string, file: string): string {
  return path.relative(dir, file).split(path.sep).join('/');
}

function notRun(index: number, loaded: LoadedDrill, mutant: Mutant | null, timeScale: number, outcome: 'NOT-RUN' | 'INVALID', reasons: string[]): SuiteRunRecord {
  return {
    index,
    drill: loaded.drill.name,
    app: loaded.drill.app,
    file: relTo(process.cwd(), loaded.file),
    drillSha256: sha256File(loaded.file),
    mutant: mutant?.name ?? null,
    outcome,
    exitCode: outcome === 'INVALID' ? SUITE_EXIT_CODES.INVALID : null,
    invalid: outcome === 'INVALID',
    reasons,
    failedBlocking: [],
    failedAdvisory: [],
    noEvidence: [],
    runId: null,
    runDir: null,
    bundle: null,
    bundleSha256: null,
    bundleBytes: null,
    manifestSha256: null,
    report: null,
    timeScale,
    scheduledMs: null,
    wallMs: null,
    startedAt: null,
    endedAt: null,
  };
}

function recordOf(index: number, loaded: LoadedDrill, mutant: Mutant | null, timeScale: number, suiteDir: string, result: RunResult, wallMs: number): SuiteRunRecord {
  const d = result.decision;
  const failed = d.verdicts.filter((v) => !v.pass && !('waivedBy' in v && v.waivedBy));
  const report = path.join(result.runDir, RUN_FILES.report);
  return {
    ...notRun(index, loaded, mutant, timeScale, 'NOT-RUN', []),
    outcome: d.decision,
    exitCode: d.exitCode,
    invalid: d.invalid,
    reasons: d.reasons,
    failedBlocking: failed.filter((v) => v.blocking).map((v) => v.slo),
    failedAdvisory: failed.filter((v) => !v.blocking).map((v) => v.slo),
    noEvidence: failed.filter((v) => v.reason === 'no-evidence').map((v) => v.slo),
    runId: result.runId,
    runDir: relTo(suiteDir, result.runDir),
    bundle: relTo(suiteDir, result.bundle),
    bundleSha256: sha256File(result.bundle),
    bundleBytes: fs.statSync(result.bundle).size,
    manifestSha256: sha256File(path.join(result.runDir, RUN_FILES.manifest)),
    report: fs.existsSync(report) ? relTo(suiteDir, report) : null,
    scheduledMs: result.scheduledMs,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    wallMs,
  };
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const mutant = opts.mutant ?? null;
  if (opts.drills.length === 0) throw new DrillError(opts.source, ['the suite has no drills']);
  // a mutant that makes a drill invalid (a zone fault with no replica left in the zone) stops the suite before it starts
  if (mutant) {
    const problems = opts.drills.flatMap((l) => mutantProblems(l.drill, mutant).map((p) => `${relTo(process.cwd(), l.file)}: ${p}`));
    if (problems.length) throw new DrillError(opts.mutantsFile ?? 'mutants', problems);
  }
  const suiteId = newRunId();
  const suiteDir = path.resolve(opts.outDir ?? path.join(opts.reportsRoot ?? 'reports', 'suites', suiteId));
  fs.mkdirSync(suiteDir, { recursive: true });
  const startedAt = new Date();
  const runs: SuiteRunRecord[] = [];
  let interrupted = false;

  for (const [i, loaded] of opts.drills.entries()) {
    const index = i + 1;
    const timeScale = opts.timeScale ?? loaded.drill.timeScale;
    if (opts.signal?.aborted) {
      interrupted = true;
      runs.push(notRun(index, loaded, mutant, timeScale, 'NOT-RUN', [`not run: the suite was interrupted (${String(opts.signal.reason ?? 'aborted')}) before this drill`]));
      continue;
    }
    const runDir = path.join(suiteDir, runSlug(index, loaded.drill.name));
    fs.mkdirSync(runDir, { recursive: true });
    let target = loaded;
    if (mutant) {
      target = { ...loaded, drill: applyMutant(loaded.drill, mutant) };
      writeJson(path.join(runDir, MUTANT_FILE), {
        schema: 'gameday/mutant@1',
        name: mutant.name,
        defect: mutant.defect,
        description: mutant.description ?? null,
        override: mutant.override,
        mustFail: mutant.mustFail,
        file: opts.mutantsFile ? relTo(process.cwd(), opts.mutantsFile) : null,
        sha256: opts.mutantsFile ? sha256File(opts.mutantsFile) : null,
      });
    }
    log(`suite ${index}/${opts.drills.length}: ${loaded.drill.name}${mutant ? ` against mutant ${mutant.name}` : ''} (time-scale ${timeScale})`);
    const began = Date.now();
    let record: SuiteRunRecord;
    try {
      const result = await runDrill(target, { outDir: runDir, timeScale: opts.timeScale, reportsRoot: opts.reportsRoot, signal: opts.signal, progress: opts.progress, log });
      record = recordOf(index, loaded, mutant, timeScale, suiteDir, result, Date.now() - began);
    } catch (err) {
      if (!(err instanceof DrillError)) throw err;
      record = { ...notRun(index, loaded, mutant, timeScale, 'INVALID', err.problems.map((p) => `invalid drill: ${p}`)), runDir: relTo(suiteDir, runDir) };
    }
    runs.push(record);
    opts.onRun?.(record);
    if (opts.signal?.aborted) interrupted = true;
  }

  const decision = suiteDecision(runs.map((r) => r.outcome));
  const endedAt = new Date();
  const summary: SuiteSummary = {
    schema: 'gameday/suite-summary@1',
    suiteId,
    source: opts.source,
    mutant: mutant ? { name: mutant.name, defect: mutant.defect, override: mutant.override, mustFail: mutant.mustFail, file: opts.mutantsFile ? relTo(process.cwd(), opts.mutantsFile) : null } : null,
    timeScale: opts.timeScale ?? null,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    decision,
    exitCode: SUITE_EXIT_CODES[decision],
    interrupted,
    runs,
  };
  const summaryJson = path.join(suiteDir, SUITE_SUMMARY_JSON);
  const summaryMd = path.join(suiteDir, SUITE_SUMMARY_MD);
  writeJson(summaryJson, summary);
  fs.writeFileSync(summaryMd, renderSummary(summary));
  const sealed = await sealSuite({ suiteDir, summary, reportsRoot: path.resolve(opts.reportsRoot ?? 'reports') });
  return {
    suiteId,
    suiteDir,
    decision,
    exitCode: SUITE_EXIT_CODES[decision],
    interrupted,
    runs,
    bundle: sealed.bundle,
    bundleSha256: sealed.bundleSha256,
    summaryMd,
    summaryJson,
  };
}
