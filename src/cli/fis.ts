// `gameday fis <spec> --dry-run`: reads an FIS fault spec, prints the experiment template it
// would create, and does nothing else — no AWS client is even constructed.
import path from 'node:path';
import { Command } from 'commander';
import { buildExperimentTemplate, FisSpecError, validFisSpec, type FisTemplate } from '../../chaos/fis/templates.ts';
import { readConfigFile } from '../schema/config-file.ts';
import { EXIT_CODES } from '../judge/decide.ts';
import type { FisFaultSpec } from '../schema/fis.ts';

export { FisSpecError };

/** The run id a dry run puts in the gameday:run-id tag. */
export const DRY_RUN_ID = 'dry-run';

export interface LoadedFisSpec {
  file: string;
  /** the fault's name: the spec's `name`, else the file's base name */
  name: string;
  spec: FisFaultSpec;
}

const fisSpecError = (file: string, problems: string[]) => new FisSpecError(file, problems);

async function readRaw(fileArg: string): Promise<unknown> {
  return (await readConfigFile(fileArg, fisSpecError, '`export default { fault: ..., region: ..., ... }`')).raw;
}

/** Reads and validates a spec file; FisSpecError names the file, the path and the fix. */
export async function loadFisSpec(fileArg: string): Promise<LoadedFisSpec> {
  const file = path.resolve(fileArg);
  const spec = validFisSpec((await readRaw(fileArg)) as FisFaultSpec, fileArg);
  const base = path.basename(file).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return { file, name: spec.name ?? base, spec };
}

export interface FisDryRunResult {
  name: string;
  template: FisTemplate;
  /** the template as printed */
  json: string;
}

/**
 * Prints the experiment template of a spec file (JSON, 2-space indented) and returns it.
 * Touches nothing but the file: no AWS client, no network.
 */
export async function fisDryRun(specFile: string, opts: { runId?: string; write?: (text: string) => void } = {}): Promise<FisDryRunResult> {
  const loaded = await loadFisSpec(specFile);
  const template = buildExperimentTemplate(loaded.spec, { runId: opts.runId ?? DRY_RUN_ID, faultName: loaded.name });
  const json = `${JSON.stringify(template, null, 2)}\n`;
  (opts.write ?? ((t: string) => process.stdout.write(t)))(json);
  return { name: loaded.name, template, json };
}

/**
 * `gameday fis <spec> --dry-run [--run-id ID]`, ready for `program.addCommand(fisCommand(setExit))`.
 * Only the dry run exists: FIS faults run inside a drill, where they are always reverted.
 */
export function fisCommand(setExit: (code: number) => void): Command {
  return new Command('fis')
    .description('print the AWS FIS experiment template of a fault spec (--dry-run); nothing is sent to AWS')
    .argument('<spec>', 'FIS fault spec: .yaml/.json (or a .ts/.js module with a default export)')
    .option('--dry-run', 'print the template JSON and do nothing else')
    .option('--run-id <id>', 'run id for the gameday:run-id tag', DRY_RUN_ID)
    .action(async (spec: string, o: { dryRun?: boolean; runId: string }) => {
      if (!o.dryRun) {
        process.stderr.write('gameday fis: only --dry-run is available; FIS faults run inside a drill (gameday run), which reverts them\n');
        setExit(EXIT_CODES.INVALID_DRILL);
        return;
      }
      try {
        await fisDryRun(spec, { runId: o.runId });
        setExit(0);
      } catch (err) {
        if (!(err instanceof FisSpecError)) throw err;
        process.stderr.write(`${err.message}\n`);
        setExit(EXIT_CODES.INVALID_DRILL);
      }
    });
}
