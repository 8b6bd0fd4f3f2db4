// A size-limited filesystem for a SUT's data directory, so that "disk full" fills a small disk
// and not the host's: a tmpfs with size= when mounting is allowed, else a loop-mounted ext4
// image, else an error saying the fault is not supported here (never a fake).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountAt, readMounts, type MountEntry } from './mounts.ts';

/** The tmpfs "device" name: marks a mount as gameday's in /proc/mounts. */
export const TMPFS_SOURCE = 'gameday-limited-fs';
/** Suffix of a loop image's file name: marks a loop mount as gameday's. */
export const IMAGE_SUFFIX = '.gameday-fs.img';

export type LimitedFsMethod = 'tmpfs' | 'loop';

export interface LimitedFs {
  dir: string;
  method: LimitedFsMethod;
  /** size asked for */
  sizeMb: number;
  /** size the filesystem reports (statfs) */
  sizeBytes: number;
  /** the mount's source (tmpfs name or loop device) */
  source: string;
  /** the backing image of a loop mount */
  image: string | null;
  /** false when the mount was already there (prepare called twice) */
  created: boolean;
}

export interface PrepareLimitedFsOptions {
  dir: string;
  sizeMb: number;
  /** 'auto' (default): tmpfs, then loop */
  method?: 'auto' | LimitedFsMethod;
  /** mode of the mounted root directory (default 0o755) */
  mode?: number;
}

/** Thrown when this machine cannot give a directory a size limit: report the fault as unsupported. */
export class LimitedFsUnsupportedError extends Error {
  readonly code = 'GAMEDAY_LIMITED_FS_UNSUPPORTED';
  constructor(
    readonly dir: string,
    readonly attempts: Array<{ method: LimitedFsMethod; error: string }>,
  ) {
    super(
      `cannot mount a size-limited filesystem on ${dir} on this machine (${attempts.map((a) => `${a.method}: ${a.error}`).join('; ')}); ` +
        'the disk-full fault needs root or CAP_SYS_ADMIN (tmpfs) or loop devices (ext4 image)',
    );
    this.name = 'LimitedFsUnsupportedError';
  }
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    const detail = e.stderr?.toString().trim() || e.message;
    throw new Error(`${command} ${args.join(' ')}: ${detail}`);
  }
}

function loopBackingFile(source: string): string | null {
  const m = /^\/dev\/(loop\d+)$/.exec(source);
  if (!m) return null;
  try {
    return fs.readFileSync(`/sys/block/${m[1]}/loop/backing_file`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Whether a mount is one gameday made (a tmpfs named gameday-limited-fs, or a loop mount of a *.gameday-fs.img). */
export function isOwnMount(entry: MountEntry): { own: boolean; method: LimitedFsMethod | null; image: string | null } {
  if (entry.fsType === 'tmpfs' && entry.source === TMPFS_SOURCE) return { own: true, method: 'tmpfs', image: null };
  const backing = loopBackingFile(entry.source);
  if (backing?.endsWith(IMAGE_SUFFIX)) return { own: true, method: 'loop', image: backing };
  return { own: false, method: null, image: null };
}

function imagePath(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}${IMAGE_SUFFIX}`);
}

function describe(dir: string, entry: MountEntry, sizeMb: number, created: boolean): LimitedFs {
  const owner = isOwnMount(entry);
  const stat = fs.statfsSync(dir);
  return {
    dir,
    method: owner.method!,
    sizeMb,
    sizeBytes: stat.blocks * stat.bsize,
    source: entry.source,
    image: owner.image,
    created,
  };
}

function mountTmpfs(dir: string, sizeMb: number, mode: number): void {
  run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=${mode.toString(8)}`, TMPFS_SOURCE, dir]);
}

function mountLoop(dir: string, sizeMb: number, mode: number): void {
  const image = imagePath(dir);
  try {
    const fd = fs.openSync(image, 'w');
    try {
      fs.ftruncateSync(fd, sizeMb * 1024 * 1024); // sparse
    } finally {
      fs.closeSync(fd);
    }
    // -m 0: no blocks reserved for root, so a full disk is full for root too
    run('mkfs.ext4', ['-q', '-F', '-m', '0', '-L', 'gameday', image]);
    run('mount', ['-o', 'loop', image, dir]);
    fs.chmodSync(dir, mode);
  } catch (err) {
    fs.rmSync(image, { force: true });
    throw err;
  }
}

/**
 * Mounts a filesystem of `sizeMb` on `dir` (created if missing; must be empty). Idempotent: a
 * gameday mount already on `dir` is returned as it is. Throws LimitedFsUnsupportedError when
 * neither tmpfs nor a loop mount is possible here.
 */
export function prepareLimitedFs(options: PrepareLimitedFsOptions): LimitedFs {
  const { sizeMb } = options;
  if (!Number.isInteger(sizeMb) || sizeMb < 1 || sizeMb > 65_536) throw new RangeError(`sizeMb must be an integer 1..65536, not ${sizeMb}`);
  fs.mkdirSync(options.dir, { recursive: true });
  const dir = fs.realpathSync(options.dir);
  const mode = options.mode ?? 0o755;

  const existing = mountAt(readMounts(), dir);
  if (existing) {
    if (isOwnMount(existing).own) return describe(dir, existing, sizeMb, false);
    throw new Error(`${dir} is already a mount point (${existing.fsType} from ${existing.source}): gameday does not mount over it`);
  }
  const entries = fs.readdirSync(dir);
  if (entries.length > 0) {
    throw new Error(`${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}): a mount would hide its files; give the SUT an empty data directory`);
  }

  const methods: LimitedFsMethod[] = options.method && options.method !== 'auto' ? [options.method] : ['tmpfs', 'loop'];
  const attempts: Array<{ method: LimitedFsMethod; error: string }> = [];
  for (const method of methods) {
    try {
      if (method === 'tmpfs') mountTmpfs(dir, sizeMb, mode);
      else mountLoop(dir, sizeMb, mode);
      const entry = mountAt(readMounts(), dir);
      if (!entry || !isOwnMount(entry).own) throw new Error(`mount reported success but ${dir} is not a gameday mount`);
      return describe(dir, entry, sizeMb, true);
    } catch (err) {
      attempts.push({ method, error: err instanceof Error ? err.message : String(err) });
    }
  }
  throw new LimitedFsUnsupportedError(dir, attempts);
}

export interface ReleaseResult {
  dir: string;
  unmounted: boolean;
  imageRemoved: boolean;
}

/** Unmounts a gameday mount from `dir` and removes its loop image. Idempotent; refuses mounts gameday did not make. */
export function releaseLimitedFs(target: LimitedFs | { dir: string }): ReleaseResult {
  let dir: string;
  try {
    dir = fs.realpathSync(target.dir);
  } catch {
    return { dir: target.dir, unmounted: false, imageRemoved: false };
  }
  let image = 'image' in target ? target.image : null;
  let unmounted = false;
  const entry = mountAt(readMounts(), dir);
  if (entry) {
    const owner = isOwnMount(entry);
    if (!owner.own) throw new Error(`${dir} is a mount gameday did not make (${entry.fsType} from ${entry.source}): not unmounting it`);
    image = owner.image ?? image;
    run('umount', [dir]);
    if (mountAt(readMounts(), dir)) throw new Error(`${dir} is still mounted after umount`);
    unmounted = true;
  }
  image ??= fs.existsSync(imagePath(dir)) ? imagePath(dir) : null;
  let imageRemoved = false;
  if (image && fs.existsSync(image)) {
    fs.rmSync(image, { force: true });
    imageRemoved = true;
  }
  return { dir, unmounted, imageRemoved };
}

/** Every size-limited filesystem gameday has mounted on this machine (e.g. left behind by a killed run). */
export function listLimitedFs(): Array<{ dir: string; method: LimitedFsMethod; source: string; image: string | null }> {
  return readMounts()
    .map((entry) => ({ entry, owner: isOwnMount(entry) }))
    .filter(({ owner }) => owner.own)
    .map(({ entry, owner }) => ({ dir: entry.mountPoint, method: owner.method!, source: entry.source, image: owner.image }));
}

/** Whether this machine can mount a limited filesystem, tried for real on a scratch directory (synchronous). */
export function limitedFsSupport(method: 'auto' | LimitedFsMethod = 'auto'): { supported: boolean; method: LimitedFsMethod | null; reason: string | null } {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-fsprobe-'));
  const dir = path.join(scratch, 'mnt');
  try {
    const mounted = prepareLimitedFs({ dir, sizeMb: 8, method });
    releaseLimitedFs(mounted);
    return { supported: true, method: mounted.method, reason: null };
  } catch (err) {
    try {
      releaseLimitedFs({ dir });
    } catch {
      /* nothing mounted */
    }
    return { supported: false, method: null, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    // never recurse into a mount that could not be released
    if (!mountAt(readMounts(), fs.realpathSync(scratch) + '/mnt')) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
