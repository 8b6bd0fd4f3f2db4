// The drills of a suite: a folder (its drill files, by name) or a list of files, all read and
// validated before anything runs.
import fs from 'node:fs';
import path from 'node:path';
import { preflight } from '../plan/preflight.ts';
import { DrillError, loadDrill, type LoadedDrill } from '../schema/load.ts';

export const DRILL_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.yaml', '.yml', '.json'];

/** The drill files a folder holds, sorted by name (not recursive; .d.ts files are not drills). */
export function drillFilesIn(folder: string): string[] {
  return fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isFile() && DRILL_EXTENSIONS.includes(path.extname(e.name).toLowerCase()) && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(folder, e.name))
    .sort();
}

/** Arguments (folders and files, in order) → drill files, each once. */
export function resolveDrillFiles(args: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(arg);
    } catch (err) {
      throw new DrillError(arg, [`cannot read it: ${(err as NodeJS.ErrnoException).code ?? String(err)}; fix: pass a drill file or a folder of drills`]);
    }
    const files = stat.isDirectory() ? drillFilesIn(arg) : [arg];
    if (stat.isDirectory() && files.length === 0) throw new DrillError(arg, [`the folder holds no drill files (${DRILL_EXTENSIONS.join(', ')})`]);
    for (const f of files) {
      const abs = path.resolve(f);
      if (seen.has(abs)) continue;
      seen.add(abs);
      out.push(f);
    }
  }
  if (out.length === 0) throw new DrillError('(no drills)', ['give a folder of drills or one or more drill files']);
  return out;
}

/** Loads and pre-flights every drill (as a run would before starting); all problems of all files in one DrillError. Two drills with one name are an error (run directories and the matrix go by name). */
export async function loadDrills(files: readonly string[]): Promise<LoadedDrill[]> {
  const loaded: LoadedDrill[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      const l = await loadDrill(f);
      preflight(l);
      loaded.push(l);
    } catch (err) {
      if (!(err instanceof DrillError)) throw err;
      problems.push(err.message);
    }
  }
  const byName = new Map<string, string>();
  for (const l of loaded) {
    const other = byName.get(l.drill.name);
    if (other) problems.push(`${path.relative(process.cwd(), l.file)}: name: "${l.drill.name}" is also the name of ${path.relative(process.cwd(), other)}: give each drill of a suite its own name`);
    else byName.set(l.drill.name, l.file);
  }
  if (problems.length) throw new SuiteDrillsError(problems);
  return loaded;
}

/** One or more drills of a suite could not be read or are invalid: nothing was run (exit 3). */
export class SuiteDrillsError extends DrillError {
  constructor(readonly messages: string[]) {
    super('suite', messages);
    this.message = messages.join('\n');
  }
}
