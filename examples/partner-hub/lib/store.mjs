// Writes to DATA_DIR that either complete or leave nothing behind: a record is written to a
// temporary file, fsynced, then linked (exclusive) or renamed (overwrite) into place. A failed
// write (ENOSPC) removes its temporary file, so the same delivery can be retried once space returns.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The filesystem is full (or the quota is): the caller answers 503 + Retry-After and tries again later. */
export const isDiskFull = (err) => err?.code === 'ENOSPC' || err?.code === 'EDQUOT';

function fsyncDir(dir) {
  let fd;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* some filesystems refuse fsync on a directory: the rename is still atomic */
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeTemp(file, data) {
  const tmp = path.join(path.dirname(file), `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
  let fd;
  try {
    fd = fs.openSync(tmp, 'wx');
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return tmp;
}

/**
 * Writes `data` to `file` completely or not at all. `exclusive`: fails with EEXIST when the
 * file is there already (atomic across processes sharing the directory).
 * @param {string} file @param {Buffer | string} data @param {{ exclusive: boolean }} o
 */
export function writeDurably(file, data, { exclusive }) {
  const tmp = writeTemp(file, data);
  try {
    if (exclusive) fs.linkSync(tmp, file);
    else fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  fsyncDir(path.dirname(file));
}

/** What the hub did before its disk handling: create and write in place (a failed write leaves a half-written file). */
export function writeCarelessly(file, data, { exclusive }) {
  fs.writeFileSync(file, data, { flag: exclusive ? 'wx' : 'w' });
}

/** Removes temporary files a killed process left in `dir`. */
export function sweepTemp(dir) {
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith('.tmp-')) continue;
    const pid = Number(name.split('-')[1]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (err) {
        alive = err?.code === 'EPERM';
      }
    }
    if (!alive) fs.rmSync(path.join(dir, name), { force: true });
  }
}
