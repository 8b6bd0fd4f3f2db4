// The command driver of a run: commands run in the drill's folder, output in logs/, each
// fault's revert in the ledger before its inject runs (a kill -9 leaves it to the sweep).
import { CommandDriver } from '../../../chaos/command-driver.ts';
import type { RunContext } from '../context.ts';

export function commandDriver(ctx: RunContext): CommandDriver {
  const cwd = ctx.loaded.dir;
  return new CommandDriver({
    logDir: ctx.logDir,
    cwd,
    beforeInject: (fault, revert, logFile) => ctx.ledger.commandInjecting({ fault, revert: { argv: revert.argv, timeout: revert.timeout, shell: revert.shell }, cwd, logFile }),
    reverted: (fault) => ctx.ledger.commandReverted(fault),
  });
}
