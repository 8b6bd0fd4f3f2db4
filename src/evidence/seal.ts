// Sealing a finished run, in the one order that works: chain → sign → bundle.
import path from 'node:path';
import { bundleFileName, hashFile } from './layout.ts';
import { MANIFEST_FILE } from './files.ts';
import type { SigningKey } from './keys.ts';
import { appendRun } from './run-chain.ts';
import { attestRun, type AttestResult, type RunRecords } from './sign-run.ts';
import { writeBundle, type BundleInfo } from './bundle.ts';

export interface SealOptions {
  runDir: string;
  /** the folder holding reports/<app>/runs.chain.ndjson (default "reports") */
  reportsRoot: string;
  app: string;
  runId: string;
  /** default: loadSigningKey() */
  key?: SigningKey;
  /** default: <runDir>/evidence_bundle_<app>.zip */
  bundleFile?: string;
  /** the manifest and decision record in memory (else read from the directory) */
  records?: RunRecords;
}

export interface SealResult {
  previousRunDigest: string | null;
  attestation: AttestResult;
  bundle: BundleInfo;
}

/**
 * Call once every file of the run is written, run_manifest.json last (junit.xml and
 * compliance.json before it, so that the manifest lists them). Appends the run to the app's
 * chain, signs the directory (attestation.intoto.jsonl, signing-key.pub.pem) and packs the bundle.
 */
export async function sealRun(opts: SealOptions): Promise<SealResult> {
  const manifest = await hashFile(path.join(opts.runDir, MANIFEST_FILE));
  const previousRunDigest = await appendRun(opts.reportsRoot, opts.app, opts.runId, manifest.sha256);
  const attestation = await attestRun(opts.runDir, { previousRunDigest, key: opts.key, records: opts.records });
  const bundle = await writeBundle(opts.runDir, opts.bundleFile ?? path.join(opts.runDir, bundleFileName(opts.app)));
  return { previousRunDigest, attestation, bundle };
}
