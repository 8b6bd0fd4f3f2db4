// Reads a drill file (TypeScript/JavaScript module or YAML/JSON) and validates it.
import path from 'node:path';
import { Drill } from './drill.ts';
import { DrillError, describeIssues, drillError, formatPath, parseWith, readConfigFile } from './config-file.ts';

export { DrillError, describeIssues, formatPath };

export interface LoadedDrill {
  file: string;
  dir: string;
  drill: Drill;
  /** the bytes of the file, for its digest in the evidence */
  source: Buffer;
}

/** Validates an already-read drill object; `file` only names it in errors. */
export function parseDrill(raw: unknown, file: string): Drill {
  return parseWith(Drill, raw, file, drillError);
}

export async function loadDrill(fileArg: string): Promise<LoadedDrill> {
  const { file, source, raw } = await readConfigFile(fileArg, drillError, '`export default defineDrill({ ... })`');
  return { file, dir: path.dirname(file), drill: parseDrill(raw, fileArg), source };
}
