// The sweep: undoes what earlier, killed runs left behind — their processes (owner marker),
// containers and networks (owner label), and what their ledgers name (proxies, mounts, folders).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sweepOrphanContainers, type ContainerSweep } from '../../chaos/containers/sweep.ts';
import { releaseLimitedFs } from '../../chaos/disk/limited-fs.ts';
import { readMounts } from '../../chaos/disk/mounts.ts';
import { FisDriver } from '../../chaos/fis/driver.ts';
import type { FisSweepReport } from '../../chaos/fis/sweep.ts';
import { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { ledgerFiles, type LedgerRecord } from '../platform/ledger.ts';
import { undoTeamChanges } from './sweep-team.ts';
import { ownerAlive, sweepOrphanProcesses, type SweptProcess } from '../platform/processes.ts';
import { sleep } from '../platform/poll.ts';

export interface SweepReport {
  processes: SweptProcess[];
  proxies: Array<{ runId: string; toxiproxyUrl: string; proxy: string; removed: boolean; error?: string }>;
  /** size-limited filesystems of killed runs, unmounted (with their loop images) */
  mounts: Array<{ runId: string; dir: string; released: boolean; error?: string }>;
  /** working folders of killed runs, removed */
  folders: Array<{ runId: string; dir: string }>;
  /** containers of a docker target a killed run changed, brought back */
  teamContainers?: Array<{ runId: string; container: string; change: string; undone: boolean; error?: string }>;
  /** what killed runs changed on a kubernetes target's cluster, undone (and objects labelled with their run id) */
  kube?: Array<{ runId: string; what: string; undone: boolean; error?: string }>;
  /** gameday's toxics on a team's Toxiproxy, removed (the team's proxies stay) */
  toxics?: Array<{ runId: string; toxiproxyUrl: string; proxy: string; toxic: string; removed: boolean; error?: string }>;
  /** command faults of killed runs, their revert run */
  commands?: Array<{ runId: string; fault: string; reverted: boolean; error?: string }>;
  /** containers and networks (labelled gameday.owner) of killed runs on the Docker engine, removed; no ledger needed */
  containers: ContainerSweep;
  /** AWS FIS experiments of killed runs stopped, their templates deleted (found by the run-id tag, where the ledger says) */
  fis?: FisSweepReport;
}

/** Stops a killed run's FIS experiments and deletes its templates, at the endpoint and in the Regions its ledger names. */
async function sweepFis(runId: string, fis: NonNullable<LedgerRecord['fis']>, into: FisSweepReport): Promise<boolean> {
  const driver = new FisDriver({ runId, specs: {}, clientConfig: fis.endpoint ? { endpoint: fis.endpoint } : {}, pollIntervalMs: 500, stopTimeoutMs: 60_000 });
  try {
    const r = await driver.sweep(runId, fis.regions);
    into.experiments.push(...r.experiments);
    into.templates.push(...r.templates);
    return r.experiments.every((e) => !e.error) && r.templates.every((t) => t.deleted);
  } catch (err) {
    into.experiments.push({ region: fis.regions.join(', '), id: '(unknown)', runId, was: 'unknown', stopped: false, error: String((err as Error).message ?? err) });
    return false;
  }
}

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

/** Whether the sweep found anything at all. */
export function sweptAnything(r: SweepReport): boolean {
  return (r.toxics?.length ?? 0) + (r.commands?.length ?? 0) + (r.teamContainers?.length ?? 0) + (r.kube?.length ?? 0) + r.processes.length + r.proxies.length + r.mounts.length + r.folders.length + r.containers.containers.length + r.containers.networks.length + (r.fis?.experiments.length ?? 0) + (r.fis?.templates.length ?? 0) > 0;
}

/** Each kind of leftover the sweep met: how many it undid and how many it could not. Pure. */
function sweepTally(r: SweepReport): Array<{ what: string; done: number; failed: number }> {
  const tally = <T>(items: readonly T[] | undefined, ok: (x: T) => boolean, what: string) => ({ what, done: (items ?? []).filter(ok).length, failed: (items ?? []).filter((x) => !ok(x)).length });
  return [
    tally(r.processes, () => true, 'process(es)'),
    tally(r.proxies, (p) => p.removed, 'proxy(ies)'),
    tally(r.toxics, (t) => t.removed, 'toxic(s)'),
    tally(r.commands, (c) => c.reverted, 'command revert(s)'),
    tally(r.teamContainers, (c) => c.undone, 'docker fault(s) undone'),
    tally(r.kube, (k) => k.undone, 'kubernetes change(s) undone'),
    tally(r.mounts, (m) => m.released, 'mount(s)'),
    tally(r.containers.containers, (c) => c.removed, 'container(s)'),
    tally(r.containers.networks, (n) => n.removed, 'network(s)'),
    tally(r.fis?.experiments, (e) => !e.error, 'FIS experiment(s)'),
    tally(r.fis?.templates, (t) => t.deleted, 'FIS template(s)'),
    tally(r.folders, () => true, 'folder(s)'),
  ];
}

/** One line naming how much of each kind the sweep removed ("2 process(es), 1 container(s) and 3 folder(s)"). */
export function describeSweep(r: SweepReport): string {
  const parts = sweepTally(r)
    .filter((t) => t.done > 0)
    .map((t) => `${t.done} ${t.what}`);
  if (parts.length === 0) return 'nothing left behind';
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** How many leftovers the sweep found and could not undo (their ledger entries stay). Pure. */
export function sweepFailures(r: SweepReport): number {
  return sweepTally(r).reduce((n, t) => n + t.failed, 0);
}

/** Undoes what earlier, killed runs left behind. Runs whose owner is alive are left alone. */
export async function sweepLeftovers(): Promise<SweepReport> {
  const report: SweepReport = { processes: sweepOrphanProcesses(), proxies: [], mounts: [], folders: [], containers: await sweepOrphanContainers() };
  for (const file of ledgerFiles()) {
    let record: LedgerRecord;
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (ownerAlive(record.owner)) continue;
    let allGone = true;
    const undone = await undoTeamChanges(record);
    if (undone.toxics.length) (report.toxics ??= []).push(...undone.toxics);
    if (undone.commands.length) (report.commands ??= []).push(...undone.commands);
    if (undone.containers.length) (report.teamContainers ??= []).push(...undone.containers);
    if (undone.kube.length) (report.kube ??= []).push(...undone.kube);
    if (!undone.allUndone) allGone = false;
    if (record.toxiproxyUrl) {
      const driver = new ToxiproxyDriver(record.toxiproxyUrl);
      for (const proxy of record.proxies) {
        const outcome = await removeSweptProxy(driver, proxy);
        if (!outcome.removed) allGone = false;
        report.proxies.push({ runId: record.runId, toxiproxyUrl: record.toxiproxyUrl, proxy, ...outcome });
      }
    }
    if (record.fis) {
      report.fis ??= { experiments: [], templates: [] };
      if (!(await sweepFis(record.runId, record.fis, report.fis))) allGone = false;
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
