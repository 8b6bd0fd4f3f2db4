// Reading an evidence file through its schema. Errors name the file, the path inside it and the fix.
import fs from 'node:fs';
import type { z } from 'zod';
import { describeIssues } from '../schema/load.ts';

export class EvidenceFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
    readonly fix: string,
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `not valid\n${problems.map((p) => `  - ${p}`).join('\n')}`}\n  fix: ${fix}`);
    this.name = 'EvidenceFileError';
  }
}

/** Validates already-read JSON text; `file` only names it in errors. */
export function parseJsonText<S extends z.ZodType>(text: string, file: string, schema: S, fix: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new EvidenceFileError(file, [`not JSON: ${(err as Error).message}`], fix);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new EvidenceFileError(file, describeIssues(result.error.issues), fix);
  return result.data;
}

export function readJsonFile<S extends z.ZodType>(file: string, schema: S, fix: string): z.infer<S> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new EvidenceFileError(file, [`cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`], fix);
  }
  return parseJsonText(text, file, schema, fix);
}
