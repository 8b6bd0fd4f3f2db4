// What the CLI prints about a decision.
import type { DecisionRecord } from '../judge/decide.ts';

/** The decision and every verdict, one line each (waived ones say by whom). */
export function printDecision(name: string, d: DecisionRecord): string {
  const lines = [`${name}: ${d.decision} (exit ${d.exitCode})`];
  // a guard's abort and why the run is invalid come first: they explain the verdicts without evidence below
  for (const r of d.reasons.filter((r) => r.startsWith('invalid') || r.startsWith('aborted by guard'))) lines.push(`  ${r}`);
  for (const v of d.verdicts) {
    const mark = v.pass ? 'PASS' : v.waivedBy ? 'WAIVED' : 'FAIL';
    lines.push(`  ${mark} ${v.blocking ? 'blocking' : 'advisory'} ${v.slo}: ${v.detail}; objective ${v.objective}${v.waivedBy ? ` (waived by ${v.waivedBy.owner} until ${v.waivedBy.expires})` : ''}`);
  }
  for (const r of d.reasons.filter((r) => r.startsWith('waiver'))) lines.push(`  ${r}`);
  return `${lines.join('\n')}\n`;
}
