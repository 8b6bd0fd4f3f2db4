// The simulator journal: one NDJSON line per request a partner simulator answered.
import fs from 'node:fs';

export interface JournalEntry {
  /** wall clock, ISO 8601 */
  time: string;
  /** monotonic ms (performance.now) of this process, for gaps between attempts */
  mono: number;
  partner: string;
  method: string;
  path: string;
  /** logical call id sent by the client (x-request-id), if any */
  requestId: string | null;
  /** attempt number sent by the client (x-attempt), if any */
  attempt: number | null;
  status: number;
  retryAfter: number | null;
  /** index of the behaviour that answered, in the partner's timeline */
  behaviour: number;
}

export interface Journal {
  record(entry: JournalEntry): void;
  close(): Promise<void>;
  readonly count: number;
}

export function openJournal(file: string): Journal {
  const out = fs.createWriteStream(file, { flags: 'a' });
  let count = 0;
  return {
    record(entry) {
      count++;
      out.write(`${JSON.stringify(entry)}\n`);
    },
    close: () => new Promise((resolve) => out.end(() => resolve())),
    get count() {
      return count;
    },
  };
}
