// Disk full: a filler file grows until the filesystem's used share reaches the asked percent
// (statfs); verified by statfs and, at 100 %, by another process failing to write 1 MB with ENOSPC.
// Revert removes the filler and checks the space came back; a sweep removes earlier runs' fillers.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const FILLER_PREFIX = '.gameday-filler-';
const MiB = 1024 * 1024;

export interface FsUsage {
  totalBytes: number;
  usedBytes: number;
  /** what an unprivileged write can still use */
  availBytes: number;
  /** used / (used + avail), as df computes Use% (0..100) */
  usedPercent: number;
}

/** Usage from a statfs result (pure). */
export function fsUsage(stat: { bsize: number; blocks: number; bfree: number; bavail: number }): FsUsage {
  const totalBytes = stat.blocks * stat.bsize;
  const usedBytes = (stat.blocks - stat.bfree) * stat.bsize;
  const availBytes = stat.bavail * stat.bsize;
  const usable = usedBytes + availBytes;
  return { totalBytes, usedBytes, availBytes, usedPercent: usable === 0 ? 100 : (usedBytes / usable) * 100 };
}

/** Bytes to add so that the used share reaches `percent` (pure; 0 when it is already there). */
export function bytesToReach(usage: FsUsage, percent: number): number {
  const target = Math.ceil((percent / 100) * (usage.usedBytes + usage.availBytes));
  return Math.max(0, target - usage.usedBytes);
}

export function fillerPath(dir: string, runId: string): string {
  return path.join(dir, `${FILLER_PREFIX}${runId}`);
}

/** Checks a fill percent: throws above 100 (or not positive), returns a warning above 95. */
export function checkFillPercent(percent: number): string | null {
  if (!Number.isFinite(percent) || percent <= 0 || percent > 100) {
    throw new RangeError(`disk fill percent must be in (0, 100], not ${percent}`);
  }
  if (percent > 95) {
    return `filling ${percent}% of the disk: above 95% the SUT and the host may fail to write logs or state, and at 100% a revert can itself fail`;
  }
  return null;
}

export function readUsage(dir: string): FsUsage {
  return fsUsage(fs.statfsSync(dir));
}

export interface FillDiskOptions {
  dir: string;
  percent: number;
  /** names the filler; [A-Za-z0-9_-] (default random) */
  runId?: string;
  /** environment of the process that probes for ENOSPC (the orchestrator adds its owner marker) */
  env?: Record<string, string>;
  onWarning?: (message: string) => void;
}

export interface EnospcProbe {
  /** the error code the probe's 1 MB write got, or "OK" when it succeeded */
  result: string;
  pid: number | null;
}

export interface DiskFill {
  dir: string;
  runId: string;
  file: string;
  percent: number;
  before: FsUsage;
  after: FsUsage;
  /** bytes written into the filler by this call */
  writtenBytes: number;
  /** the filesystem said ENOSPC while filling */
  hitEnospc: boolean;
  /** at 100 %: what another process got writing 1 MB */
  enospcProbe: EnospcProbe | null;
  /** statfs shows at least `percent` used (and, at 100 %, the probe got ENOSPC) */
  verified: boolean;
  warnings: string[];
  filledAt: string;
}

function isEnospc(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOSPC';
}

const PROBE_SCRIPT = `
const fs = require('node:fs');
const file = process.argv[1];
let result = 'OK';
try { fs.writeFileSync(file, Buffer.alloc(1024 * 1024, 1)); } catch (err) { result = err.code || String(err); }
try { fs.unlinkSync(file); } catch {}
process.stdout.write(result);
`;

/** Another process tries to write 1 MB into `dir`; resolves with the error code it got ("OK" if none). */
export function probeWrite(dir: string, env: Record<string, string> = {}): Promise<EnospcProbe> {
  const file = path.join(dir, `.gameday-enospc-probe-${process.pid}-${Date.now()}`);
  return new Promise((resolve, reject) => {
    // its own process group: a Ctrl-C to the run's group must not fail the revert's probe
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT, file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, detached: true });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (err += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fs.rmSync(file, { force: true });
      if (code !== 0 || !out) reject(new Error(`write probe exited with ${code}: ${err.trim()}`));
      else resolve({ result: out.trim(), pid: child.pid ?? null });
    });
  });
}

/**
 * Grows `.gameday-filler-<runId>` in `dir` until statfs shows `percent` used (at 100: until ENOSPC).
 * Idempotent: a second call with the same runId only tops the filler up.
 */
export async function fillDisk(options: FillDiskOptions): Promise<DiskFill> {
  const warning = checkFillPercent(options.percent);
  const warnings = warning ? [warning] : [];
  if (warning) options.onWarning?.(warning);
  const dir = fs.realpathSync(options.dir);
  const runId = (options.runId ?? randomBytes(6).toString('hex')).replace(/[^A-Za-z0-9_-]/g, '_');
  const file = fillerPath(dir, runId);
  const before = readUsage(dir);
  const full = options.percent >= 100;
  const chunk = Buffer.alloc(MiB, 0x47);

  let written = 0;
  let hitEnospc = false;
  const fh = await fs.promises.open(file, 'a');
  try {
    // a few rounds: some filesystems account blocks (and metadata) only once data is synced
    for (let round = 0; round < 5 && !hitEnospc; round++) {
      const usage = readUsage(dir);
      let remaining = full ? usage.availBytes : bytesToReach(usage, options.percent);
      if (remaining <= 0) break;
      let size = MiB;
      // bounded: full MiB chunks, then halving chunk sizes down to 1 byte once ENOSPC is hit
      const maxWrites = Math.ceil(remaining / MiB) + 64;
      for (let i = 0; i < maxWrites && remaining > 0; i++) {
        const length = full ? size : Math.min(size, remaining);
        try {
          const { bytesWritten } = await fh.write(chunk, 0, length);
          written += bytesWritten;
          remaining -= bytesWritten;
          if (full && bytesWritten < length) size = Math.max(1, Math.floor(size / 2));
        } catch (err) {
          if (!isEnospc(err)) throw err;
          hitEnospc = true;
          if (!full || size === 1) break;
          size = Math.max(1, Math.floor(size / 2));
        }
        if (full) remaining = Math.max(remaining, 1); // at 100 %, only ENOSPC ends the fill
      }
      try {
        await fh.sync();
      } catch (err) {
        if (!isEnospc(err)) throw err;
        hitEnospc = true;
      }
    }
  } finally {
    await fh.close();
  }

  const after = readUsage(dir);
  let verified = after.usedPercent >= options.percent;
  let enospcProbe: EnospcProbe | null = null;
  if (full) {
    enospcProbe = await probeWrite(dir, options.env);
    verified = verified && after.availBytes === 0 && enospcProbe.result === 'ENOSPC';
  }
  return {
    dir,
    runId,
    file,
    percent: options.percent,
    before,
    after,
    writtenBytes: written,
    hitEnospc,
    enospcProbe,
    verified,
    warnings,
    filledAt: new Date().toISOString(),
  };
}

export interface FillRevert {
  file: string;
  removed: boolean;
  /** bytes the filler occupied (allocated blocks) */
  fillerBytes: number;
  /** how much more space is available after the removal */
  freedBytes: number;
  after: FsUsage | null;
  /** the filler is gone and (when there was one) at least 90 % of its space is available again */
  verified: boolean;
  revertedAt: string;
}

/** Removes the filler of a run and checks the space is back. Idempotent. */
export async function revertFill(fill: DiskFill | { dir: string; runId: string }): Promise<FillRevert> {
  const file = 'file' in fill ? fill.file : fillerPath(fill.dir, fill.runId);
  let fillerBytes = 0;
  try {
    fillerBytes = fs.statSync(file).blocks * 512;
  } catch {
    const after = fs.existsSync(path.dirname(file)) ? readUsage(path.dirname(file)) : null;
    return { file, removed: false, fillerBytes: 0, freedBytes: 0, after, verified: true, revertedAt: new Date().toISOString() };
  }
  const dir = path.dirname(file);
  const beforeUnlink = readUsage(dir);
  await fs.promises.rm(file, { force: true });
  const after = readUsage(dir);
  const freedBytes = after.availBytes - beforeUnlink.availBytes;
  const verified = !fs.existsSync(file) && freedBytes >= fillerBytes * 0.9;
  return { file, removed: true, fillerBytes, freedBytes, after, verified, revertedAt: new Date().toISOString() };
}

/** Removes the fillers earlier runs left in `dir` (all of them, or all but `keepRunId`'s). Idempotent. */
export function sweepFillers(dir: string, keepRunId?: string): Array<{ file: string; bytes: number }> {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: Array<{ file: string; bytes: number }> = [];
  for (const name of names) {
    if (!name.startsWith(FILLER_PREFIX)) continue;
    if (keepRunId !== undefined && name === `${FILLER_PREFIX}${keepRunId}`) continue;
    const file = path.join(dir, name);
    try {
      const stat = fs.lstatSync(file);
      if (!stat.isFile()) continue;
      fs.rmSync(file, { force: true });
      removed.push({ file, bytes: stat.size });
    } catch {
      /* gone meanwhile */
    }
  }
  return removed;
}
