// `gameday verify <bundle.zip|run-dir> [--key pub.pem] [--json]`: exit 0 when the evidence is
// intact and its signature valid, 1 otherwise.
import path from 'node:path';
import { EvidenceFileError } from '../evidence/read-json.ts';
import { verifyEvidence, type VerifyResult } from '../evidence/verify.ts';

export interface VerifyCommandOptions {
  /** the signer's public key (PEM) */
  key?: string;
  /** print the result as JSON instead of text */
  json?: boolean;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

const LABEL: Record<VerifyResult['problems'][number]['problem'], string> = {
  modified: 'MODIFIED',
  missing: 'MISSING',
  unexpected: 'ADDED',
  duplicate: 'DUPLICATE',
  signature: 'SIGNATURE',
  key: 'KEY',
  'manifest-mismatch': 'MANIFEST',
  archive: 'ARCHIVE',
  unreadable: 'UNREADABLE',
};

/** The human report of a verification. Pure. */
export function formatVerifyResult(r: VerifyResult): string {
  const name = path.basename(r.target) || r.target;
  const lines: string[] = [];
  if (r.ok) lines.push(`${name}: VERIFIED: ${r.files} signed files match, signature valid`);
  else lines.push(`${name}: NOT VERIFIED: ${r.problems.length} problem(s)${r.signatureValid ? '' : ', signature not valid'}`);
  if (r.run) lines.push(`  run ${r.run.runId}, drill ${r.run.drill} (${r.run.app}), decision ${r.run.decision}${r.run.previousRunDigest ? `, follows ${r.run.previousRunDigest.slice(0, 16)}…` : ''}`);
  const width = Math.max(0, ...r.problems.map((p) => LABEL[p.problem].length));
  for (const p of r.problems) lines.push(`  ${LABEL[p.problem].padEnd(width)}  ${p.file}: ${p.detail}`);
  lines.push(`  key: ${r.key.keyid ? `${r.key.keyid.slice(0, 16)}… ` : ''}${r.key.note}`);
  return `${lines.join('\n')}\n`;
}

export async function verifyCommand(target: string, opts: VerifyCommandOptions = {}): Promise<number> {
  const out = opts.out ?? ((t: string) => process.stdout.write(t));
  const err = opts.err ?? ((t: string) => process.stderr.write(t));
  let result: VerifyResult;
  try {
    result = await verifyEvidence(target, { publicKeyFile: opts.key });
  } catch (e) {
    if (e instanceof EvidenceFileError) {
      err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatVerifyResult(result));
  return result.ok ? 0 : 1;
}
