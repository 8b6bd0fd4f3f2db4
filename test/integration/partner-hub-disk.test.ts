// The partner hub on a really full disk: DATA_DIR on a 2 MB tmpfs (mounted as root), filled until
// writes fail with ENOSPC. Healthy: 503 + Retry-After, nothing half-written, the same delivery is
// accepted once space returns. no-disk-handling: 500, and the half-written delivery makes the
// retry look like a duplicate that was never applied.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signWebhook, startHub } from '../../examples/partner-hub/harness.mjs';
import { ownerMarker } from '../../src/platform/processes.ts';
import { tmpDir, needs } from '../helpers.ts';

const SECRET = 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu';
/** the hub's file name for a delivery of partner acme */
const deliveryKey = (id: string) => crypto.createHash('sha256').update(`acme\0${id}`).digest('hex');

function canMount(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  const probe = tmpDir('gameday-hub-mount-probe');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `mount -t tmpfs failed: ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? err}`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const unsupported = needs('a size-limited filesystem (root)', canMount());
if (unsupported) console.warn(`partner hub disk tests skipped: ${unsupported}`);

const base = tmpDir('gameday-hub-disk');
const mounts: string[] = [];

afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', [m], { stdio: 'pipe' });
    } catch {
      try {
        execFileSync('umount', ['-l', m], { stdio: 'pipe' });
      } catch {
        /* reported by the test */
      }
    }
  }
  fs.rmSync(base, { recursive: true, force: true });
});

/** Writes a filler file until the filesystem answers ENOSPC; returns its path. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler.bin');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let i = 0; i < 10_000; i++) {
      try {
        fs.writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        // top up the last partial page
        try {
          for (let j = 0; j < 64; j++) fs.writeSync(fd, chunk.subarray(0, 1024));
        } catch {
          /* full */
        }
        return file;
      }
    }
    throw new Error(`wrote 640 MB into ${dir} without ENOSPC: is it really a 2 MB tmpfs?`);
  } finally {
    fs.closeSync(fd);
  }
}

function tinyWriteFails(dir: string): boolean {
  try {
    fs.writeFileSync(path.join(dir, 'probe'), '1\n');
    fs.rmSync(path.join(dir, 'probe'));
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOSPC';
  }
}

describe('partner hub on a full disk (2 MB tmpfs)', () => {
  for (const variant of ['healthy', 'no-disk-handling'] as const) {
    it.skipIf(unsupported !== null)(`${variant}: ENOSPC → ${variant === 'healthy' ? '503 + Retry-After, accepted once space returns' : '500, and the retry is never applied'}`, async () => {
      const mountPoint = path.join(base, variant);
      fs.mkdirSync(mountPoint);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'pipe' });
      mounts.push(mountPoint);
      const dataDir = path.join(mountPoint, 'hub');
      const h = await startHub({
        dataDir,
        logFile: path.join(base, `${variant}.log`),
        env: {
          GAMEDAY_OWNER: ownerMarker(),
          GAMEDAY_RUN_ID: 'partner-hub-disk-test',
          WEBHOOK_SECRETS: JSON.stringify({ acme: SECRET }),
          ...(variant === 'healthy' ? {} : { DEFECTS: 'no-disk-handling' }),
        },
      });
      try {
        const body = JSON.stringify({ type: 'booking.created', payload: 'x'.repeat(2000) });
        const deliver = () => fetch(`${h.url}/webhooks/acme`, { method: 'POST', headers: signWebhook(SECRET, { id: 'during-full', body }), body });
        const applied = async () => ((await (await fetch(`${h.url}/webhooks/acme/during-full`)).json()) as { applied: number }).applied;
        // a delivery before the disk fills works
        const early = await fetch(`${h.url}/webhooks/acme`, { method: 'POST', headers: signWebhook(SECRET, { id: 'before-full', body }), body });
        expect(early.status).toBe(200);

        const filler = fill(mountPoint);
        expect(tinyWriteFails(mountPoint)).toBe(true);

        const res = await deliver();
        const answer = (await res.json()) as { error: string };
        if (variant === 'healthy') {
          expect(res.status).toBe(503);
          expect(res.headers.get('retry-after')).toBe('1');
          expect(answer.error).toMatch(/ENOSPC/);
          const m = (await (await fetch(`${h.url}/metrics`)).json()) as any;
          expect(m.disk.full).toBe(true);
          expect(m.webhooks.failedDisk).toBe(1);
          // nothing half-written left behind: only the delivery from before the disk filled
          expect(fs.readdirSync(path.join(dataDir, 'webhooks'))).toEqual([deliveryKey('before-full')]);
        } else {
          expect(res.status).toBe(500);
          expect(answer.error).toMatch(/ENOSPC/);
        }
        expect(await applied()).toBe(0);
        // the hub is still up
        expect((await fetch(`${h.url}/healthz`)).status).toBe(200);

        // space returns; the sender retries the same delivery
        fs.rmSync(filler);
        const retry = await deliver();
        if (variant === 'healthy') {
          expect(retry.status).toBe(200);
          expect(await retry.json()).toEqual({ accepted: true });
          expect(await applied()).toBe(1);
          const m = (await (await fetch(`${h.url}/metrics`)).json()) as any;
          expect(m.disk.full).toBe(false);
          expect(m.disk.recoveredAt).not.toBeNull();
        } else {
          // the half-written first attempt is taken for a duplicate: acknowledged, never applied
          expect(retry.status).toBe(200);
          expect(await retry.json()).toEqual({ duplicate: true });
          expect(await applied()).toBe(0);
        }
      } finally {
        await h.stop();
        execFileSync('umount', [mountPoint], { stdio: 'pipe' });
        mounts.splice(mounts.indexOf(mountPoint), 1);
      }
    });
  }
});
