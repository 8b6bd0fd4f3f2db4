// Reading a release policy (YAML or JSON). Errors name the file, the path inside it and the fix.
import { DrillError, parseWith, readDataFile } from '../schema/config-file.ts';
import { Policy } from '../schema/policy.ts';

/** An invalid policy file: the one input error, labelled "the policy" (exit code 3). */
export class PolicyError extends DrillError {
  constructor(file: string, problems: string[]) {
    super(file, problems, 'the policy');
    this.name = 'PolicyError';
  }
}

const policyError = (file: string, problems: string[]) => new PolicyError(file, problems);

/** Validates an already-read policy object; `file` only names it in errors. */
export function parsePolicy(raw: unknown, file: string): Policy {
  return parseWith(Policy, raw ?? {}, file, policyError);
}

export function loadPolicy(file: string): Policy {
  return parsePolicy(readDataFile(file, policyError, 'check the path').raw, file);
}
