// The ledger: what a run put into shared systems (proxies and toxics on a Toxiproxy it did
// not start), written before each change, so that `gameday cleanup` can undo it after the
// run was killed; and the size-limited filesystems it mounted (target.disk). Processes need no
// ledger: they carry an owner marker (processes.ts); nor do containers and networks: they carry it
// as a label (chaos/containers/sweep.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sweepOrphanContainers, type ContainerSweep } from '../../chaos/containers/sweep.ts';
import { releaseLimitedFs } from '../../chaos/disk/limited-fs.ts';
import { readMounts } from '../../chaos/disk/mounts.ts';
import { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { ownerAlive, ownerMarker, sweepOrphanProcesses, type SweptProcess } from './processes.ts';

export function stateDir(): string {
  return process.env.GAMEDAY_STATE_DIR ?? path.join(os.homedir(), '.local', 'state', 'gameday');
}

export interface LedgerRecord {
  runId: string;
  owner: string;
  toxiproxyUrl: string | null;
  proxies: string[];
  /** directories a size-limited filesystem was mounted on */
  mounts?: string[];
  /** working folders of the run (broker stores, nginx's directory), removed once its mounts are gone */
  folders?: string[];
}

export class Ledger {
  readonly file: string;
  private readonly record: LedgerRecord;

  constructor(runId: string) {
    const dir = path.join(stateDir(), 'ledger');
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${runId}.json`);
    this.record = { runId, owner: ownerMarker(), toxiproxyUrl: null, proxies: [], mounts: [] };
  }

  private save(): void {
    fs.writeFileSync(this.file, JSON.stringify(this.record, null, 2));
  }

  /** Call before creating a proxy. */
  proxyCreated(toxiproxyUrl: string, proxy: string): void {
    this.record.toxiproxyUrl = toxiproxyUrl;
    this.record.proxies.push(proxy);
    this.save();
  }

  /** Call before mounting a size-limited filesystem on `dir`. */
  mountCreated(dir: string): void {
    (this.record.mounts ??= []).push(dir);
    this.save();
  }

  /** The filesystem on `dir` was unmounted. */
  mountReleased(dir: string): void {
    this.record.mounts = (this.record.mounts ?? []).filter((d) => d !== dir);
    this.save();
  }

  /** Call once a working folder is created (under the system's temp folder, named gameday-*). */
  folderCreated(dir: string): void {
    (this.record.folders ??= []).push(dir);
    this.save();
  }

  get mounts(): readonly string[] {
    return this.record.mounts ?? [];
  }

  get toxiproxyUrl(): string | null {
    return this.record.toxiproxyUrl;
  }

  get proxies(): readonly string[] {
    return this.record.proxies;
  }

  /** Everything was undone: the ledger entry goes. */
  close(): void {
    fs.rmSync(this.file, { force: true });
  }
}

export interface SweepReport {
  processes: SweptProcess[];
  proxies: Array<{ runId: string; toxiproxyUrl: string; proxy: string; removed: boolean; error?: string }>;
  /** size-limited filesystems of killed runs, unmounted (with their loop images) */
  mounts: Array<{ runId: string; dir: string; released: boolean; error?: string }>;
  /** working folders of killed runs, removed */
  folders: Array<{ runId: string; dir: string }>;
  /** containers and networks (labelled gameday.owner) of killed runs on the Docker engine, removed; no ledger needed */
  containers: ContainerSweep;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Unmounts a killed run's filesystem; its processes were just SIGKILLed and may still hold it for a moment (bounded retries). */
async function releaseMount(dir: string): Promise<{ released: boolean; error?: string }> {
  let last = '';
  for (let attempt = 0; attempt < 25; attempt++) {
    try {
      releaseLimitedFs({ dir });
      return { released: true };
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
      if (!/busy/i.test(last)) break;
      await sleep(200);
    }
  }
  return { released: false, error: last };
}

/**
 * Removes one proxy of a killed run. A Toxiproxy that no longer answers took its proxies with it;
 * one the sweep has just SIGKILLed (the run had started its own) may still drop a request while it
 * dies: a connection that breaks is retried (bounded) until it is refused or answers.
 */
async function removeSweptProxy(driver: ToxiproxyDriver, proxy: string): Promise<{ removed: boolean; error?: string }> {
  let last = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await driver.removeProxy(proxy);
      return { removed: true };
    } catch (err) {
      const cause = String((err as Error & { cause?: unknown }).cause ?? '');
      if (/ECONNREFUSED/.test(cause)) return { removed: true, error: 'server gone' };
      last = `${String(err)}${cause ? ` (${cause})` : ''}`;
      if (!(err instanceof TypeError)) break; // an HTTP answer: the server is there and said no
      await sleep(200);
    }
  }
  return { removed: false, error: last };
}

/** Undoes what earlier, killed runs left behind. Runs whose owner is alive are left alone. */
export async function sweepLeftovers(): Promise<SweepReport> {
  const report: SweepReport = { processes: sweepOrphanProcesses(), proxies: [], mounts: [], folders: [], containers: await sweepOrphanContainers() };
  const dir = path.join(stateDir(), 'ledger');
  if (!fs.existsSync(dir)) return report;
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const file = path.join(dir, name);
    let record: LedgerRecord;
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (ownerAlive(record.owner)) continue;
    let allGone = true;
    if (record.toxiproxyUrl) {
      const driver = new ToxiproxyDriver(record.toxiproxyUrl);
      for (const proxy of record.proxies) {
        const outcome = await removeSweptProxy(driver, proxy);
        if (!outcome.removed) allGone = false;
        report.proxies.push({ runId: record.runId, toxiproxyUrl: record.toxiproxyUrl, proxy, ...outcome });
      }
    }
    for (const dir of record.mounts ?? []) {
      const r = await releaseMount(dir);
      report.mounts.push({ runId: record.runId, dir, ...r });
      if (!r.released) allGone = false;
    }
    for (const dir of allGone ? (record.folders ?? []) : []) {
      // only gameday's own temp folders, and never one with something still mounted inside
      if (!path.basename(dir).startsWith('gameday-') || path.dirname(dir) !== os.tmpdir() || !fs.existsSync(dir)) continue;
      if (readMounts().some((m) => m.mountPoint.startsWith(`${dir}/`))) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      report.folders.push({ runId: record.runId, dir });
    }
    if (allGone) fs.rmSync(file, { force: true });
  }
  return report;
}
