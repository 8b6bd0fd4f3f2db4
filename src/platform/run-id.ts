// Identity of a run and of the tool that ran it.
import { randomBytes } from 'node:crypto';

export const GAMEDAY_VERSION = '0.1.0';

/** UTC time first, so run ids sort by age: 20261205T153000Z-a1b2c3 */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}
