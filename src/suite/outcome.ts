// What a suite of drill runs adds up to. Pure.
//
//   a drill could not be run (invalid when it was started)      → INVALID, exit 3
//   a drill decided NO-GO, or was not run (the suite stopped)     → NO-GO, exit 1
//   a drill decided CONDITIONAL                                   → CONDITIONAL, exit 2
//   every drill decided GO                                        → GO, exit 0
import { EXIT_CODES } from '../judge/decide.ts';

/** What became of one drill of a suite: its decision, or INVALID (nothing ran), or NOT-RUN (the suite stopped first). */
export type RunOutcome = 'GO' | 'NO-GO' | 'CONDITIONAL' | 'INVALID' | 'NOT-RUN';
export type SuiteDecision = 'GO' | 'NO-GO' | 'CONDITIONAL' | 'INVALID';

/** Worse outcomes rank higher. A drill that did not run is as bad as a NO-GO: the gate has no evidence for it. */
const RANK: Record<RunOutcome, number> = { GO: 0, CONDITIONAL: 1, 'NO-GO': 2, 'NOT-RUN': 2, INVALID: 3 };

export const SUITE_EXIT_CODES: Record<SuiteDecision, number> = {
  GO: EXIT_CODES.GO,
  CONDITIONAL: EXIT_CODES.CONDITIONAL,
  'NO-GO': EXIT_CODES['NO-GO'],
  INVALID: EXIT_CODES.INVALID_DRILL,
};

/** The suite's decision: the worst outcome of its drills. No drills at all is NO-GO: nothing was judged. */
export function suiteDecision(outcomes: readonly RunOutcome[]): SuiteDecision {
  if (outcomes.length === 0) return 'NO-GO';
  let worst: RunOutcome = 'GO';
  for (const o of outcomes) if (RANK[o] > RANK[worst]) worst = o;
  return worst === 'NOT-RUN' ? 'NO-GO' : worst;
}

export function suiteExitCode(outcomes: readonly RunOutcome[]): number {
  return SUITE_EXIT_CODES[suiteDecision(outcomes)];
}
