// The suite summary in Markdown. Pure.
import type { SuiteSummary } from './records.ts';

function seconds(ms: number | null): string {
  return ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

/** "|" would end a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderSummary(s: SuiteSummary): string {
  const lines: string[] = [];
  lines.push(`# Suite ${s.suiteId}: ${s.decision} (exit ${s.exitCode})`, '');
  lines.push(`- drills: ${cell(s.source)} (${s.runs.length})`);
  lines.push(`- system under test: ${s.mutant ? `mutant **${s.mutant.name}** (defect ${s.mutant.defect}; must be caught by ${s.mutant.mustFail.join(', ')})` : 'healthy (no mutant)'}`);
  lines.push(`- time-scale: ${s.timeScale ?? "each drill's own"}`);
  lines.push(`- ${s.startedAt} → ${s.endedAt}${s.interrupted ? ' — **interrupted**' : ''}`, '');
  lines.push('| # | drill | app | decision | failed SLOs | scheduled | wall | overhead | evidence |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of s.runs) {
    const failed = [...r.failedBlocking.map((n) => `${n}${r.noEvidence.includes(n) ? ' (no evidence)' : ''}`), ...r.failedAdvisory.map((n) => `${n} (advisory)`)];
    const overhead = r.wallMs !== null && r.scheduledMs !== null ? seconds(r.wallMs - r.scheduledMs) : '—';
    lines.push(
      `| ${r.index} | ${r.drill} | ${r.app} | ${r.outcome === 'GO' ? 'GO' : `**${r.outcome}**`} | ${cell(failed.join(', ') || (r.invalid ? 'invalid run' : '—'))} | ${seconds(r.scheduledMs)} | ${seconds(r.wallMs)} | ${overhead} | ${r.runDir ?? '—'} |`,
    );
  }
  lines.push('');
  const reasons = s.runs.filter((r) => r.outcome !== 'GO');
  if (reasons.length) {
    lines.push('## Why', '');
    for (const r of reasons) {
      lines.push(`### ${r.index}. ${r.drill}: ${r.outcome}`, '');
      for (const reason of r.reasons.slice(0, 20)) lines.push(`- ${reason}`);
      if (r.reasons.length > 20) lines.push(`- … ${r.reasons.length - 20} more in ${r.runDir}/decisions.json`);
      lines.push('');
    }
  }
  lines.push('## Evidence', '');
  for (const r of s.runs) {
    if (r.bundle) lines.push(`- ${r.drill}: \`${r.bundle}\` sha256 \`${r.bundleSha256}\`${r.report ? ` · report \`${r.report}\`` : ''}`);
  }
  lines.push('', 'The suite bundle (evidence_bundle_SUITE.zip) is signed over this summary, the suite manifest and every run bundle above: `gameday verify` checks it, and each run bundle inside it.', '');
  return `${lines.join('\n')}\n`;
}
