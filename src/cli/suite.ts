// `gameday suite` and `gameday matrix`.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { EXIT_CODES } from '../judge/decide.ts';
import type { Mutant } from '../schema/mutants.ts';
import { loadDrills, resolveDrillFiles } from '../suite/drills.ts';
import { findMutant, findMutantsFile, loadMutants, MutantsError, type LoadedMutants } from '../suite/mutants.ts';
import { runMatrix } from '../suite/run-matrix.ts';
import { runSuite, type SuiteRunRecord } from '../suite/suite.ts';

function timeScale(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 10)) throw new InvalidArgumentError('expected a number above 0 and at most 10, e.g. 0.1 to run ten times faster');
  return n;
}

const rel = (p: string) => path.relative(process.cwd(), p) || '.';

/** Ctrl-C / SIGTERM abort the controller once; a second one only says what is going on. */
function withSignals<T>(what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${signal} again: still reverting faults and stopping processes, please wait\n`);
      return;
    }
    process.stderr.write(`\n${signal}: stopping the current drill and the ${what} (faults reverted, evidence written)\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return fn(controller.signal).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}

/** --mutants FILE, else mutants.yaml beside the first drill argument (or up to two folders above it). */
function mutantsFor(args: string[], file: string | undefined): LoadedMutants {
  if (file) return loadMutants(file);
  const first = args[0];
  const found = findMutantsFile(/\.[a-z]+$/i.test(first) ? path.dirname(first) : first);
  if (!found) throw new MutantsError(first, ['no mutants.yaml in this folder or the two above it: pass --mutants FILE']);
  return loadMutants(found);
}

function runLine(r: SuiteRunRecord): string {
  const failed = r.failedBlocking.length ? ` — failed: ${r.failedBlocking.join(', ')}` : r.failedAdvisory.length ? ` — advisory failed: ${r.failedAdvisory.join(', ')}` : '';
  return `  ${String(r.index).padStart(2)}. ${r.drill.padEnd(28)} ${r.outcome}${r.invalid && r.outcome === 'NO-GO' ? ' (invalid run)' : ''}${failed}`;
}

export function suiteCommand(setExit: (code: number) => void): Command {
  return new Command('suite')
    .description('run drills in order (a folder, or files), one run directory each, a combined summary and one signed suite bundle; exit = the worst decision')
    .argument('<drills...>', 'a folder of drills (its drill files, by name) and/or drill files')
    .option('--mutant <name>', 'run against a mutant of the system: its override (from the mutants file) applied to every drill')
    .option('--mutants <file>', 'the mutants file (default: mutants.yaml beside the drills or up to two folders above)')
    .option('--time-scale <factor>', "multiply every duration of every drill by this factor (default: each drill's own)", timeScale)
    .option('--out <dir>', 'the suite directory (default reports/suites/<suite-id>/)')
    .option('--no-progress', 'no progress line while a drill runs')
    .action(async (args: string[], o: { mutant?: string; mutants?: string; timeScale?: number; out?: string; progress: boolean }) => {
      let mutant: Mutant | null = null;
      let mutantsFile: string | null = null;
      try {
        if (o.mutant) {
          const loaded = mutantsFor(args, o.mutants);
          mutant = findMutant(loaded, o.mutant);
          mutantsFile = loaded.file;
        }
      } catch (err) {
        if (!(err instanceof MutantsError)) throw err;
        process.stderr.write(`${err.message}\n`);
        return setExit(EXIT_CODES.INVALID_DRILL);
      }
      const drills = await loadDrills(resolveDrillFiles(args));
      const result = await withSignals('suite', (signal) =>
        runSuite({
          drills,
          source: args.join(' '),
          mutant,
          mutantsFile,
          timeScale: o.timeScale,
          outDir: o.out,
          signal,
          progress: o.progress,
          onRun: (r) => process.stderr.write(`${runLine(r)}\n`),
        }),
      );
      process.stdout.write(`\nsuite${mutant ? ` (mutant ${mutant.name}: ${mutant.defect})` : ''}: ${result.decision} (exit ${result.exitCode})${result.interrupted ? ' — interrupted' : ''}\n`);
      for (const r of result.runs) process.stdout.write(`${runLine(r)}\n`);
      if (mutant) {
        const caught = result.runs.filter((r) => mutant!.mustFail.includes(r.drill));
        if (caught.length === 0) process.stdout.write(`matrix: ${mutant.name} must be caught by ${mutant.mustFail.join(', ')}: not in this suite\n`);
        for (const r of caught) {
          const ok = r.outcome === 'NO-GO' && !r.invalid && r.failedBlocking.length > 0;
          process.stdout.write(`matrix: ${mutant.name} × ${r.drill}: ${r.outcome} ${ok ? '✓ caught' : '✗ NOT caught'}${r.failedBlocking.length ? ` by ${r.failedBlocking.join(', ')}` : ''}\n`);
        }
      } else {
        for (const r of result.runs) process.stdout.write(`matrix: healthy × ${r.drill}: ${r.outcome} ${r.outcome === 'GO' ? '✓' : '✗ (the healthy system must be GO)'}\n`);
      }
      for (const r of result.runs) if (r.report) process.stdout.write(`report:  ${rel(path.join(result.suiteDir, r.report))}\n`);
      process.stdout.write(`summary: ${rel(result.summaryMd)}\n`);
      process.stdout.write(`bundle:  ${rel(result.bundle)} (gameday verify checks it)\n`);
      setExit(result.exitCode);
    });
}

export function matrixCommand(setExit: (code: number) => void): Command {
  return new Command('matrix')
    .description('the detection matrix: the healthy system and each mutant × each drill; exit 0 only when healthy is GO everywhere and each mutant NO-GO on the drills that must catch it')
    .argument('<folder>', 'a folder of drills')
    .option('--mutants <file>', 'the mutants file (default: mutants.yaml in the folder or up to two folders above)')
    .option('--targeted', 'run each mutant only on the drills that must catch it (the healthy row still runs every drill)')
    .option('--time-scale <factor>', "multiply every duration of every drill by this factor (default: each drill's own)", timeScale)
    .option('--out <dir>', 'the matrix directory (default reports/matrix/<id>/)')
    .option('--no-progress', 'no progress line while a drill runs')
    .action(async (folder: string, o: { mutants?: string; targeted?: boolean; timeScale?: number; out?: string; progress: boolean }) => {
      let mutants: LoadedMutants;
      try {
        mutants = mutantsFor([folder], o.mutants);
      } catch (err) {
        if (!(err instanceof MutantsError)) throw err;
        process.stderr.write(`${err.message}\n`);
        return setExit(EXIT_CODES.INVALID_DRILL);
      }
      const drills = await loadDrills(resolveDrillFiles([folder]));
      let result;
      try {
        result = await withSignals('matrix', (signal) =>
          runMatrix({
            drills,
            source: folder,
            mutants: mutants.mutants,
            mutantsFile: mutants.file,
            mode: o.targeted ? 'targeted' : 'full',
            timeScale: o.timeScale,
            outDir: o.out,
            signal,
            progress: o.progress,
            onCell: (c) => process.stdout.write(`  ${c.row} × ${c.drill}: ${c.outcome}${c.failedBlocking.length ? ` (${c.failedBlocking.join(', ')})` : ''}\n`),
          }),
        );
      } catch (err) {
        if (!(err instanceof MutantsError)) throw err;
        process.stderr.write(`${err.message}\n`);
        return setExit(EXIT_CODES.INVALID_DRILL);
      }
      const v = result.report.verdict;
      process.stdout.write(`\nmatrix: ${v.ok ? 'every expectation met' : `${v.missed} of ${v.expectations.length} expectations missed`} (exit ${result.exitCode})\n`);
      for (const e of v.expectations) process.stdout.write(`  ${e.met ? 'met   ' : 'MISSED'} ${e.row} × ${e.drill}: expected ${e.expected}, got ${e.actual ?? 'nothing'} — ${e.detail}\n`);
      process.stdout.write(`matrix: ${rel(result.markdown)}\n        ${rel(result.json)}\n`);
      setExit(result.exitCode);
    });
}
