// The release decision from verdicts, the validity of the run and, optionally, a policy
// (severity overrides and waivers). Pure: the time waivers are judged at is passed in.
//
//   invalid run (k6 crashed, fault not injected/reverted, interrupted, evidence missing) → NO-GO, whatever the waivers
//   a blocking SLO failed, not waived (or with no evidence)                             → NO-GO
//   only advisory SLOs failed, or a failed blocking SLO was waived                       → CONDITIONAL
//   every SLO met                                                                        → GO
import type { Policy, Waiver } from '../schema/policy.ts';
import type { Verdict } from './evaluate.ts';
import { guardReason, type GuardTrip } from './guard.ts';

export type Decision = 'GO' | 'NO-GO' | 'CONDITIONAL';

export const EXIT_CODES = { GO: 0, 'NO-GO': 1, CONDITIONAL: 2, INVALID_DRILL: 3 } as const;

/** Something that makes the run's evidence untrustworthy: k6 crashed, a fault was not injected or reverted, interrupted. */
export interface RunProblem {
  code: string;
  message: string;
}

/** What became of one waiver of the policy. */
export interface WaiverOutcome {
  slo: string;
  owner: string;
  reason: string;
  expires: string;
  /** applied: it covered a failed SLO; expired: it would have, but ran out; no-evidence: the SLO had no evidence, nothing to waive; unused: the SLO did not fail (or does not exist) */
  status: 'applied' | 'expired' | 'no-evidence' | 'unused';
}

/** A verdict as the decision judged it: severity after the policy, and the waiver that covered it. */
export type DecidedVerdict = Verdict & { waivedBy?: { owner: string; reason: string; expires: string } };

export interface DecisionRecord {
  decision: Decision;
  exitCode: 0 | 1 | 2;
  reasons: string[];
  invalid: boolean;
  problems: RunProblem[];
  verdicts: DecidedVerdict[];
  /** only with a policy: what became of each waiver */
  waivers?: WaiverOutcome[];
  /** the guard that aborted the run: NO-GO, its reason first */
  abortedBy?: GuardTrip;
}

export interface DecideOptions {
  policy?: Policy;
  /** the time waivers are judged at (their expiry); required when the policy has waivers */
  now?: Date;
  /** a guard tripped and aborted the run */
  abortedBy?: GuardTrip | null;
}

function describe(v: Verdict): string {
  return `${v.slo} ${v.reason}: ${v.detail}; objective ${v.objective}`;
}

/** The waiver that covers `slo` at `nowMs` (the one expiring last), else the latest expired one. */
function waiverFor(slo: string, waivers: readonly Waiver[], nowMs: number): { valid: Waiver | null; expired: Waiver | null } {
  let valid: Waiver | null = null;
  let expired: Waiver | null = null;
  for (const w of waivers) {
    if (w.slo !== slo) continue;
    if (nowMs < w.expires.atMs) {
      if (!valid || w.expires.atMs > valid.expires.atMs) valid = w;
    } else if (!expired || w.expires.atMs > expired.expires.atMs) expired = w;
  }
  return { valid, expired };
}

export function decide(verdicts: readonly Verdict[], problems: readonly RunProblem[], options: DecideOptions = {}): DecisionRecord {
  const { policy } = options;
  if (policy && policy.waivers.length > 0 && !options.now) throw new Error('decide: a policy with waivers needs `now` to judge their expiry');
  const nowMs = options.now?.getTime() ?? 0;
  const waivers = policy?.waivers ?? [];
  const status = new Map<Waiver, WaiverOutcome['status']>(waivers.map((w) => [w, 'unused']));

  const judged: DecidedVerdict[] = verdicts.map((v) => {
    const override = policy?.slos[v.slo];
    return override ? { ...v, blocking: override === 'blocking' } : { ...v };
  });

  const reasons: string[] = [];
  const abortedBy = options.abortedBy ?? null;
  if (abortedBy) reasons.push(guardReason(abortedBy));
  for (const p of problems) reasons.push(`invalid run (${p.code}): ${p.message}`);

  const failedBlocking: DecidedVerdict[] = [];
  const waived: DecidedVerdict[] = [];
  const failedAdvisory: DecidedVerdict[] = [];
  const notes: string[] = [];
  for (const v of judged) {
    if (v.pass) continue;
    const { valid, expired } = waiverFor(v.slo, waivers, nowMs);
    if (valid && v.reason === 'no-evidence') {
      status.set(valid, 'no-evidence');
      notes.push(`waiver for ${v.slo} by ${valid.owner} not applied: the SLO has no evidence, there is no breach to waive`);
    } else if (valid) {
      status.set(valid, 'applied');
      v.waivedBy = { owner: valid.owner, reason: valid.reason, expires: valid.expires.text };
      waived.push(v);
      continue;
    } else if (expired) {
      status.set(expired, 'expired');
      notes.push(`waiver for ${v.slo} by ${expired.owner} expired (${expired.expires.text}): not applied`);
    }
    (v.blocking ? failedBlocking : failedAdvisory).push(v);
  }

  for (const v of failedBlocking) reasons.push(`blocking SLO ${describe(v)}`);
  for (const v of waived) reasons.push(`waived ${v.blocking ? 'blocking' : 'advisory'} SLO ${describe(v)} — waived by ${v.waivedBy!.owner} until ${v.waivedBy!.expires}: ${v.waivedBy!.reason}`);
  for (const v of failedAdvisory) reasons.push(`advisory SLO ${describe(v)}`);
  reasons.push(...notes);
  if (verdicts.length === 0) reasons.push('no SLO verdicts: nothing was judged');

  let decision: Decision;
  if (abortedBy || problems.length > 0 || failedBlocking.length > 0 || verdicts.length === 0) decision = 'NO-GO';
  else if (failedAdvisory.length > 0 || waived.length > 0) decision = 'CONDITIONAL';
  else {
    decision = 'GO';
    reasons.push(`all ${verdicts.length} SLOs met`);
  }
  const record: DecisionRecord = { decision, exitCode: EXIT_CODES[decision], reasons, invalid: problems.length > 0, problems: [...problems], verdicts: judged };
  if (abortedBy) record.abortedBy = abortedBy;
  if (policy) record.waivers = waivers.map((w) => ({ slo: w.slo, owner: w.owner, reason: w.reason, expires: w.expires.text, status: status.get(w)! }));
  return record;
}
