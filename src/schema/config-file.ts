// The one reader of the files a user writes: drills, policies, mutants, partner files and FIS specs.
// YAML/JSON are parsed with the `yaml` package (aliases bounded), TS/JS modules are bundled by
// esbuild and imported wherever they live (src/schema/config-module.ts), and everything is checked by a strict zod schema. Every
// problem becomes one DrillError: the file, the path inside it and the fix (exit code 3).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { closest, distance } from 'fastest-levenshtein';
import YAML from 'yaml';
import type { z } from 'zod';
import { SetupError, shorten } from '../platform/setup-error.mjs';
import { bundleConfigModule } from './config-module.ts';

export { shorten };

/** Something the user gave could not be read or is invalid: nothing was run (exit code 3). */
export class DrillError extends SetupError {
  constructor(
    readonly file: string,
    readonly problems: string[],
    /** what the file is, as the first line says it: "the drill", "the policy", ... */
    readonly what: string = 'the drill',
  ) {
    super(`${file}: ${what} is not valid\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DrillError';
  }
}

/** Makes the error of one kind of file (a DrillError or a subclass that names the kind). */
export type InputErrorOf = (file: string, problems: string[]) => DrillError;

export const drillError: InputErrorOf = (file, problems) => new DrillError(file, problems);


/** "load.requests[0].webhook.partner" */
export function formatPath(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') || '(top level)';
}

/** The known key nearest to `key`, when it is near enough to be a typo. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  if (!known.length) return undefined;
  const best = closest(key, [...known]);
  return distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** The keys an object schema knows (zod v4 keeps its shape on `_zod.def.shape`). */
function shapeKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/**
 * The known keys of the object each unrecognized_keys issue came from. zod drops the schema from
 * the issues it returns, but its error map still sees it, and the `keys` array is passed through.
 */
type KnownKeys = WeakMap<readonly string[], string[]>;

function rememberKnownKeys(known: KnownKeys) {
  return (issue: z.core.$ZodRawIssue): undefined => {
    if (issue.code === 'unrecognized_keys') known.set(issue.keys, shapeKeys(issue.inst));
    return undefined;
  };
}

function unknownKeyLines(issue: z.core.$ZodIssueUnrecognizedKeys, known: readonly string[]): string[] {
  return issue.keys.map((key) => {
    const near = nearestKey(key, known);
    const at = shorten(formatPath([...issue.path, key]));
    return `${at}: unknown key${near ? ` — did you mean \`${near}\`?` : known.length ? ` — the keys here are ${known.join(', ')}` : ''}`;
  });
}

/** a message quoting a long invalid value is shortened to this many characters (head…tail) */
const MAX_MESSAGE = 240;

export function describeIssues(issues: ReadonlyArray<z.core.$ZodIssue>, known: KnownKeys = new WeakMap()): string[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? unknownKeyLines(issue, known.get(issue.keys) ?? []) : [`${shorten(formatPath(issue.path))}: ${shorten(issue.message, MAX_MESSAGE)}`],
  );
}

/** Validates an already-read object with a strict schema; `file` only names it in errors, `fail` makes the error. */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, file: string, fail: InputErrorOf): z.output<S> {
  const known: KnownKeys = new WeakMap();
  const result = schema.safeParse(raw, { error: rememberKnownKeys(known) });
  if (!result.success) throw fail(file, describeIssues(result.error.issues, known));
  return result.data;
}

const DATA_EXTENSIONS = ['.yaml', '.yml', '.json'];
const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** YAML/JSON text to a plain value; syntax errors and alias bombs become DrillErrors. */
export function parseDataText(text: string, file: string, fail: InputErrorOf): unknown {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) throw fail(file, doc.errors.map((e) => `${e.linePos ? `line ${e.linePos[0].line}: ` : ''}${e.message.split('\n')[0]}`));
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw fail(file, [/alias/i.test(message) ? `${message}: the file expands its YAML aliases too many times (a "billion laughs" document); write the values out or use fewer aliases` : message]);
  }
}

function readBytes(fileArg: string, file: string, fail: InputErrorOf, hint: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw fail(fileArg, [`cannot read the file: ${code}${code === 'EISDIR' ? '; it is a folder, give a file' : hint ? `; ${hint}` : ''}`]);
  }
}

/** Reads a YAML/JSON file (synchronously). */
export function readDataFile(fileArg: string, fail: InputErrorOf, hint = ''): { file: string; source: Buffer; raw: unknown } {
  const file = path.resolve(fileArg);
  const ext = path.extname(file).toLowerCase();
  if (!DATA_EXTENSIONS.includes(ext)) throw fail(fileArg, [`unknown file type "${ext}": use .yaml, .yml or .json`]);
  const source = readBytes(fileArg, file, fail, hint);
  return { file, source, raw: parseDataText(source.toString('utf8'), fileArg, fail) };
}

/**
 * Imports a TS/JS module that default-exports a config, wherever it lives: esbuild bundles it into
 * one ES module whatever the nearest package.json says about "type". A module that calls
 * process.exit while it loads is refused (it would otherwise end the run with its own exit code).
 */
export async function importConfigModule(file: string, fileArg: string, fail: InputErrorOf, exportHint: string): Promise<unknown> {
  let bundled: Awaited<ReturnType<typeof bundleConfigModule>>;
  try {
    bundled = await bundleConfigModule(file);
  } catch (err) {
    throw fail(fileArg, [`the module could not be compiled: ${shorten(err instanceof Error ? err.message : String(err), 300)}`]);
  }
  const realExit = process.exit;
  let exitCalled: number | string | null | undefined;
  let called = false;
  process.exit = ((code?: number | string | null) => {
    called = true;
    exitCalled = code;
    throw new Error(`the module called process.exit(${code ?? ''}) while loading`);
  }) as typeof process.exit;
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(bundled.module).href)) as { default?: unknown };
  } catch (err) {
    const message = called
      ? `the module called process.exit(${exitCalled ?? ''}) while loading: a drill module must only export its definition, remove the call`
      : `the module could not be loaded: ${shorten(err instanceof Error ? err.message.split('\n')[0] : String(err), 300)}`;
    throw fail(fileArg, [message]);
  } finally {
    process.exit = realExit;
    bundled.dispose();
  }
  if (called) throw fail(fileArg, [`the module called process.exit(${exitCalled ?? ''}) while loading: a drill module must only export its definition, remove the call`]);
  const value = esModuleDefault(mod);
  if (value === undefined) throw fail(fileArg, [`the module has no default export: write ${exportHint}`]);
  return value;
}

/**
 * The module's default export; for a CommonJS module (module.exports = { __esModule, default })
 * the default inside it.
 */
function esModuleDefault(mod: { default?: unknown }): unknown {
  const d = mod.default as { __esModule?: unknown; default?: unknown } | undefined;
  return d !== null && typeof d === 'object' && d.__esModule === true ? d.default : d;
}

/** Reads a config that may be YAML/JSON or a TS/JS module. */
export async function readConfigFile(fileArg: string, fail: InputErrorOf, exportHint: string): Promise<{ file: string; source: Buffer; raw: unknown }> {
  const file = path.resolve(fileArg);
  const ext = path.extname(file).toLowerCase();
  if (DATA_EXTENSIONS.includes(ext)) return readDataFile(fileArg, fail);
  if (!MODULE_EXTENSIONS.includes(ext)) throw fail(fileArg, [`unknown file type "${ext}": use .ts, .js, .yaml, .yml or .json`]);
  const source = readBytes(fileArg, file, fail, '');
  return { file, source, raw: await importConfigModule(file, fileArg, fail, exportHint) };
}
