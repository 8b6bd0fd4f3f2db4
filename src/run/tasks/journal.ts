// Tasks: the run's scratch folder (in the ledger before it exists, so a killed run's is swept),
// and the simulator journal of the run — every exchange written to the run directory and
// kept in memory for judging; closed (flushed) last of all.
import fs from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../context.ts';
import type { Task } from '../tasks.ts';

export const scratchTask: Task<RunContext> = {
  title: 'scratch folder',
  setup(ctx, teardown) {
    teardown('remove the scratch folder and close the ledger', () => {
      // a proxy or mount that could not be undone stays in the ledger for `gameday cleanup`
      const close = () => {
        if (!ctx.keepLedger && ctx.ledger.mounts.length === 0) ctx.ledger.close();
      };
      if (ctx.ledger.mounts.length > 0) {
        fs.rmSync(ctx.scratch, { recursive: true, force: true });
        return close();
      }
      // nothing mounted in it: its files (the SUT's DATA_DIR, thousands on a busy disk take a
      // second) go while the run is judged and sealed; the ledger closes once they are gone, and
      // stays for the next sweep if they cannot be removed
      ctx.finishing.push(
        fs.promises.rm(ctx.scratch, { recursive: true, force: true }).then(close, (err: unknown) => {
          ctx.log(`warning: the scratch folder ${ctx.scratch} could not be removed (the next run's sweep or gameday cleanup will): ${err instanceof Error ? err.message : String(err)}`);
        }),
      );
    });
    ctx.ledger.folderCreated(ctx.scratch);
    fs.mkdirSync(path.join(ctx.scratch, 'data'), { recursive: true });
  },
};

export const journalTask: Task<RunContext> = {
  title: 'simulator journal',
  setup(ctx, teardown) {
    teardown('close the simulator journal', () => ctx.journal.close());
  },
};
