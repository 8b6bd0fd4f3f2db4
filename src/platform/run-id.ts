// Identity of a run and of the tool that ran it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-files.mjs';

/** package.json's version, so `npm version` reaches `gameday --version` and every manifest. */
export const GAMEDAY_VERSION: string = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version;

/** UTC time first, so run ids sort by age: 20261205T153000Z-a1b2c3 */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}
