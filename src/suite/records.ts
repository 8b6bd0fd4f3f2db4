// What a suite records of each drill it ran, and its summary: the shapes summary.json holds.
import type { Mutant } from '../schema/mutants.ts';
import type { RunOutcome, SuiteDecision } from './outcome.ts';

export interface SuiteRunRecord {
  /** 1-based position in the suite */
  index: number;
  drill: string;
  app: string;
  /** the drill file, relative to the working directory */
  file: string;
  drillSha256: string;
  mutant: string | null;
  outcome: RunOutcome;
  exitCode: number | null;
  invalid: boolean;
  /** the decision's reasons, or why it did not run */
  reasons: string[];
  failedBlocking: string[];
  failedAdvisory: string[];
  /** failed SLOs that had no evidence at all */
  noEvidence: string[];
  runId: string | null;
  /** relative to the suite directory */
  runDir: string | null;
  bundle: string | null;
  bundleSha256: string | null;
  bundleBytes: number | null;
  manifestSha256: string | null;
  /** the run's report.html, relative to the suite directory, when the run wrote one */
  report: string | null;
  timeScale: number;
  /** the drill's timeline (load length) after time-scaling, ms */
  scheduledMs: number | null;
  wallMs: number | null;
  startedAt: string | null;
  endedAt: string | null;
}

export interface SuiteSummary {
  schema: 'gameday/suite-summary@1';
  suiteId: string;
  source: string;
  mutant: { name: string; defect: string; override: Mutant['override']; mustFail: string[]; file: string | null } | null;
  timeScale: number | null;
  startedAt: string;
  endedAt: string;
  decision: SuiteDecision;
  exitCode: number;
  interrupted: boolean;
  runs: SuiteRunRecord[];
}
