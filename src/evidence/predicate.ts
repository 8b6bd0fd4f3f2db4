// The drill-run predicate of a run's statement, read from the run's own files.
import path from 'node:path';
import { DrillRunPredicate, type DecisionFile, type RunManifest } from '../schema/evidence.ts';
import { EvidenceFileError } from './read-json.ts';
import { DECISIONS_FILE, readDecisions, readManifest, RERUN_FIX } from './run-files.ts';

const RESULT = { GO: 'PASSED', CONDITIONAL: 'WARNED', 'NO-GO': 'FAILED' } as const;

/** Pure: the predicate from the manifest and the decision record. */
export function buildPredicate(manifest: RunManifest, decisions: DecisionFile, previousRunDigest: string | null): DrillRunPredicate {
  const v = decisions.verdicts;
  return DrillRunPredicate.parse({
    drill: { name: manifest.drill.name, file: manifest.drill.file, sha256: manifest.drill.sha256 },
    app: manifest.drill.app,
    runId: manifest.runId,
    startedAt: manifest.startedAt,
    endedAt: manifest.endedAt,
    timeScale: manifest.timeScale,
    compressed: manifest.compressed,
    toolVersions: manifest.tools,
    policy: {
      name: 'gameday/decision@1',
      blocking: v.filter((x) => x.blocking).map((x) => x.slo),
      advisory: v.filter((x) => !x.blocking).map((x) => x.slo),
      waivers: (decisions.waivers ?? []).map((w) => ({ slo: w.slo, owner: w.owner, reason: w.reason, expires: w.expires, status: w.status })),
    },
    decision: {
      decision: decisions.decision,
      exitCode: decisions.exitCode,
      invalid: decisions.invalid,
      problems: decisions.problems.map((p) => p.code),
      reasons: decisions.reasons,
    },
    verdicts: {
      total: v.length,
      passed: v.filter((x) => x.pass).length,
      failed: v.filter((x) => !x.pass).length,
      failedBlocking: v.filter((x) => !x.pass && x.blocking).map((x) => x.slo),
      failedAdvisory: v.filter((x) => !x.pass && !x.blocking).map((x) => x.slo),
      noEvidence: v.filter((x) => x.reason === 'no-evidence').map((x) => x.slo),
    },
    result: RESULT[decisions.decision],
    previousRunDigest,
  });
}

export function predicateFromRun(runDir: string, previousRunDigest: string | null): DrillRunPredicate {
  const manifest = readManifest(runDir);
  const decisions = readDecisions(runDir);
  if (decisions.runId !== manifest.runId) {
    throw new EvidenceFileError(path.join(runDir, DECISIONS_FILE), [`runId: "${decisions.runId}" is not the manifest's "${manifest.runId}"`], RERUN_FIX);
  }
  return buildPredicate(manifest, decisions, previousRunDigest);
}
