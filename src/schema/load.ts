// Reads a drill file (TypeScript/JavaScript module or YAML/JSON) and validates it.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import type { z } from 'zod';
import { Drill } from './drill.ts';

/** The drill could not be read or is invalid: nothing was run (exit code 3). */
export class DrillError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: the drill is not valid\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DrillError';
  }
}

export interface LoadedDrill {
  file: string;
  dir: string;
  drill: Drill;
  /** the bytes of the file, for its digest in the evidence */
  source: Buffer;
}

/** "load.requests[0].webhook.partner" */
export function formatPath(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') || '(top level)';
}

export function describeIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/** Validates an already-read drill object; `file` only names it in errors. */
export function parseDrill(raw: unknown, file: string): Drill {
  const result = Drill.safeParse(raw);
  if (!result.success) throw new DrillError(file, describeIssues(result.error.issues));
  return result.data;
}

async function readRaw(file: string, source: Buffer): Promise<unknown> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml' || ext === '.json') {
    const doc = YAML.parseDocument(source.toString('utf8'), { prettyErrors: true });
    if (doc.errors.length) throw new DrillError(file, doc.errors.map((e) => `${e.linePos ? `line ${e.linePos[0].line}: ` : ''}${e.message.split('\n')[0]}`));
    return doc.toJS();
  }
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
    let mod: { default?: unknown };
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (err) {
      throw new DrillError(file, [`the module could not be loaded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`]);
    }
    if (mod.default === undefined) throw new DrillError(file, ['the module has no default export: write `export default defineDrill({ ... })`']);
    return mod.default;
  }
  throw new DrillError(file, [`unknown drill file type "${ext}": use .ts, .js, .yaml, .yml or .json`]);
}

export async function loadDrill(fileArg: string): Promise<LoadedDrill> {
  const file = path.resolve(fileArg);
  let source: Buffer;
  try {
    source = fs.readFileSync(file);
  } catch (err) {
    throw new DrillError(fileArg, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  const raw = await readRaw(file, source);
  return { file, dir: path.dirname(file), drill: parseDrill(raw, fileArg), source };
}
