// The sealed run directory: which files the evidence layer adds, how the directory is walked
// (sorted, POSIX paths) and hashed (streamed, so a multi-gigabyte samples file is fine).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { RUN_FILES } from '../schema/run-dir.ts';

/** The DSSE envelope of the in-toto statement over every other file (one JSON line). */
export const ENVELOPE_FILE = RUN_FILES.envelope;
/** The public key matching the signature (SPKI PEM); proves integrity, not origin. */
export const PUBLIC_KEY_FILE = RUN_FILES.publicKey;

/** Files the seal adds; everything else in the run directory is a subject of the statement. */
export function isSealFile(rel: string): boolean {
  return rel === ENVELOPE_FILE || rel === PUBLIC_KEY_FILE;
}

export function bundleFileName(app: string): string {
  return `evidence_bundle_${app.replace(/[^A-Za-z0-9._-]/g, '_')}.zip`;
}

/** A bundle written into the run directory itself is never packed into a bundle or signed. */
export function isBundleFile(rel: string): boolean {
  return /^evidence_bundle_[^/]*\.zip$/.test(rel);
}

/** Byte order of the UTF-8 paths: the same on every host. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export interface RunFile {
  /** relative POSIX path */
  path: string;
  kind: 'file' | 'symlink' | 'other';
  bytes: number;
}

/** Every entry of `dir` except directories, sorted by path. Symbolic links are not followed. */
export function walkRunDir(dir: string): RunFile[] {
  const out: RunFile[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else {
        const kind = entry.isFile() ? 'file' : entry.isSymbolicLink() ? 'symlink' : 'other';
        out.push({ path: rel, kind, bytes: kind === 'file' ? fs.statSync(path.join(dir, rel)).size : 0 });
      }
    }
  };
  walk('');
  return out.sort((a, b) => comparePaths(a.path, b.path));
}

export interface Digest {
  sha256: string;
  bytes: number;
}

export async function hashStream(stream: NodeJS.ReadableStream): Promise<Digest> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(stream, async (source: AsyncIterable<Buffer | string>) => {
    for await (const chunk of source) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buf.length;
      hash.update(buf);
    }
  });
  return { sha256: hash.digest('hex'), bytes };
}

export function hashFile(file: string): Promise<Digest> {
  return hashStream(fs.createReadStream(file, { highWaterMark: 1 << 20 }));
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
