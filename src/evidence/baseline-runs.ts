// Earlier runs of a drill, read back from the reports folder for the baseline comparison
// (src/judge/baseline.ts judges them; this module only reads).
import fs from 'node:fs';
import path from 'node:path';
import type { BaselineRun } from '../judge/baseline.ts';
import { DecisionFile, SloResultsFile } from '../schema/evidence.ts';
import { EvidenceFileError, readJsonFile } from './read-json.ts';
import { RUN_FILES } from '../schema/run-dir.ts';

const FIX = 'the earlier run directory is incomplete or was edited: it is left out of the baseline; delete it or run the drill again';

/**
 * The latest `limit` GO runs of `drill` under reportsRoot/<app>/ (run ids start with their UTC
 * time, so they sort by age), each read through the evidence schemas. Runs that cannot be read
 * are skipped and said why (file, path inside it, fix).
 */
export function readBaselineRuns(
  appDir: string,
  drill: string,
  opts: { limit: number; excludeRunId?: string },
): { runs: BaselineRun[]; skipped: Array<{ dir: string; problem: string }> } {
  const skipped: Array<{ dir: string; problem: string }> = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(appDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return { runs: [], skipped };
  }
  const found: BaselineRun[] = [];
  for (const name of entries.sort().reverse()) {
    if (found.length >= opts.limit) break;
    const dir = path.join(appDir, name);
    const decisionsFile = path.join(dir, RUN_FILES.decisions);
    const resultsFile = path.join(dir, RUN_FILES.sloResults);
    if (!fs.existsSync(decisionsFile) || !fs.existsSync(resultsFile)) continue;
    try {
      const decision = readJsonFile(decisionsFile, DecisionFile, FIX);
      if (decision.drill !== drill || decision.decision !== 'GO' || decision.runId === opts.excludeRunId) continue;
      const results = readJsonFile(resultsFile, SloResultsFile, FIX);
      if (results.runId !== decision.runId) {
        skipped.push({ dir, problem: `${resultsFile}: runId: "${results.runId}" is not the run of decisions.json ("${decision.runId}"); fix: ${FIX}` });
        continue;
      }
      found.push({ runId: decision.runId, verdicts: results.verdicts });
    } catch (err) {
      if (!(err instanceof EvidenceFileError)) throw err;
      skipped.push({ dir, problem: err.message });
    }
  }
  return { runs: found, skipped };
}
