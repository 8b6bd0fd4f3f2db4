// junit.xml for CI: one testsuite per drill, one testcase per verdict, a failure per failed
// verdict (type = its reason: breached, no-evidence), and for an invalid run one failing
// testcase per problem (type = the problem code). Built with junit-report-builder.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Builder } from 'junit-report-builder';
import type { DecisionFile } from '../schema/evidence.ts';
import { RUN_FILES } from '../schema/run-dir.ts';

// a CommonJS module whose typings declare `export default`: required, so that types and runtime agree
const builder = createRequire(import.meta.url)('junit-report-builder') as Builder;

export interface JunitRun {
  /** ISO 8601 start and end of the run (run_manifest.json startedAt/endedAt) */
  startedAt: string;
  endedAt: string;
}

/** JUnit timestamps carry no zone: written in UTC, so that the file does not depend on the host. */
function utcTimestamp(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}

export function verdictCaseName(v: { slo: string; phase: string }): string {
  return `${v.slo} [phase ${v.phase}]`;
}

/** Pure: the JUnit XML of a decision record. */
export function buildJunit(decisions: DecisionFile, run: JunitRun): string {
  const report = builder.newBuilder();
  const seconds = Math.max(0, (Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000);
  const suite = report
    .testSuite()
    .name(decisions.drill)
    .timestamp(utcTimestamp(run.startedAt))
    .time(seconds)
    .property('runId', decisions.runId)
    .property('app', decisions.app)
    .property('decision', decisions.decision)
    .property('exitCode', String(decisions.exitCode));
  for (const v of decisions.verdicts) {
    const tc = suite.testCase().className(decisions.drill).name(verdictCaseName(v));
    const waived = v.waivedBy ? ` (waived by ${v.waivedBy.owner} until ${v.waivedBy.expires}: ${v.waivedBy.reason})` : '';
    if (!v.pass) tc.failure(`${v.blocking ? 'blocking' : 'advisory'} SLO ${v.slo} ${v.reason}: ${v.detail}; objective ${v.objective}${waived}`, v.reason);
  }
  for (const p of decisions.problems) {
    suite.testCase().className(decisions.drill).name(`run problem: ${p.code}`).failure(`invalid run (${p.code}): ${p.message}`, p.code);
  }
  if (decisions.verdicts.length === 0 && decisions.problems.length === 0) {
    suite.testCase().className(decisions.drill).name('SLO verdicts').failure('no SLO verdicts: nothing was judged', 'no-verdicts');
  }
  return `${report.build()}\n`;
}

/** Writes junit.xml into the run directory from the run's decision record; returns the file. */
export function writeJunit(runDir: string, decisions: DecisionFile, run: JunitRun): string {
  const file = path.join(runDir, RUN_FILES.junit);
  fs.writeFileSync(file, buildJunit(decisions, run));
  return file;
}
