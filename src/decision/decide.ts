// The release decision from verdicts and the validity of the run. Pure.
import type { Verdict } from '../slo/evaluate.ts';

export type Decision = 'GO' | 'NO-GO' | 'CONDITIONAL';

export const EXIT_CODES = { GO: 0, 'NO-GO': 1, CONDITIONAL: 2, INVALID_DRILL: 3 } as const;

/** Something that makes the run's evidence untrustworthy: k6 crashed, a fault was not injected or reverted, interrupted. */
export interface RunProblem {
  code: string;
  message: string;
}

export interface DecisionRecord {
  decision: Decision;
  exitCode: 0 | 1 | 2;
  reasons: string[];
  invalid: boolean;
  problems: RunProblem[];
  verdicts: Verdict[];
}

export function decide(verdicts: readonly Verdict[], problems: readonly RunProblem[]): DecisionRecord {
  const reasons: string[] = [];
  for (const p of problems) reasons.push(`invalid run (${p.code}): ${p.message}`);
  const failedBlocking = verdicts.filter((v) => !v.pass && v.blocking);
  const failedAdvisory = verdicts.filter((v) => !v.pass && !v.blocking);
  for (const v of failedBlocking) reasons.push(`blocking SLO ${v.slo} ${v.reason}: ${v.detail}; objective ${v.objective}`);
  for (const v of failedAdvisory) reasons.push(`advisory SLO ${v.slo} ${v.reason}: ${v.detail}; objective ${v.objective}`);
  if (verdicts.length === 0) reasons.push('no SLO verdicts: nothing was judged');

  let decision: Decision;
  if (problems.length > 0 || failedBlocking.length > 0 || verdicts.length === 0) decision = 'NO-GO';
  else if (failedAdvisory.length > 0) decision = 'CONDITIONAL';
  else {
    decision = 'GO';
    reasons.push(`all ${verdicts.length} SLOs met`);
  }
  return { decision, exitCode: EXIT_CODES[decision], reasons, invalid: problems.length > 0, problems: [...problems], verdicts: [...verdicts] };
}
