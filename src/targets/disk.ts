// The service's DATA_DIR on a size-limited filesystem (target.disk), mounted for the run and
// unmounted after it. The ledger records the mount before it is made, so that `gameday cleanup`
// (and the next run's sweep) unmounts what a killed run left.
import { DiskDriver } from '../../chaos/disk/driver.ts';
import { LimitedFsUnsupportedError, prepareLimitedFs, releaseLimitedFs, type LimitedFs } from '../../chaos/disk/limited-fs.ts';
import type { Ledger } from '../platform/ledger.ts';
import { OWNER_ENV, ownerMarker } from '../platform/processes.ts';
import { sleep } from '../platform/poll.ts';

export interface DiskEnv {
  dir: string;
  fs: LimitedFs;
  driver: DiskDriver;
  evidence(): Record<string, unknown>;
  /** Unmounts (the service must be stopped: an open file keeps it busy). Idempotent. */
  stop(): Promise<void>;
}


export function prepareDisk(o: { dir: string; sizeMb: number; runId: string; ledger: Ledger; log?: (line: string) => void }): DiskEnv {
  o.ledger.mountCreated(o.dir);
  let mounted: LimitedFs;
  try {
    mounted = prepareLimitedFs({ dir: o.dir, sizeMb: o.sizeMb, mode: 0o777 });
  } catch (err) {
    o.ledger.mountReleased(o.dir);
    const why = err instanceof Error ? err.message : String(err);
    const hint =
      err instanceof LimitedFsUnsupportedError
        ? `run gameday as root (or with CAP_SYS_ADMIN, or with loop devices), or drop target.disk and the disk-full faults from the drill`
        : 'give the service an empty DATA_DIR';
    throw new Error(`target.disk: cannot give DATA_DIR ${o.dir} a ${o.sizeMb} MiB filesystem: ${why}; ${hint}`);
  }
  const driver = new DiskDriver({ runId: o.runId, env: { [OWNER_ENV]: ownerMarker(), GAMEDAY_RUN_ID: o.runId }, onWarning: o.log });
  let stopping: Promise<void> | null = null;
  const stop = async () => {
    // the service was just stopped: its last file handles may take a moment to close (bounded)
    let last: unknown = null;
    for (let attempt = 0; attempt < 25; attempt++) {
      try {
        releaseLimitedFs(mounted);
        o.ledger.mountReleased(o.dir);
        return;
      } catch (err) {
        last = err;
        if (!/busy/i.test(String(err))) break;
        await sleep(200);
      }
    }
    throw new Error(`target.disk: could not unmount ${mounted.dir} (gameday cleanup will retry): ${last instanceof Error ? last.message : String(last)}`);
  };
  return {
    dir: mounted.dir,
    fs: mounted,
    driver,
    evidence: () => ({
      dir: mounted.dir,
      method: mounted.method,
      sizeMb: mounted.sizeMb,
      sizeBytes: mounted.sizeBytes,
      fills: Object.fromEntries(driver.fills),
      reverts: Object.fromEntries(driver.reverts),
    }),
    stop: () => (stopping ??= stop()),
  };
}
