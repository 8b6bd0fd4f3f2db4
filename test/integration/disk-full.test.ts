// Disk full on a real size-limited filesystem (tmpfs with size=, or a loop-mounted ext4 image):
// filled to 90 % (statfs), to 100 % (another process gets ENOSPC), reverted, unmounted.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToReach, checkFillPercent, fillDisk, fsUsage, readUsage, revertFill, sweepFillers, FILLER_PREFIX } from '../../chaos/disk/fill.ts';
import { limitedFsSupport, listLimitedFs, prepareLimitedFs, releaseLimitedFs, TMPFS_SOURCE, type LimitedFs } from '../../chaos/disk/limited-fs.ts';
import { mountAt, parseMountInfo, readMounts } from '../../chaos/disk/mounts.ts';
import { tmpDir, needs } from '../helpers.ts';

const support = limitedFsSupport();
const unsupported = needs('a size-limited filesystem (root)', !support.supported && (support.reason ?? 'unsupported')) !== null;
const reason = `a size-limited filesystem cannot be mounted on this machine: ${support.reason}`;
if (unsupported) console.warn(`disk-full tests skipped: ${reason}`);
const loopSupport = limitedFsSupport('loop');
needs('a loop-mounted filesystem (root, losetup)', !loopSupport.supported && (loopSupport.reason ?? 'unsupported'));
const loopReason = `loop-mounted ext4 is not possible here: ${loopSupport.reason}`;

/** A 1 MB write by a separate process (dd), as the SUT would do it: its error text, or "" when it worked. */
function otherProcessWrites(dir: string): string {
  const file = path.join(dir, 'sut-write.bin');
  const r = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', 'count=1', 'conv=fsync'], { encoding: 'utf8' });
  fs.rmSync(file, { force: true });
  return r.status === 0 ? '' : r.stderr;
}

describe('disk pure parts', () => {
  it('computes Use% as df does and the bytes to reach a share', () => {
    const u = fsUsage({ bsize: 4096, blocks: 1000, bfree: 400, bavail: 300 });
    expect(u).toEqual({ totalBytes: 4_096_000, usedBytes: 2_457_600, availBytes: 1_228_800, usedPercent: (600 / 900) * 100 });
    expect(bytesToReach(u, 90)).toBe(Math.ceil(0.9 * 900 * 4096) - 600 * 4096);
    expect(bytesToReach(u, 50)).toBe(0);
    expect(fsUsage({ bsize: 4096, blocks: 10, bfree: 0, bavail: 0 }).usedPercent).toBe(100);
  });

  it('refuses more than 100 % and warns above 95 %', () => {
    expect(() => checkFillPercent(101)).toThrow(RangeError);
    expect(() => checkFillPercent(0)).toThrow(RangeError);
    expect(() => checkFillPercent(Number.NaN)).toThrow(RangeError);
    expect(checkFillPercent(95)).toBeNull();
    expect(checkFillPercent(96)).toMatch(/above 95%/);
    expect(checkFillPercent(100)).toMatch(/above 95%/);
  });

  it('reads mount points from mountinfo, escapes undone, topmost mount wins', () => {
    const text = [
      '22 1 0:21 / / rw,relatime - ext4 /dev/vda rw',
      '40 22 0:35 / /srv/my\\040data rw,relatime shared:5 - tmpfs gameday-limited-fs rw,size=16384k',
      '41 40 7:0 / /srv/my\\040data rw,relatime - ext4 /dev/loop0 rw',
    ].join('\n');
    const entries = parseMountInfo(text);
    expect(entries).toHaveLength(3);
    expect(mountAt(entries, '/srv/my data')).toMatchObject({ fsType: 'ext4', source: '/dev/loop0' });
    expect(mountAt(entries, '/srv')).toBeNull();
  });
});

describe('disk full on a size-limited filesystem', () => {
  const base = tmpDir('gameday-disk');
  const mounted: LimitedFs[] = [];

  afterAll(() => {
    for (const m of mounted) {
      try {
        releaseLimitedFs(m);
      } catch {
        /* reported by the test that unmounts */
      }
    }
    if (!readMounts().some((m) => m.mountPoint.startsWith(fs.realpathSync(base)))) fs.rmSync(base, { recursive: true, force: true });
  });

  it.skipIf(unsupported)(`mounts 16 MB, fills to 90 % and 100 % (ENOSPC for another process), reverts, unmounts [${unsupported ? reason : support.method}]`, async () => {
    const dir = path.join(base, 'data');
    const limited = prepareLimitedFs({ dir, sizeMb: 16 });
    mounted.push(limited);
    expect(limited.created).toBe(true);
    expect(['tmpfs', 'loop']).toContain(limited.method);
    expect(listLimitedFs().map((m) => m.dir)).toContain(limited.dir);
    const entry = mountAt(readMounts(), limited.dir);
    expect(entry).not.toBeNull();
    if (limited.method === 'tmpfs') expect(entry).toMatchObject({ fsType: 'tmpfs', source: TMPFS_SOURCE });
    const empty = readUsage(dir);
    expect(empty.totalBytes).toBeGreaterThan(12 * 1024 * 1024);
    expect(empty.totalBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(empty.usedPercent).toBeLessThan(5);
    // prepare is idempotent
    expect(prepareLimitedFs({ dir, sizeMb: 16 })).toMatchObject({ dir: limited.dir, method: limited.method, created: false });

    const at90 = await fillDisk({ dir, percent: 90, runId: 'run90' });
    expect(at90.verified).toBe(true);
    expect(path.basename(at90.file)).toBe(`${FILLER_PREFIX}run90`);
    expect(at90.warnings).toEqual([]);
    const usage90 = readUsage(dir);
    expect(usage90.usedPercent).toBeGreaterThanOrEqual(90);
    expect(usage90.usedPercent).toBeLessThan(95); // filled to the share asked, not to the brim
    expect(otherProcessWrites(dir)).toBe(''); // 10 % (> 1 MB) still free

    const warnings: string[] = [];
    const at100 = await fillDisk({ dir, percent: 100, runId: 'run90', onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(at100.verified).toBe(true);
    expect(at100.enospcProbe?.result).toBe('ENOSPC');
    expect(readUsage(dir).availBytes).toBe(0);
    expect(readUsage(dir).usedPercent).toBe(100);
    expect(otherProcessWrites(dir)).toMatch(/No space left on device/);

    const reverted = await revertFill(at100);
    expect(reverted).toMatchObject({ removed: true, verified: true });
    expect(reverted.freedBytes).toBeGreaterThanOrEqual(reverted.fillerBytes * 0.9);
    expect(fs.existsSync(at100.file)).toBe(false);
    expect(readUsage(dir).usedPercent).toBeLessThan(5);
    expect(otherProcessWrites(dir)).toBe('');
    expect(await revertFill(at100)).toMatchObject({ removed: false, verified: true }); // idempotent

    expect(releaseLimitedFs(limited)).toMatchObject({ unmounted: true });
    expect(mountAt(readMounts(), limited.dir)).toBeNull();
    expect(listLimitedFs().map((m) => m.dir)).not.toContain(limited.dir);
    expect(releaseLimitedFs(limited)).toMatchObject({ unmounted: false }); // idempotent
    console.log(`disk full: ${limited.method} ${limited.sizeMb} MB (${empty.totalBytes} bytes); 90 % → ${usage90.usedPercent.toFixed(2)} %, 100 % → ENOSPC`);
  });

  it.skipIf(!loopSupport.supported)(`falls back to a loop-mounted ext4 image when asked [${loopSupport.supported ? 'loop' : loopReason}]`, async () => {
    const dir = path.join(base, 'loopdata');
    const limited = prepareLimitedFs({ dir, sizeMb: 16, method: 'loop' });
    mounted.push(limited);
    expect(limited.method).toBe('loop');
    expect(fs.existsSync(limited.image!)).toBe(true);
    expect(mountAt(readMounts(), limited.dir)?.fsType).toBe('ext4');
    const full = await fillDisk({ dir, percent: 100, runId: 'loop' });
    expect(full.verified).toBe(true);
    expect(otherProcessWrites(dir)).toMatch(/No space left on device/);
    expect((await revertFill(full)).verified).toBe(true);
    expect(releaseLimitedFs(limited)).toMatchObject({ unmounted: true, imageRemoved: true });
    expect(fs.existsSync(limited.image!)).toBe(false);
  });

  it.skipIf(unsupported)(`sweeps the fillers earlier runs left behind [${unsupported ? reason : support.method}]`, async () => {
    const dir = path.join(base, 'sweep');
    const limited = prepareLimitedFs({ dir, sizeMb: 16 });
    mounted.push(limited);
    const leftover = await fillDisk({ dir, percent: 50, runId: 'killed-run' });
    const current = await fillDisk({ dir, percent: 60, runId: 'this-run' });
    fs.writeFileSync(path.join(dir, 'sut-state.db'), 'keep me');
    expect(readUsage(dir).usedPercent).toBeGreaterThanOrEqual(60);

    const swept = sweepFillers(dir, 'this-run');
    expect(swept.map((s) => s.file)).toEqual([leftover.file]);
    expect(swept[0].bytes).toBeGreaterThan(0);
    expect(fs.existsSync(leftover.file)).toBe(false);
    expect(fs.existsSync(current.file)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'sut-state.db'))).toBe(true);
    expect(sweepFillers(dir, 'this-run')).toEqual([]); // idempotent
    expect(sweepFillers(dir).map((s) => s.file)).toEqual([current.file]);
    expect(readUsage(dir).usedPercent).toBeLessThan(5);
    expect(releaseLimitedFs(limited).unmounted).toBe(true);
  });

  it.skipIf(unsupported)(`refuses to mount over a non-empty directory or a mount it did not make [${unsupported ? reason : support.method}]`, () => {
    const dir = path.join(base, 'busy');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'existing'), 'x');
    expect(() => prepareLimitedFs({ dir, sizeMb: 16 })).toThrow(/not empty/);
    expect(() => releaseLimitedFs({ dir: '/' })).toThrow(/did not make/);
    expect(() => prepareLimitedFs({ dir: path.join(base, 'big'), sizeMb: 0 })).toThrow(RangeError);
  });
});
