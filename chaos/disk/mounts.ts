// Reading /proc/self/mountinfo (pure parsing, plus one reader at the edge).
import fs from 'node:fs';

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  options: string;
}

/** Undoes the octal escapes the kernel uses in mountinfo paths (\040 space, \011 tab, \012 newline, \134 backslash). */
export function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Every mount in a mountinfo text, in order (later entries are mounted on top of earlier ones). */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    entries.push({
      mountPoint: unescapeMountPath(fields[4]),
      options: fields[5],
      fsType: fields[dash + 1],
      source: unescapeMountPath(fields[dash + 2]),
    });
  }
  return entries;
}

/** The topmost mount at exactly `dir`, or null when `dir` is not a mount point. */
export function mountAt(entries: readonly MountEntry[], dir: string): MountEntry | null {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].mountPoint === dir) return entries[i];
  return null;
}

export function readMounts(): MountEntry[] {
  return parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
}
