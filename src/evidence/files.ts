// Writing the run directory and its manifest: every artifact listed with its SHA-256.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RUN_FILES } from '../schema/run-dir.ts';
import { walkRunDir } from './layout.ts';

export const MANIFEST_FILE = RUN_FILES.manifest;

export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export interface Artifact {
  path: string;
  sha256: string;
  bytes: number;
}

/** Every file under `dir` except the manifest, in the run directory's one order (layout.ts walkRunDir). */
export function listArtifacts(dir: string): Artifact[] {
  return walkRunDir(dir)
    .filter((f) => f.kind === 'file' && f.path !== MANIFEST_FILE)
    .map((f) => ({ path: f.path, sha256: sha256File(path.join(dir, f.path)), bytes: f.bytes }));
}
