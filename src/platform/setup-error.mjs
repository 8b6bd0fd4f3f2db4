// The one error for input a user can fix — a drill or config file, a flag, an environment
// variable (K6_BIN, GAMEDAY_STATE_DIR), the --out folder: nothing was run. The CLI prints its
// message (cause and fix, no stack trace) and exits 3. DrillError (src/schema) extends it.

/** Something the user gave or set up cannot be used; the message names the cause and the fix. */
export class SetupError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'SetupError';
  }
}

/**
 * A value as a message shows it: at most `max` characters, a long one as head…tail.
 * @param {string} value
 * @param {number} [max]
 */
export function shorten(value, max = 80) {
  if (value.length <= max) return value;
  const half = Math.floor((max - 1) / 2);
  return `${value.slice(0, half)}…${value.slice(value.length - half)}`;
}
