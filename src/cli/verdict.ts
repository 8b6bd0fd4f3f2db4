// `gameday verdict <run-dir> [--json]`: the run's decision as the small JSON an Argo Rollouts
// `web` analysis provider (or any gate) reads, taken from decisions.json through its schema.
import path from 'node:path';
import { EvidenceFileError, readJsonFile } from '../evidence/read-json.ts';
import { DecisionFile } from '../schema/evidence.ts';

export interface FailedSlo {
  slo: string;
  blocking: boolean;
  reason: string;
  objective: string;
  observed: number | null;
  unit: string;
  /** set when a policy waiver covered the failure */
  waived: boolean;
}

export interface Verdict {
  runId: string;
  drill: string;
  app: string;
  decision: DecisionFile['decision'];
  exitCode: number;
  invalid: boolean;
  /** true only for GO: what a `successCondition: result.pass` reads */
  pass: boolean;
  failedSlos: FailedSlo[];
  problems: string[];
}

/** The verdict of a decisions.json record. Pure. */
export function verdictOf(d: DecisionFile): Verdict {
  return {
    runId: d.runId,
    drill: d.drill,
    app: d.app,
    decision: d.decision,
    exitCode: d.exitCode,
    invalid: d.invalid,
    pass: d.decision === 'GO',
    failedSlos: d.verdicts
      .filter((v) => !v.pass)
      .map((v) => ({ slo: v.slo, blocking: v.blocking, reason: v.reason, objective: v.objective, observed: v.observed, unit: v.unit, waived: v.waivedBy !== undefined })),
    problems: d.problems.map((p) => `${p.code}: ${p.message}`),
  };
}

export function formatVerdict(v: Verdict): string {
  const lines = [`${v.drill}: ${v.decision} (exit ${v.exitCode})${v.invalid ? ', run invalid' : ''}`];
  for (const f of v.failedSlos) lines.push(`  FAIL ${f.blocking ? 'blocking' : 'advisory'} ${f.slo}: ${f.reason}${f.waived ? ' (waived)' : ''}; objective ${f.objective}`);
  for (const p of v.problems) lines.push(`  problem ${p}`);
  return `${lines.join('\n')}\n`;
}

export function readVerdict(runDir: string): Verdict {
  return verdictOf(readJsonFile(path.join(runDir, 'decisions.json'), DecisionFile, 'give the run directory gameday run wrote (it holds decisions.json)'));
}

/** Exit code: the run's own (0 GO, 1 NO-GO, 2 CONDITIONAL), 3 when the run directory cannot be read. */
export function verdictCommand(runDir: string, opts: { json?: boolean; out?: (t: string) => void; err?: (t: string) => void } = {}): number {
  const out = opts.out ?? ((t: string) => process.stdout.write(t));
  const err = opts.err ?? ((t: string) => process.stderr.write(t));
  let v: Verdict;
  try {
    v = readVerdict(runDir);
  } catch (e) {
    if (e instanceof EvidenceFileError) {
      err(`${e.message}\n`);
      return 3;
    }
    throw e;
  }
  out(opts.json ? `${JSON.stringify(v)}\n` : formatVerdict(v));
  return v.exitCode;
}
