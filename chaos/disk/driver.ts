// Disk driver: disk-full as a drill fault, on a size-limited filesystem gameday mounted (never the
// host's disk). inject grows a filler until statfs shows `percent` used (at 100 %: until another
// process gets ENOSPC); revert removes it and checks the space came back. Reverting twice is safe.
import fs from 'node:fs';
import type { FaultDriver, FaultRequest, InjectedFault } from '../driver.ts';
import { fillDisk, fillerPath, readUsage, revertFill, type DiskFill, type FillRevert } from './fill.ts';
import { isOwnMount } from './limited-fs.ts';
import { mountAt, readMounts } from './mounts.ts';

export interface DiskDriverOptions {
  /** names the fillers (with the fault's name) */
  runId: string;
  /** environment of the ENOSPC probe process (owner marker, so a sweep finds it) */
  env?: Record<string, string>;
  onWarning?: (message: string) => void;
}

export class DiskDriver implements FaultDriver {
  readonly name = 'disk' as const;
  /** fault name → what the fill did, and what the revert did */
  readonly fills = new Map<string, DiskFill>();
  readonly reverts = new Map<string, FillRevert>();

  constructor(private readonly opts: DiskDriverOptions) {}

  private fillId(request: FaultRequest): string {
    return `${this.opts.runId}-${request.name}`.replace(/[^A-Za-z0-9_-]/g, '_');
  }

  /** Only a filesystem gameday mounted for the run may be filled. */
  private checkDir(dir: string): string {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch (err) {
      throw new Error(`disk-full target ${dir} does not exist: ${(err as Error).message}`);
    }
    const entry = mountAt(readMounts(), real);
    if (!entry || !isOwnMount(entry).own) throw new Error(`refusing to fill ${real}: it is not a size-limited filesystem gameday mounted (target.disk)`);
    return real;
  }

  async inject(request: FaultRequest): Promise<InjectedFault> {
    if (request.action !== 'disk-full') throw new Error(`the disk driver does not support "${request.action}"`);
    if (request.targets.length === 0) throw new Error(`fault ${request.name} selects no directory`);
    const percent = request.params.percent ?? 100;
    const injected: InjectedFault = { request, applied: [] };
    for (const target of request.targets) {
      const dir = this.checkDir(target);
      const fill = await fillDisk({ dir, percent, runId: this.fillId(request), env: this.opts.env, onWarning: this.opts.onWarning });
      this.fills.set(request.name, fill);
      injected.applied.push({ target: dir, ref: fill.file });
      if (!fill.verified) {
        const probe = fill.enospcProbe ? `, another process's 1 MB write: ${fill.enospcProbe.result}` : '';
        throw new Error(`${dir} is ${fill.after.usedPercent.toFixed(1)}% used after filling, not ${percent}%${probe}`);
      }
    }
    return injected;
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    for (const target of request.targets) {
      let dir: string;
      try {
        dir = fs.realpathSync(target);
      } catch {
        continue; // the filesystem is gone, and its filler with it
      }
      const result = await revertFill({ dir, runId: this.fillId(request) });
      if (result.removed) this.reverts.set(request.name, result);
      if (fs.existsSync(fillerPath(dir, this.fillId(request)))) throw new Error(`the filler ${result.file} is still there after removing it`);
      if (!result.verified) {
        throw new Error(`removing ${result.file} freed ${result.freedBytes} bytes of its ${result.fillerBytes}: ${readUsage(dir).usedPercent.toFixed(1)}% of ${dir} still used`);
      }
    }
  }
}
