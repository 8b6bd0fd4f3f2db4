// Reading a release policy (YAML or JSON). Errors name the file, the path inside it and the fix.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describeIssues } from '../schema/load.ts';
import { Policy } from '../schema/policy.ts';

export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: the policy is not valid\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

/** Validates an already-read policy object; `file` only names it in errors. */
export function parsePolicy(raw: unknown, file: string): Policy {
  const result = Policy.safeParse(raw ?? {});
  if (!result.success) throw new PolicyError(file, describeIssues(result.error.issues));
  return result.data;
}

export function loadPolicy(file: string): Policy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(file, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}): check the path`]);
  }
  const ext = path.extname(file).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) throw new PolicyError(file, [`unknown policy file type "${ext}": use .yaml, .yml or .json`]);
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) throw new PolicyError(file, doc.errors.map((e) => `${e.linePos ? `line ${e.linePos[0].line}: ` : ''}${e.message.split('\n')[0]}`));
  return parsePolicy(doc.toJS(), file);
}
