// The evidence bundle: a signed run directory packed into one deterministic zip.
//
// Same files → same bytes, on any host: entries sorted by the byte order of their UTF-8 paths;
// no directory entries; every entry mode 0644, DOS time 1980-01-01 00:00:00 and no extended
// timestamp field (so neither the files' mtimes nor the host's time zone reach the archive);
// entries stored, not deflated: deflate output depends on the zlib build and CPU features
// (Chromium's zlib in Node picks its hash by CPU), and the largest file, k6_samples.ndjson.gz,
// is compressed already. `gameday verify` rebuilds this canonical form from the bundle's
// contents and compares it byte for byte, so a change to any byte of the archive is found.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { ENVELOPE_FILE, isBundleFile, PUBLIC_KEY_FILE, walkRunDir, type Digest } from './layout.ts';

export interface PackEntry {
  /** relative POSIX path in the archive */
  path: string;
  size: number;
  open: () => Readable | Promise<Readable>;
}

/** DOS date/time fields are written from local-time getters: build the date in local time, per call. */
function dosEpoch(): Date {
  return new Date(1980, 0, 1, 0, 0, 0, 0);
}

export const ENTRY_MODE = 0o100644;

/** The canonical zip stream of `entries` (which must already be sorted). */
export function packEntries(entries: readonly PackEntry[]): Readable {
  const zip = new ZipFile();
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  zip.on('error', (err: Error) => out.destroy(err));
  const mtime = dosEpoch();
  for (const e of entries) {
    zip.addReadStreamLazy(e.path, { mtime, mode: ENTRY_MODE, compress: false, forceDosTimestamp: true, size: e.size }, (cb) => {
      Promise.resolve()
        .then(e.open)
        .then(
          (stream) => cb(null, stream),
          (err) => cb(err, undefined as unknown as NodeJS.ReadableStream),
        );
    });
  }
  zip.outputStream.on('error', (err: Error) => out.destroy(err));
  zip.outputStream.pipe(out);
  zip.end();
  return out;
}

export interface BundleInfo extends Digest {
  file: string;
  entries: string[];
}

/**
 * Packs the signed run directory into `outFile` (conventionally `bundleFileName(app)` inside
 * the run directory; bundles there are never packed into bundles). The run must be signed
 * (attestRun) first.
 */
export async function writeBundle(runDir: string, outFile: string): Promise<BundleInfo> {
  const root = path.resolve(runDir);
  const target = path.resolve(outFile);
  const files = walkRunDir(root).filter((f) => !isBundleFile(f.path) && path.join(root, f.path) !== target);
  for (const f of files) {
    if (f.kind !== 'file') throw new Error(`${path.join(root, f.path)}: a ${f.kind === 'symlink' ? 'symbolic link' : 'special file'} cannot be packed\n  fix: replace it with a regular file or remove it, then sign the run again`);
  }
  for (const needed of [ENVELOPE_FILE, PUBLIC_KEY_FILE]) {
    if (!files.some((f) => f.path === needed)) throw new Error(`${root}: ${needed} is missing: the run is not signed\n  fix: sign it (attestRun) before packing the bundle`);
  }
  const entries: PackEntry[] = files.map((f) => ({ path: f.path, size: f.bytes, open: () => fs.createReadStream(path.join(root, f.path), { highWaterMark: 1 << 20 }) }));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  const hash = createHash('sha256');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(packEntries(entries), count, fs.createWriteStream(tmp));
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return { file: target, sha256: hash.digest('hex'), bytes, entries: entries.map((e) => e.path) };
}
