// Writing the run directory and its manifest: every artifact listed with its SHA-256.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const MANIFEST_FILE = 'run_manifest.json';

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

/** Every file under `dir` except the manifest, sorted, with POSIX relative paths. */
export function listArtifacts(dir: string): Artifact[] {
  const out: Artifact[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && rel !== MANIFEST_FILE) {
        const full = path.join(dir, rel);
        out.push({ path: rel, sha256: sha256File(full), bytes: fs.statSync(full).size });
      }
    }
  };
  walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
