// Before a run writes anything: the state folder (ledgers) and the run folder must be usable.
// Either problem is the user's to fix (GAMEDAY_STATE_DIR, --out): a SetupError, exit 3, nothing run.
import fs from 'node:fs';
import path from 'node:path';
import { stateDir } from './ledger.ts';
import { SetupError, shorten } from './setup-error.mjs';

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);

/** The ledger folder exists and is writable, else a SetupError naming GAMEDAY_STATE_DIR. */
export function checkStateDir(env: NodeJS.ProcessEnv = process.env): void {
  const dir = stateDir();
  const ledgers = path.join(dir, 'ledger');
  try {
    fs.mkdirSync(ledgers, { recursive: true });
    fs.accessSync(ledgers, fs.constants.W_OK);
  } catch (err) {
    const fix = env.GAMEDAY_STATE_DIR ? 'point GAMEDAY_STATE_DIR at a writable folder, or unset it' : 'make it writable, or set GAMEDAY_STATE_DIR to a writable folder';
    throw new SetupError(
      `the state folder ${shorten(dir)} cannot be used (${codeOf(err)}): gameday records there what each run changes so that \`gameday cleanup\` can undo it; ${fix}`,
    );
  }
}

/** Checks the state folder, then creates the run folder; an existing file or unwritable place is a SetupError. */
export function prepareRunDir(runDir: string): void {
  checkStateDir();
  if (fs.existsSync(runDir) && !fs.statSync(runDir).isDirectory()) {
    throw new SetupError(`the run folder ${shorten(runDir)} is an existing file: give --out a folder that does not exist yet (or an earlier run folder); nothing was run`);
  }
  try {
    fs.mkdirSync(runDir, { recursive: true });
  } catch (err) {
    throw new SetupError(`cannot create the run folder ${shorten(runDir)} (${codeOf(err)}): give --out a writable place; nothing was run`);
  }
}
