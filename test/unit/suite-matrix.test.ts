// The suite's decision and exit code, and the detection matrix's expectations (pure).
import { describe, expect, it } from 'vitest';
import { judge, judgeMatrix, matrixRows, plannedCells, renderMatrix, type MatrixCell, type MatrixReport } from '../../src/suite/matrix.ts';
import { parseMutants } from '../../src/suite/mutants.ts';
import { suiteDecision, suiteExitCode } from '../../src/suite/outcome.ts';
import { runVerdict } from '../../src/suite/seal-suite.ts';
import { renderSummary } from '../../src/suite/summary.ts';
import type { SuiteRunRecord, SuiteSummary } from '../../src/suite/suite.ts';

describe('suite decision and exit code', () => {
  it('is the worst decision: INVALID 3 > NO-GO 1 > CONDITIONAL 2 > GO 0', () => {
    expect(suiteExitCode(['GO', 'GO'])).toBe(0);
    expect(suiteExitCode(['GO', 'CONDITIONAL', 'GO'])).toBe(2);
    expect(suiteExitCode(['CONDITIONAL', 'NO-GO', 'CONDITIONAL'])).toBe(1);
    expect(suiteExitCode(['NO-GO', 'INVALID', 'GO'])).toBe(3);
    expect(suiteDecision(['GO', 'CONDITIONAL', 'NO-GO'])).toBe('NO-GO');
  });

  it('a drill that did not run (the suite was interrupted) counts as NO-GO, and an empty suite decides nothing: NO-GO', () => {
    expect(suiteDecision(['GO', 'NOT-RUN'])).toBe('NO-GO');
    expect(suiteExitCode(['CONDITIONAL', 'NOT-RUN'])).toBe(1);
    expect(suiteDecision([])).toBe('NO-GO');
  });
});

const mutants = parseMutants(
  {
    mutants: [
      { name: 'no-backoff', defect: 'no-backoff', override: { env: { DEFECTS: 'no-backoff' } }, mustFail: ['storm'] },
      { name: 'single-zone', defect: 'single-zone', override: { env: { DEFECTS: 'single-zone' }, zones: ['a'] }, mustFail: ['az', 'restarts'] },
    ],
  },
  'm.yaml',
);
const rows = matrixRows(mutants);
const drills = ['storm', 'az', 'restarts'];

function cell(row: string, drill: string, outcome: MatrixCell['outcome'], extra: Partial<MatrixCell> = {}): MatrixCell {
  return { row, drill, outcome, invalid: false, failedBlocking: outcome === 'NO-GO' ? ['some-slo'] : [], failedAdvisory: [], noEvidence: [], runDir: null, ...extra };
}

describe('detection matrix expectations', () => {
  it('plans the healthy row on every drill, and in targeted mode each mutant only on its own drills', () => {
    expect(plannedCells(rows, drills, 'full')).toHaveLength(9);
    expect(plannedCells(rows, drills, 'targeted')).toEqual([
      { row: 'healthy', drill: 'storm' },
      { row: 'healthy', drill: 'az' },
      { row: 'healthy', drill: 'restarts' },
      { row: 'no-backoff', drill: 'storm' },
      { row: 'single-zone', drill: 'az' },
      { row: 'single-zone', drill: 'restarts' },
    ]);
  });

  it('met only when healthy is GO everywhere and every mutant is NO-GO (from a blocking SLO) on each drill it names', () => {
    const cells = [
      cell('healthy', 'storm', 'GO'),
      cell('healthy', 'az', 'GO'),
      cell('healthy', 'restarts', 'GO'),
      cell('no-backoff', 'storm', 'NO-GO', { failedBlocking: ['backoff-jitter'] }),
      cell('no-backoff', 'az', 'GO'), // not a target: no expectation
      cell('single-zone', 'az', 'NO-GO', { failedBlocking: ['availability'] }),
      cell('single-zone', 'restarts', 'NO-GO'),
    ];
    const v = judgeMatrix(rows, drills, cells);
    expect(v).toMatchObject({ ok: true, met: 6, missed: 0, exitCode: 0 });
    expect(v.expectations.find((e) => e.row === 'no-backoff')!.detail).toBe('caught by backoff-jitter');
  });

  it('misses: a healthy CONDITIONAL, a mutant that passes, a NO-GO from an invalid run, a cell not run', () => {
    const cells = [
      cell('healthy', 'storm', 'GO'),
      cell('healthy', 'az', 'CONDITIONAL', { failedAdvisory: ['p95'] }),
      cell('healthy', 'restarts', 'GO'),
      cell('no-backoff', 'storm', 'GO'),
      cell('single-zone', 'az', 'NO-GO', { invalid: true, failedBlocking: [] }),
      // single-zone × restarts: not run
    ];
    const v = judgeMatrix(rows, drills, cells);
    expect(v).toMatchObject({ ok: false, met: 2, missed: 4, exitCode: 1 });
    const byKey = Object.fromEntries(v.expectations.map((e) => [`${e.row}×${e.drill}`, e]));
    expect(byKey['healthy×az'].detail).toBe('failed: p95 (advisory) — the healthy system must pass');
    expect(byKey['no-backoff×storm'].detail).toBe('the drill did not catch the defect');
    expect(byKey['single-zone×az'].detail).toMatch(/invalid run, not from an SLO/);
    expect(byKey['single-zone×restarts']).toMatchObject({ actual: null, met: false, detail: 'not run' });
  });

  it('a NO-GO without any failed blocking SLO does not count as caught; a no-evidence SLO is shown as such', () => {
    expect(judge(rows[1], 'storm', cell('no-backoff', 'storm', 'NO-GO', { failedBlocking: [] }))!.met).toBe(false);
    const e = judge(rows[1], 'storm', cell('no-backoff', 'storm', 'NO-GO', { failedBlocking: ['jitter'], noEvidence: ['jitter'] }))!;
    expect(e).toMatchObject({ met: true, detail: 'caught by jitter (no evidence)' });
    expect(judge(rows[1], 'az', cell('no-backoff', 'az', 'NO-GO'))).toBeNull();
  });

  it('an empty matrix is not a pass', () => {
    expect(judgeMatrix([], [], []).ok).toBe(false);
  });

  it('renders the table with drills as columns, systems as rows, and a line per expectation', () => {
    const cells = [cell('healthy', 'storm', 'GO'), cell('healthy', 'az', 'GO'), cell('healthy', 'restarts', 'NO-GO'), cell('no-backoff', 'storm', 'NO-GO', { failedBlocking: ['backoff-jitter'] })];
    const report: MatrixReport = {
      schema: 'gameday/matrix@1',
      matrixId: 'm1',
      source: 'drills/',
      mutantsFile: 'mutants.yaml',
      mode: 'targeted',
      timeScale: 0.1,
      startedAt: '2026-01-01T00:00:00.000Z',
      endedAt: '2026-01-01T00:10:00.000Z',
      interrupted: false,
      drills,
      rows,
      cells,
      suites: [],
      verdict: judgeMatrix(rows, drills, cells),
    };
    const md = renderMatrix(report);
    expect(md).toContain('| system | storm | az | restarts |');
    expect(md).toContain('| healthy | GO ✓ | GO ✓ | **NO-GO** ✗ |');
    expect(md).toContain('| no-backoff | **NO-GO** ✓ | — | — |');
    expect(md).toContain('| single-zone | — | — ✗ | — ✗ |');
    expect(md).toContain('- met: no-backoff × storm — expected NO-GO, got NO-GO: caught by backoff-jitter');
    expect(md).toContain('- **MISSED**: single-zone × az — expected NO-GO, got nothing: not run');
    expect(md).toMatch(/^# Detection matrix: 3 of 6 expectations missed/);
  });
});

function run(index: number, drill: string, outcome: SuiteRunRecord['outcome'], extra: Partial<SuiteRunRecord> = {}): SuiteRunRecord {
  return {
    index,
    drill,
    app: 'APP2',
    file: `${drill}.ts`,
    drillSha256: 'a'.repeat(64),
    mutant: null,
    outcome,
    exitCode: outcome === 'GO' ? 0 : outcome === 'NO-GO' ? 1 : outcome === 'CONDITIONAL' ? 2 : null,
    invalid: false,
    reasons: [],
    failedBlocking: [],
    failedAdvisory: [],
    noEvidence: [],
    runId: `r${index}`,
    runDir: `0${index}-${drill}`,
    bundle: `0${index}-${drill}/evidence_bundle_APP2.zip`,
    bundleSha256: 'b'.repeat(64),
    bundleBytes: 10,
    manifestSha256: 'c'.repeat(64),
    report: null,
    timeScale: 0.1,
    scheduledMs: 20_000,
    wallMs: 24_500,
    startedAt: null,
    endedAt: null,
    ...extra,
  };
}

describe('suite evidence and summary', () => {
  it('each run is a verdict of the suite: GO met, CONDITIONAL an advisory failure, NO-GO blocking, not run without evidence', () => {
    expect(runVerdict(run(1, 'a', 'GO'), 'runs/01-a/x.zip')).toMatchObject({ slo: 'a', pass: true, blocking: true, reason: 'met', samples: 1, evidence: ['runs/01-a/x.zip'] });
    expect(runVerdict(run(2, 'b', 'CONDITIONAL', { failedAdvisory: ['p95'] }), null)).toMatchObject({ pass: false, blocking: false, reason: 'breached', detail: 'CONDITIONAL: p95 (advisory)' });
    expect(runVerdict(run(3, 'c', 'NO-GO', { failedBlocking: ['errors'] }), null)).toMatchObject({ pass: false, blocking: true, detail: 'NO-GO: errors' });
    expect(runVerdict(run(4, 'd', 'NOT-RUN', { reasons: ['not run: interrupted'] }), null)).toMatchObject({ pass: false, blocking: true, reason: 'no-evidence', samples: 0, detail: 'not run: interrupted' });
  });

  it('the Markdown summary has one row per drill with its decision, failed SLOs and harness overhead', () => {
    const summary: SuiteSummary = {
      schema: 'gameday/suite-summary@1',
      suiteId: 's1',
      source: 'drills/',
      mutant: { name: 'no-backoff', defect: 'no-backoff', override: { env: { DEFECTS: 'no-backoff' } }, mustFail: ['storm'], file: 'mutants.yaml' },
      timeScale: 0.1,
      startedAt: 'x',
      endedAt: 'y',
      decision: 'NO-GO',
      exitCode: 1,
      interrupted: false,
      runs: [run(1, 'storm', 'NO-GO', { failedBlocking: ['backoff-jitter'], noEvidence: [], reasons: ['blocking SLO backoff-jitter breached'] }), run(2, 'az', 'GO')],
    };
    const md = renderSummary(summary);
    expect(md).toMatch(/^# Suite s1: NO-GO \(exit 1\)/);
    expect(md).toContain('mutant **no-backoff** (defect no-backoff; must be caught by storm)');
    expect(md).toContain('| 1 | storm | APP2 | **NO-GO** | backoff-jitter | 20.0 s | 24.5 s | 4.5 s | 01-storm |');
    expect(md).toContain('| 2 | az | APP2 | GO | — | 20.0 s | 24.5 s | 4.5 s | 02-az |');
    expect(md).toContain('- blocking SLO backoff-jitter breached');
  });
});
