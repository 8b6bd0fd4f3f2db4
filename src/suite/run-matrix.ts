// `gameday matrix`: one suite per row — the healthy system, then each mutant — over the drills
// of its cells, one cell at a time (the machine is small); then matrix.md and matrix.json.
import fs from 'node:fs';
import path from 'node:path';
import { DrillError, type LoadedDrill } from '../schema/load.ts';
import { writeJson } from '../evidence/files.ts';
import { newRunId } from '../platform/run-id.ts';
import type { Mutant } from '../schema/mutants.ts';
import { HEALTHY, judgeMatrix, matrixRows, plannedCells, renderMatrix, type MatrixCell, type MatrixReport } from './matrix.ts';
import { mutantProblems, MutantsError, unknownTargets } from './mutants.ts';
import { runSuite, type SuiteOptions, type SuiteRunRecord } from './suite.ts';

export const MATRIX_MD = 'matrix.md';
export const MATRIX_JSON = 'matrix.json';

/** The suite's options (each row of the matrix is a suite), plus the mutants and how to pair them. */
export interface MatrixOptions extends Pick<SuiteOptions, 'drills' | 'source' | 'timeScale' | 'outDir' | 'reportsRoot' | 'signal' | 'progress' | 'log'> {
  mutants: Mutant[];
  mutantsFile: string;
  mode: 'full' | 'targeted';
  /** after each cell */
  onCell?: (cell: MatrixCell) => void;
}

export interface MatrixResult {
  dir: string;
  report: MatrixReport;
  markdown: string;
  json: string;
  exitCode: number;
}

/** Everything that makes the matrix impossible, found before anything runs. */
export function checkMatrix(drills: readonly LoadedDrill[], mutants: readonly Mutant[], mutantsFile: string, mode: 'full' | 'targeted'): void {
  const names = drills.map((d) => d.drill.name);
  const unknown = unknownTargets(mutants, names);
  if (unknown.length) throw new MutantsError(mutantsFile, unknown);
  const problems: string[] = [];
  for (const m of mutants) {
    for (const l of drills) {
      if (mode === 'targeted' && !m.mustFail.includes(l.drill.name)) continue;
      problems.push(...mutantProblems(l.drill, m).map((p) => `${path.relative(process.cwd(), l.file)}: ${p}`));
    }
  }
  if (problems.length) throw new DrillError(mutantsFile, problems);
}

function cellOf(row: string, r: SuiteRunRecord, matrixDir: string, suiteDir: string): MatrixCell {
  return {
    row,
    drill: r.drill,
    outcome: r.outcome,
    invalid: r.invalid,
    failedBlocking: r.failedBlocking,
    failedAdvisory: r.failedAdvisory,
    noEvidence: r.noEvidence,
    runDir: r.runDir ? path.relative(matrixDir, path.join(suiteDir, r.runDir)).split(path.sep).join('/') : null,
  };
}

export async function runMatrix(o: MatrixOptions): Promise<MatrixResult> {
  checkMatrix(o.drills, o.mutants, o.mutantsFile, o.mode);
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const matrixId = newRunId();
  const dir = path.resolve(o.outDir ?? path.join(o.reportsRoot ?? 'reports', 'matrix', matrixId));
  fs.mkdirSync(dir, { recursive: true });
  const startedAt = new Date();
  const rows = matrixRows(o.mutants);
  const drillNames = o.drills.map((d) => d.drill.name);
  const planned = plannedCells(rows, drillNames, o.mode);
  const cells: MatrixCell[] = [];
  const suites: MatrixReport['suites'] = [];
  let interrupted = false;

  for (const row of rows) {
    const drills = o.drills.filter((d) => planned.some((c) => c.row === row.name && c.drill === d.drill.name));
    if (drills.length === 0) continue;
    if (o.signal?.aborted) {
      interrupted = true;
      break;
    }
    const mutant = row.name === HEALTHY ? null : o.mutants.find((m) => m.name === row.name)!;
    log(`matrix row ${row.name}: ${drills.map((d) => d.drill.name).join(', ')}`);
    const suiteDir = path.join(dir, row.name);
    const suite = await runSuite({
      drills,
      source: o.source,
      mutant,
      mutantsFile: mutant ? o.mutantsFile : null,
      timeScale: o.timeScale,
      outDir: suiteDir,
      reportsRoot: o.reportsRoot,
      signal: o.signal,
      progress: o.progress,
      log,
      onRun: (r) => {
        const cell = cellOf(row.name, r, dir, suiteDir);
        o.onCell?.(cell);
      },
    });
    for (const r of suite.runs) cells.push(cellOf(row.name, r, dir, suiteDir));
    suites.push({ row: row.name, suiteDir: path.relative(dir, suite.suiteDir), bundle: path.relative(dir, suite.bundle), bundleSha256: suite.bundleSha256 });
    if (suite.interrupted) interrupted = true;
  }

  const verdict = judgeMatrix(rows, drillNames, cells);
  const report: MatrixReport = {
    schema: 'gameday/matrix@1',
    matrixId,
    source: o.source,
    mutantsFile: path.relative(process.cwd(), o.mutantsFile),
    mode: o.mode,
    timeScale: o.timeScale ?? null,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    interrupted,
    drills: drillNames,
    rows,
    cells,
    suites,
    verdict,
  };
  const markdown = path.join(dir, MATRIX_MD);
  const json = path.join(dir, MATRIX_JSON);
  writeJson(json, report);
  fs.writeFileSync(markdown, renderMatrix(report));
  return { dir, report, markdown, json, exitCode: verdict.exitCode };
}
