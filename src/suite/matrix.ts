// The detection matrix: rows are the healthy system and each mutant, columns the drills, each
// cell the decision of that drill against that system. What it must show: the healthy system is
// GO on every drill, and every mutant is NO-GO on each drill that exists to catch it — a NO-GO
// from a blocking SLO that failed, not from an invalid run (a SUT that would not start, a fault
// that could not be injected proves nothing about the defect). Pure.
import type { Mutant } from '../schema/mutants.ts';
import type { RunOutcome } from './outcome.ts';

export const HEALTHY = 'healthy';

export interface MatrixCell {
  row: string;
  drill: string;
  outcome: RunOutcome;
  /** the run was invalid (k6 died, a fault was not injected, the SUT did not start, interrupted) */
  invalid: boolean;
  /** blocking SLOs that failed: what caught the mutant */
  failedBlocking: string[];
  failedAdvisory: string[];
  /** of the failed SLOs, those without evidence */
  noEvidence: string[];
  /** where the run's evidence is, relative to the matrix directory */
  runDir: string | null;
}

export interface Expectation {
  row: string;
  drill: string;
  expected: 'GO' | 'NO-GO';
  /** null: the cell was not run */
  actual: RunOutcome | null;
  met: boolean;
  /** one line: why it is met or missed */
  detail: string;
}

export interface MatrixRow {
  name: string;
  /** the defect the mutant switches on; null for the healthy row */
  defect: string | null;
  mustFail: string[];
}

export function matrixRows(mutants: readonly Mutant[]): MatrixRow[] {
  return [{ name: HEALTHY, defect: null, mustFail: [] }, ...mutants.map((m) => ({ name: m.name, defect: m.defect, mustFail: [...m.mustFail] }))];
}

/** The cells to run: everything (full), or the healthy row on every drill and each mutant on its own drills (targeted). */
export function plannedCells(rows: readonly MatrixRow[], drills: readonly string[], mode: 'full' | 'targeted'): Array<{ row: string; drill: string }> {
  const out: Array<{ row: string; drill: string }> = [];
  for (const r of rows) {
    for (const d of drills) {
      if (mode === 'full' || r.name === HEALTHY || r.mustFail.includes(d)) out.push({ row: r.name, drill: d });
    }
  }
  return out;
}

function describeCaught(cell: MatrixCell): string {
  const names = cell.failedBlocking.map((n) => `${n}${cell.noEvidence.includes(n) ? ' (no evidence)' : ''}`);
  return names.join(', ');
}

/** The expectation of one cell, judged. */
export function judge(row: MatrixRow, drill: string, cell: MatrixCell | undefined): Expectation | null {
  const expected = row.name === HEALTHY ? 'GO' : row.mustFail.includes(drill) ? 'NO-GO' : null;
  if (!expected) return null;
  if (!cell || cell.outcome === 'NOT-RUN') return { row: row.name, drill, expected, actual: cell?.outcome ?? null, met: false, detail: 'not run' };
  const actual = cell.outcome;
  if (expected === 'GO') {
    if (actual === 'GO') return { row: row.name, drill, expected, actual, met: true, detail: 'every SLO met' };
    const why = cell.invalid ? 'invalid run' : [describeCaught(cell), ...cell.failedAdvisory.map((n) => `${n} (advisory)`)].filter(Boolean).join(', ');
    return { row: row.name, drill, expected, actual, met: false, detail: `${why ? `failed: ${why}` : 'failed'} — the healthy system must pass` };
  }
  if (actual !== 'NO-GO') return { row: row.name, drill, expected, actual, met: false, detail: `the drill did not catch the defect${cell.failedAdvisory.length ? ` (only advisory SLOs failed: ${cell.failedAdvisory.join(', ')})` : ''}` };
  if (cell.invalid) return { row: row.name, drill, expected, actual, met: false, detail: 'NO-GO from an invalid run, not from an SLO: proves nothing about the defect' };
  if (cell.failedBlocking.length === 0) return { row: row.name, drill, expected, actual, met: false, detail: 'NO-GO without a failed blocking SLO' };
  return { row: row.name, drill, expected, actual, met: true, detail: `caught by ${describeCaught(cell)}` };
}

export interface MatrixVerdict {
  expectations: Expectation[];
  met: number;
  missed: number;
  ok: boolean;
  exitCode: 0 | 1;
}

/** Every expectation of the matrix: healthy GO on each drill, each mutant NO-GO on each of its drills. Exit 0 only when all are met. */
export function judgeMatrix(rows: readonly MatrixRow[], drills: readonly string[], cells: readonly MatrixCell[]): MatrixVerdict {
  const at = new Map(cells.map((c) => [`${c.row}\u0000${c.drill}`, c]));
  const expectations: Expectation[] = [];
  for (const r of rows) {
    for (const d of drills) {
      const e = judge(r, d, at.get(`${r.name}\u0000${d}`));
      if (e) expectations.push(e);
    }
  }
  const met = expectations.filter((e) => e.met).length;
  const ok = expectations.length > 0 && met === expectations.length;
  return { expectations, met, missed: expectations.length - met, ok, exitCode: ok ? 0 : 1 };
}

export interface MatrixReport {
  schema: 'gameday/matrix@1';
  matrixId: string;
  source: string;
  mutantsFile: string | null;
  mode: 'full' | 'targeted';
  timeScale: number | null;
  startedAt: string;
  endedAt: string;
  interrupted: boolean;
  drills: string[];
  rows: MatrixRow[];
  cells: MatrixCell[];
  /** per row: its suite directory and combined bundle, relative to the matrix directory */
  suites: Array<{ row: string; suiteDir: string; bundle: string; bundleSha256: string }>;
  verdict: MatrixVerdict;
}

function cellText(row: MatrixRow, drill: string, cell: MatrixCell | undefined, e: Expectation | undefined): string {
  if (!cell || cell.outcome === 'NOT-RUN') return e ? '— ✗' : '—';
  const base = cell.outcome === 'GO' ? 'GO' : `**${cell.outcome}**${cell.invalid && cell.outcome !== 'INVALID' ? ' (invalid)' : ''}`;
  if (!e) return base;
  return `${base} ${e.met ? '✓' : '✗'}`;
}

/** matrix.md: the table (✓ an expectation met, ✗ missed, — not run) and one line per expectation. */
export function renderMatrix(m: MatrixReport): string {
  const at = new Map(m.cells.map((c) => [`${c.row}\u0000${c.drill}`, c]));
  const exp = new Map(m.verdict.expectations.map((e) => [`${e.row}\u0000${e.drill}`, e]));
  const lines: string[] = [];
  lines.push(`# Detection matrix: ${m.verdict.ok ? 'every expectation met' : `${m.verdict.missed} of ${m.verdict.expectations.length} expectations missed`}`, '');
  lines.push(`- drills: ${m.source}; mutants: ${m.mutantsFile ?? '—'}`);
  lines.push(`- mode: ${m.mode === 'full' ? 'full (every mutant on every drill)' : 'targeted (healthy on every drill, each mutant on the drills that must catch it)'}; time-scale: ${m.timeScale ?? "each drill's own"}`);
  lines.push(`- ${m.startedAt} → ${m.endedAt}${m.interrupted ? ' — **interrupted**' : ''}`, '');
  lines.push(`| system | ${m.drills.join(' | ')} |`);
  lines.push(`|---|${m.drills.map(() => '---').join('|')}|`);
  for (const r of m.rows) {
    const label = r.defect ? `${r.name}${r.defect !== r.name ? ` (${r.defect})` : ''}` : r.name;
    lines.push(`| ${label} | ${m.drills.map((d) => cellText(r, d, at.get(`${r.name}\u0000${d}`), exp.get(`${r.name}\u0000${d}`))).join(' | ')} |`);
  }
  lines.push('', `✓ expectation met · ✗ missed · — not run. Expected: ${HEALTHY} GO on every drill; each mutant NO-GO, from a failed blocking SLO, on the drills it names in mustFail.`, '');
  lines.push(`## Expectations: ${m.verdict.met} met, ${m.verdict.missed} missed`, '');
  for (const e of m.verdict.expectations) lines.push(`- ${e.met ? 'met' : '**MISSED**'}: ${e.row} × ${e.drill} — expected ${e.expected}, got ${e.actual ?? 'nothing'}: ${e.detail}`);
  lines.push('', '## Evidence', '');
  for (const s of m.suites) lines.push(`- ${s.row}: \`${s.suiteDir}\` · bundle \`${s.bundle}\` sha256 \`${s.bundleSha256}\``);
  lines.push('');
  return `${lines.join('\n')}\n`;
}
