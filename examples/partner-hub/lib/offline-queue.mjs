// The offline queue: events the broker could not take (unreachable, partitioned away) wait on
// disk in DATA_DIR/offline/<replica>/, one file per event named by a sequence number, and are
// published in that order once the broker is back. A file is removed only after the broker's
// PubAck, so a crash loses nothing: the next start finds the files and drains them.
import fs from 'node:fs';
import path from 'node:path';
import { sweepTemp, writeDurably } from './store.mjs';

const NAME = /^(\d{16})\.json$/;

export class OfflineQueue {
  /** @param {string} root DATA_DIR/offline  @param {string} replica */
  constructor(root, replica) {
    this.root = root;
    this.dir = path.join(root, replica.replace(/[^A-Za-z0-9_-]/g, '_'));
    fs.mkdirSync(this.dir, { recursive: true });
    sweepTemp(this.dir);
    /** @type {string[]} file names, oldest first */
    this.names = fs
      .readdirSync(this.dir)
      .filter((n) => NAME.test(n))
      .sort();
    this.nextSeq = this.names.length > 0 ? Number(NAME.exec(this.names.at(-1))[1]) + 1 : 1;
    this.enqueuedTotal = 0;
    this.drainedTotal = 0;
  }

  get length() {
    return this.names.length;
  }

  /** Appends one event durably (throws ENOSPC and friends; then nothing was added). */
  append(event) {
    const name = `${String(this.nextSeq).padStart(16, '0')}.json`;
    writeDurably(path.join(this.dir, name), JSON.stringify(event), { exclusive: true });
    this.nextSeq++;
    this.names.push(name);
    this.enqueuedTotal++;
  }

  /** The oldest event, or null. */
  peek() {
    const name = this.names[0];
    if (!name) return null;
    return { name, event: JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8')) };
  }

  /** Removes the oldest event (after the broker acknowledged it). */
  shift(name) {
    if (this.names[0] !== name) throw new Error(`offline queue: ${name} is not the oldest entry`);
    fs.rmSync(path.join(this.dir, name), { force: true });
    this.names.shift();
    this.drainedTotal++;
  }

  /** Events waiting in the offline queues of every replica sharing DATA_DIR. */
  totalAcrossReplicas() {
    let total = 0;
    let dirs = [];
    try {
      dirs = fs.readdirSync(this.root, { withFileTypes: true }).filter((d) => d.isDirectory());
    } catch {
      return this.length;
    }
    for (const d of dirs) {
      try {
        total += fs.readdirSync(path.join(this.root, d.name)).filter((n) => NAME.test(n)).length;
      } catch {
        /* removed meanwhile */
      }
    }
    return total;
  }
}
