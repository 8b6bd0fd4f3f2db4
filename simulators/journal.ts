// The simulator journal: one NDJSON line per exchange (src/schema/journal.ts), to a file or in
// memory. Lines are buffered and written together (every 50 ms or 64 KiB), off the request path.
import fs from 'node:fs';
import { JournalEntry } from '../src/schema/journal.ts';

export type { JournalEntry } from '../src/schema/journal.ts';

export interface Journal {
  record(entry: JournalEntry): void;
  close(): Promise<void>;
  readonly count: number;
}

const FLUSH_BYTES = 64 * 1024;
/** lines wait at most this long before they are written */
const FLUSH_MS = 50;

export function openJournal(file: string): Journal {
  const out = fs.createWriteStream(file, { flags: 'a' });
  let count = 0;
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending) return;
    out.write(pending);
    pending = '';
  };
  return {
    record(entry) {
      count++;
      pending += `${JSON.stringify(entry)}\n`;
      if (pending.length >= FLUSH_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        setTimeout(flush, FLUSH_MS);
      }
    },
    close: () =>
      new Promise((resolve) => {
        flush();
        out.end(() => resolve());
      }),
    get count() {
      return count;
    },
  };
}

/** A journal kept in memory (tests, in-process simulators, analysis without a file). */
export function memoryJournal(): Journal & { readonly entries: JournalEntry[] } {
  const entries: JournalEntry[] = [];
  return {
    entries,
    record: (entry) => void entries.push(entry),
    close: async () => {},
    get count() {
      return entries.length;
    },
  };
}

export class JournalFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: not a simulator journal\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'JournalFileError';
  }
}

/**
 * Reads and validates a journal file (NDJSON); problems name the line and the field. The one
 * reader of journals: a last line without its newline is what a killed run leaves (cut off
 * mid-write) and is left out; any other bad line is an error.
 */
export function readJournal(file: string): JournalEntry[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const cutOff = lines.length - 1; // "" when the file ends with a newline
  const entries: JournalEntry[] = [];
  const problems: string[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      if (i === cutOff) return;
      problems.push(`line ${i + 1}: not JSON: each line is one JSON object`);
      return;
    }
    const r = JournalEntry.safeParse(raw);
    if (r.success) entries.push(r.data);
    else for (const issue of r.error.issues) problems.push(`line ${i + 1}: ${issue.path.join('.') || '(line)'}: ${issue.message}`);
  });
  if (problems.length) throw new JournalFileError(file, problems.slice(0, 20));
  return entries;
}
