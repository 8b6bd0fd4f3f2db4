// Signing a finished run directory: an in-toto statement over every file, in a DSSE envelope
// (attestation.intoto.jsonl), and the public key beside it (signing-key.pub.pem).
import fs from 'node:fs';
import path from 'node:path';
import type { DecisionFile, InTotoStatement, RunManifest } from '../schema/evidence.ts';

/** The manifest and decision record of a run, as the run wrote them. */
export interface RunRecords {
  manifest: RunManifest;
  decisions: DecisionFile;
}
import { buildStatement, serializeEnvelope, signStatement } from './attestation.ts';
import { loadSigningKey, type SigningKey } from './keys.ts';
import { ENVELOPE_FILE, hashFile, isBundleFile, isSealFile, PUBLIC_KEY_FILE, walkRunDir } from './layout.ts';
import { buildPredicate, predicateFromRun } from './predicate.ts';

export interface Subject {
  path: string;
  sha256: string;
  bytes: number;
}

/** Every file of the run directory that the statement covers: all but the seal and bundles. */
export async function collectSubjects(runDir: string): Promise<Subject[]> {
  const out: Subject[] = [];
  for (const f of walkRunDir(runDir)) {
    if (isSealFile(f.path) || isBundleFile(f.path)) continue;
    if (f.kind !== 'file') throw new Error(`${path.join(runDir, f.path)}: a ${f.kind === 'symlink' ? 'symbolic link' : 'special file'} cannot be signed\n  fix: replace it with a regular file or remove it from the run directory`);
    const d = await hashFile(path.join(runDir, f.path));
    out.push({ path: f.path, ...d });
  }
  return out;
}

export interface AttestResult {
  envelopeFile: string;
  publicKeyFile: string;
  keyid: string;
  keySource: SigningKey['source'];
  statement: InTotoStatement;
}

/**
 * Signs the run directory as it is now: call it after every other file is written (manifest
 * included). `previousRunDigest` is what appendRun returned for this run.
 */
export async function attestRun(runDir: string, opts: { previousRunDigest: string | null; key?: SigningKey; records?: RunRecords }): Promise<AttestResult> {
  const key = opts.key ?? loadSigningKey();
  // the run's own records when it has them in memory; read back from the directory otherwise
  const predicate = opts.records ? buildPredicate(opts.records.manifest, opts.records.decisions, opts.previousRunDigest) : predicateFromRun(runDir, opts.previousRunDigest);
  const statement = buildStatement({ artifacts: await collectSubjects(runDir), predicate });
  const envelopeFile = path.join(runDir, ENVELOPE_FILE);
  const publicKeyFile = path.join(runDir, PUBLIC_KEY_FILE);
  fs.writeFileSync(envelopeFile, serializeEnvelope(signStatement(statement, key)));
  fs.writeFileSync(publicKeyFile, key.publicKeyPem);
  return { envelopeFile, publicKeyFile, keyid: key.keyid, keySource: key.source, statement };
}
