// Verifying evidence: a bundle zip or a sealed run directory. Checks the DSSE signature (with
// a given public key, else the one the evidence carries), that every signed file is there with
// its signed SHA-256, that nothing was added, that run_manifest.json agrees with the signed
// files, and for a zip that the archive is byte for byte the canonical one for its contents.
import { createHash, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { describeIssues } from '../schema/load.ts';
import { DsseEnvelope, InTotoStatement, RunManifest } from '../schema/evidence.ts';
import { serializeEnvelope, verifyEnvelope, type EnvelopeVerdict } from './attestation.ts';
import { packEntries, type PackEntry } from './bundle.ts';
import { MANIFEST_FILE } from './files.ts';
import { keyId, parsePublicKey, publicKeyPem, readPublicKey } from './keys.ts';
import { comparePaths, ENVELOPE_FILE, hashFile, hashStream, isBundleFile, isSealFile, PUBLIC_KEY_FILE, walkRunDir, type Digest } from './layout.ts';
import { EvidenceFileError } from './read-json.ts';

export type ProblemKind =
  /** the file's SHA-256 is not the signed one */
  | 'modified'
  /** a signed file is not there */
  | 'missing'
  /** a file that is not signed is there */
  | 'unexpected'
  /** the same path twice in the archive */
  | 'duplicate'
  /** the envelope does not verify with the key */
  | 'signature'
  /** the bundled public key is not the key that signed, or not the given key */
  | 'key'
  /** run_manifest.json disagrees with the signed files */
  | 'manifest-mismatch'
  /** the zip cannot be read, or its bytes outside the files were changed */
  | 'archive'
  /** a file cannot be read */
  | 'unreadable';

export interface VerifyProblem {
  /** path inside the bundle or run directory ("bundle.zip!/path" for a bundle inside a run directory) */
  file: string;
  problem: ProblemKind;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  target: string;
  kind: 'zip' | 'dir';
  signatureValid: boolean;
  key: {
    /** given: --key; bundle: the public key inside the evidence (integrity, not origin); none: no key to check with */
    source: 'given' | 'bundle' | 'none';
    file: string | null;
    keyid: string | null;
    note: string;
  };
  /** what the signed statement says (null when it cannot be read) */
  run: { runId: string; drill: string; app: string; decision: string; result: string; previousRunDigest: string | null } | null;
  /** signed files checked */
  files: number;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  /** the signer's public key (PEM); without it, the key inside the evidence is used */
  publicKeyFile?: string;
}

/** Small files read whole: the envelope, the key, the manifest. */
const SMALL_FILES = new Set<string>([ENVELOPE_FILE, PUBLIC_KEY_FILE, MANIFEST_FILE]);
const SMALL_LIMIT = 64 << 20;

interface SourceEntry {
  path: string;
  kind: 'file' | 'symlink' | 'other' | 'directory';
}

interface EvidenceSource {
  entries: SourceEntry[];
  digest(p: string): Promise<Digest | { error: string }>;
  read(p: string): Promise<Buffer | { error: string }>;
  close(): void;
}

async function drain(stream: Readable, keep: boolean): Promise<{ digest: Digest; data: Buffer | null }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    if (keep && bytes <= SMALL_LIMIT) chunks.push(chunk);
  }
  return { digest: { sha256: hash.digest('hex'), bytes }, data: keep && bytes <= SMALL_LIMIT ? Buffer.concat(chunks) : null };
}

function dirSource(dir: string): EvidenceSource {
  const entries: SourceEntry[] = walkRunDir(dir).map((f) => ({ path: f.path, kind: f.kind }));
  return {
    entries,
    async digest(p) {
      try {
        return await hashFile(path.join(dir, p));
      } catch (err) {
        return { error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
      }
    },
    async read(p) {
      try {
        const file = path.join(dir, p);
        if (fs.statSync(file).size > SMALL_LIMIT) return { error: `larger than ${SMALL_LIMIT} bytes` };
        return fs.readFileSync(file);
      } catch (err) {
        return { error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
      }
    },
    close() {},
  };
}

interface ZipSource extends EvidenceSource {
  zip: yauzl.ZipFile;
  zipEntries: yauzl.Entry[];
  /** the contents of the smaller entries, read once, for the canonical rebuild */
  contents: Map<yauzl.Entry, Buffer>;
}

const KEEP_ENTRY_LIMIT = 1 << 20;
const KEEP_TOTAL_LIMIT = 32 << 20;

/** Reads every entry once: hashes all, keeps the small files. */
async function zipSource(file: string): Promise<ZipSource> {
  const zip = await yauzl.openPromise(file, { autoClose: false, strictFileNames: true, validateEntrySizes: true });
  const entries: SourceEntry[] = [];
  const zipEntries: yauzl.Entry[] = [];
  const digests = new Map<string, Digest | { error: string }>();
  const data = new Map<string, Buffer | { error: string }>();
  const contents = new Map<yauzl.Entry, Buffer>();
  let kept = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const isDir = entry.fileName.endsWith('/');
      entries.push({ path: entry.fileName, kind: isDir ? 'directory' : 'file' });
      zipEntries.push(entry);
      if (isDir || digests.has(entry.fileName)) continue; // duplicates are reported, not read twice
      try {
        const small = SMALL_FILES.has(entry.fileName);
        const keep = small || (entry.uncompressedSize <= KEEP_ENTRY_LIMIT && kept + entry.uncompressedSize <= KEEP_TOTAL_LIMIT);
        const read = await drain(await zip.openReadStreamPromise(entry), keep);
        digests.set(entry.fileName, read.digest);
        if (small) data.set(entry.fileName, read.data ?? { error: `larger than ${SMALL_LIMIT} bytes` });
        if (read.data && read.data.length === entry.uncompressedSize) {
          contents.set(entry, read.data);
          kept += read.data.length;
        }
      } catch (err) {
        digests.set(entry.fileName, { error: (err as Error).message });
        data.set(entry.fileName, { error: (err as Error).message });
      }
    }
  } catch (err) {
    zip.close();
    throw err;
  }
  return {
    zip,
    zipEntries,
    contents,
    entries,
    digest: async (p) => digests.get(p) ?? { error: 'not in the archive' },
    read: async (p) => data.get(p) ?? { error: 'not in the archive' },
    close: () => zip.close(),
  };
}

/** The canonical archive of the zip's contents hashes to the zip's own hash. */
async function isCanonicalZip(file: string, src: ZipSource): Promise<boolean> {
  const sorted = [...src.zipEntries].sort((a, b) => comparePaths(a.fileName, b.fileName));
  const entries: PackEntry[] = sorted.map((e) => {
    const kept = src.contents.get(e);
    return { path: e.fileName, size: e.uncompressedSize, open: () => (kept ? Readable.from([kept]) : src.zip.openReadStreamPromise(e)) };
  });
  const [rebuilt, actual] = await Promise.all([hashStream(packEntries(entries)), hashFile(file)]);
  return rebuilt.sha256 === actual.sha256;
}

function isError<T extends object>(v: T | { error: string }): v is { error: string } {
  return 'error' in v;
}

const BUNDLE_KEY_NOTE =
  'checked with the public key inside the evidence itself: this proves the files were not changed after signing (integrity), not who signed them (origin); pass --key with the signer\'s public key, obtained separately, to check origin';

async function verifySource(src: EvidenceSource, target: string, kind: 'zip' | 'dir', opts: VerifyOptions): Promise<VerifyResult> {
  const problems: VerifyProblem[] = [];
  const add = (file: string, problem: ProblemKind, detail: string) => problems.push({ file, problem, detail });
  const present = new Map<string, SourceEntry>();
  for (const e of src.entries) {
    if (e.kind === 'directory') add(e.path, 'unexpected', 'a directory entry: bundles hold files only');
    else if (present.has(e.path)) add(e.path, 'duplicate', 'the archive holds this path more than once: readers disagree on which copy they extract');
    else present.set(e.path, e);
  }

  // the envelope
  let envelopeJson: unknown = null;
  const rawEnvelope = present.has(ENVELOPE_FILE) ? await src.read(ENVELOPE_FILE) : null;
  if (!rawEnvelope) add(ENVELOPE_FILE, 'missing', 'the signed statement is not there: the evidence is not signed');
  else if (isError(rawEnvelope)) add(ENVELOPE_FILE, 'unreadable', rawEnvelope.error);
  else {
    const text = rawEnvelope.toString('utf8');
    try {
      envelopeJson = JSON.parse(text);
      const parsed = DsseEnvelope.safeParse(envelopeJson);
      if (!parsed.success) add(ENVELOPE_FILE, 'signature', `not a DSSE envelope: ${describeIssues(parsed.error.issues).join('; ')}`);
      else if (serializeEnvelope(parsed.data) !== text) add(ENVELOPE_FILE, 'modified', 'the envelope is not in the form gameday writes (one JSON line): it was edited');
    } catch {
      add(ENVELOPE_FILE, 'signature', 'not JSON: the envelope was edited or truncated');
    }
  }
  const envelope = DsseEnvelope.safeParse(envelopeJson);
  const signedKeyids = envelope.success ? envelope.data.signatures.map((s) => s.keyid) : [];

  // the key
  let bundledKey: KeyObject | null = null;
  const rawKey = present.has(PUBLIC_KEY_FILE) ? await src.read(PUBLIC_KEY_FILE) : null;
  if (rawKey && !isError(rawKey)) {
    try {
      bundledKey = parsePublicKey(rawKey.toString('utf8'), PUBLIC_KEY_FILE);
      if (publicKeyPem(bundledKey) !== rawKey.toString('utf8')) add(PUBLIC_KEY_FILE, 'modified', 'the key is not in the form gameday writes (SPKI PEM): it was edited');
    } catch (err) {
      add(PUBLIC_KEY_FILE, 'modified', `not an Ed25519 public key any more: ${(err as EvidenceFileError).problems?.[0] ?? (err as Error).message}`);
    }
  } else if (rawKey && isError(rawKey)) add(PUBLIC_KEY_FILE, 'unreadable', rawKey.error);
  else if (!opts.publicKeyFile) add(PUBLIC_KEY_FILE, 'missing', 'no public key in the evidence: pass --key with the signer\'s public key');

  let key: KeyObject | null = null;
  let keyInfo: VerifyResult['key'];
  if (opts.publicKeyFile) {
    key = readPublicKey(opts.publicKeyFile);
    const id = keyId(key);
    keyInfo = { source: 'given', file: opts.publicKeyFile, keyid: id, note: `checked with the given public key ${opts.publicKeyFile}: the evidence was signed by the holder of its private key` };
    if (bundledKey && keyId(bundledKey) !== id) add(PUBLIC_KEY_FILE, 'key', `the evidence carries key ${keyId(bundledKey).slice(0, 16)}…, not the given key ${id.slice(0, 16)}…`);
  } else if (bundledKey) {
    key = bundledKey;
    keyInfo = { source: 'bundle', file: PUBLIC_KEY_FILE, keyid: keyId(bundledKey), note: BUNDLE_KEY_NOTE };
  } else keyInfo = { source: 'none', file: null, keyid: null, note: 'no public key to check the signature with' };

  // the signature
  let verdict: EnvelopeVerdict | null = null;
  if (key && envelope.success) {
    verdict = verifyEnvelope(envelope.data, key);
    if (!verdict.ok) {
      const bundledId = bundledKey ? keyId(bundledKey) : null;
      if (keyInfo.source === 'bundle' && verdict.failed === 'keyid' && bundledId && !signedKeyids.includes(bundledId)) {
        add(PUBLIC_KEY_FILE, 'modified', `its key ${bundledId.slice(0, 16)}… is not the key that signed (${signedKeyids.map((k) => `${k.slice(0, 16)}…`).join(', ')}): the key was replaced or edited`);
      } else add(ENVELOPE_FILE, 'signature', `${verdict.failed}: ${verdict.message}`);
    }
  }
  const signatureValid = verdict?.ok === true;

  // the statement: the verified one, else (for a diagnosis only) the unverified payload
  let statement: InTotoStatement | null = verdict?.ok ? verdict.statement : null;
  if (!statement && envelope.success) {
    try {
      const s = InTotoStatement.safeParse(JSON.parse(Buffer.from(envelope.data.payload, 'base64').toString('utf8')));
      if (s.success) statement = s.data;
    } catch {
      /* reported as a signature problem */
    }
  }

  // the files
  const subjects = new Map<string, string>((statement?.subject ?? []).map((s) => [s.name, s.digest.sha256]));
  if (statement) {
    for (const [name, sha256] of subjects) {
      const entry = present.get(name);
      if (!entry) {
        add(name, 'missing', 'signed, but not in the evidence');
        continue;
      }
      if (entry.kind !== 'file') {
        add(name, 'modified', `a ${entry.kind === 'symlink' ? 'symbolic link' : 'special file'} where the signed file was`);
        continue;
      }
      const d = await src.digest(name);
      if (isError(d)) add(name, 'unreadable', d.error);
      else if (d.sha256 !== sha256) add(name, 'modified', `sha256 ${d.sha256.slice(0, 16)}… (${d.bytes} bytes), signed ${sha256.slice(0, 16)}…`);
    }
    for (const [name, entry] of present) {
      if (subjects.has(name) || isSealFile(name)) continue;
      if (kind === 'dir' && entry.kind === 'file' && isBundleFile(name)) continue; // checked on its own below
      add(name, 'unexpected', entry.kind === 'file' ? 'not signed: added after signing' : `a ${entry.kind === 'symlink' ? 'symbolic link' : 'special file'}, not signed`);
    }
    await checkManifest(src, subjects, problems);
  }

  const run = statement
    ? {
        runId: statement.predicate.runId,
        drill: statement.predicate.drill.name,
        app: statement.predicate.app,
        decision: statement.predicate.decision.decision,
        result: statement.predicate.result,
        previousRunDigest: statement.predicate.previousRunDigest,
      }
    : null;
  return { ok: signatureValid && problems.length === 0, target, kind, signatureValid, key: keyInfo, run, files: subjects.size, problems };
}

/** run_manifest.json lists every artifact with its digest: it must agree with the signed subjects. */
async function checkManifest(src: EvidenceSource, subjects: Map<string, string>, problems: VerifyProblem[]): Promise<void> {
  if (!subjects.has(MANIFEST_FILE) || problems.some((p) => p.file === MANIFEST_FILE)) return;
  const raw = await src.read(MANIFEST_FILE);
  if (isError(raw)) return;
  let artifacts: Array<{ path: string; sha256: string }>;
  try {
    const parsed = RunManifest.pick({ artifacts: true }).safeParse(JSON.parse(raw.toString('utf8')));
    if (!parsed.success) {
      problems.push({ file: MANIFEST_FILE, problem: 'manifest-mismatch', detail: `not a run manifest: ${describeIssues(parsed.error.issues).join('; ')}` });
      return;
    }
    artifacts = parsed.data.artifacts;
  } catch {
    problems.push({ file: MANIFEST_FILE, problem: 'manifest-mismatch', detail: 'not JSON' });
    return;
  }
  for (const a of artifacts) {
    if (problems.some((p) => p.file === a.path)) continue;
    const signed = subjects.get(a.path);
    if (!signed) problems.push({ file: a.path, problem: 'manifest-mismatch', detail: 'listed in run_manifest.json but neither signed nor in the evidence' });
    else if (signed !== a.sha256) problems.push({ file: a.path, problem: 'manifest-mismatch', detail: `run_manifest.json lists sha256 ${a.sha256.slice(0, 16)}…, the signed file is ${signed.slice(0, 16)}…` });
  }
}

/** Verifies a bundle zip or a sealed run directory. Throws only when the target or the given key cannot be read. */
export async function verifyEvidence(target: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (err) {
    throw new EvidenceFileError(target, [`cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`], 'pass an evidence_bundle_<app>.zip or a run directory (reports/<app>/<run-id>)');
  }
  if (opts.publicKeyFile) readPublicKey(opts.publicKeyFile); // a bad --key is the caller's error, not the evidence's
  if (stat.isDirectory()) {
    const src = dirSource(target);
    const result = await verifySource(src, target, 'dir', opts);
    // a bundle of this run inside its directory is checked on its own, and must carry the same signed statement
    for (const e of src.entries.filter((x) => x.kind === 'file' && isBundleFile(x.path))) {
      const inner = await verifyZip(path.join(target, e.path), opts);
      for (const p of inner.problems) result.problems.push({ ...p, file: `${e.path}!/${p.file}` });
      const ours = await src.read(ENVELOPE_FILE);
      const theirs = inner.envelope;
      if (inner.problems.length === 0 && (!theirs || isError(ours) || !ours.equals(theirs))) {
        result.problems.push({ file: e.path, problem: 'unexpected', detail: 'a bundle of another run or signing: its attestation is not this directory\'s' });
      }
    }
    result.ok = result.signatureValid && result.problems.length === 0;
    return result;
  }
  return (await verifyZip(target, opts)).result;
}

async function verifyZip(file: string, opts: VerifyOptions): Promise<{ result: VerifyResult; problems: VerifyProblem[]; envelope: Buffer | null }> {
  const name = path.basename(file);
  let src: ZipSource;
  try {
    src = await zipSource(file);
  } catch (err) {
    const problems: VerifyProblem[] = [{ file: name, problem: 'archive', detail: `not a readable zip: ${(err as Error).message}` }];
    const result: VerifyResult = {
      ok: false,
      target: file,
      kind: 'zip',
      signatureValid: false,
      key: { source: opts.publicKeyFile ? 'given' : 'none', file: opts.publicKeyFile ?? null, keyid: null, note: 'the archive could not be read' },
      run: null,
      files: 0,
      problems,
    };
    return { result, problems, envelope: null };
  }
  try {
    const result = await verifySource(src, file, 'zip', opts);
    if (result.problems.length === 0 && !(await isCanonicalZip(file, src))) {
      result.problems.push({ file: name, problem: 'archive', detail: 'every file matches, but bytes of the archive outside the files (headers, times, order, comments) were changed' });
      result.ok = false;
    }
    const envelope = await src.read(ENVELOPE_FILE);
    return { result, problems: result.problems, envelope: isError(envelope) ? null : envelope };
  } finally {
    src.close();
  }
}
