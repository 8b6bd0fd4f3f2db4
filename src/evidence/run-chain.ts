// The ledger of an app's runs: reports/<app>/runs.chain.ndjson, one line per run, each line
// naming the SHA-256 of the line before it. Deleting, reordering or editing a line breaks the
// chain where it happened. The last line has no successor: it is protected by its run's
// manifest (checked when the run directory sits next to the chain) and by the next run's
// signed statement, whose predicate carries previousRunDigest = the digest of that line.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeIssues } from '../schema/load.ts';
import { ChainLine } from '../schema/evidence.ts';
import { MANIFEST_FILE } from './files.ts';
import { sha256Hex } from './layout.ts';

export const CHAIN_FILE = 'runs.chain.ndjson';

export function chainFile(reportsRoot: string, app: string): string {
  return path.join(reportsRoot, app, CHAIN_FILE);
}

/** The digest a line is referred to by: sha256 of its text without the newline. */
export function lineDigest(text: string): string {
  return sha256Hex(text);
}

function splitLines(content: string): string[] {
  const lines = content.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const LOCK_WAIT_MS = 10_000;
const LOCK_STALE_MS = 60_000;

/** An exclusive lock file beside the chain, so that two runs finishing together append one after the other. */
async function withLock<T>(file: string, fn: () => T): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { force: true });
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`${lock}: held by another gameday process for over ${LOCK_WAIT_MS / 1000} s\n  fix: if no other run is finishing, delete the lock file`);
      await sleep(25 + Math.random() * 50);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/**
 * Appends this run to the app's chain and returns the digest of the line before it (null for
 * the app's first run), for the statement's `previousRunDigest`.
 */
export async function appendRun(reportsRoot: string, app: string, runId: string, manifestSha256: string, now: Date = new Date()): Promise<string | null> {
  const file = chainFile(reportsRoot, app);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return withLock(file, () => {
    const content = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const lines = splitLines(content);
    const last = lines.length ? lines[lines.length - 1] : null;
    let seq = lines.length + 1;
    if (last !== null) {
      try {
        seq = ChainLine.parse(JSON.parse(last)).seq + 1;
      } catch {
        /* a damaged last line stays in the chain, and verifyChain reports it */
      }
    }
    const previous = last === null ? null : lineDigest(last);
    const line = JSON.stringify(ChainLine.parse({ seq, runId, manifestSha256, previous, at: now.toISOString() }));
    fs.appendFileSync(file, `${content && !content.endsWith('\n') ? '\n' : ''}${line}\n`);
    return previous;
  });
}

export type ChainProblemKind = 'unreadable' | 'edited' | 'deleted' | 'reordered' | 'manifest-changed';

export interface ChainProblem {
  /** 1-based line number in the chain file */
  line: number;
  problem: ChainProblemKind;
  detail: string;
}

export interface ChainVerdict {
  ok: boolean;
  file: string;
  lines: number;
  /** digest of the last line: what the next run will name as previousRunDigest */
  head: string | null;
  problems: ChainProblem[];
}

/**
 * Checks every link of the chain and names the line where it breaks. Run directories found next
 * to the chain (`runsDir`, default the chain's folder) must still have the manifest the chain recorded.
 */
export function verifyChain(file: string, opts: { runsDir?: string } = {}): ChainVerdict {
  const texts = splitLines(fs.readFileSync(file, 'utf8'));
  const problems: ChainProblem[] = [];
  const flag = (line: number, problem: ChainProblemKind, detail: string) => {
    if (!problems.some((p) => p.line === line && p.problem === problem)) problems.push({ line, problem, detail });
  };
  const digests = texts.map(lineDigest);
  const parsed: Array<ChainLine | null> = texts.map((text, i) => {
    try {
      const r = ChainLine.safeParse(JSON.parse(text));
      if (r.success) return r.data;
      flag(i + 1, 'unreadable', `not a chain line: ${describeIssues(r.error.issues).join('; ')}`);
    } catch {
      flag(i + 1, 'unreadable', 'not JSON: the line was edited or truncated');
    }
    return null;
  });
  const name = (i: number) => `line ${i + 1}${parsed[i] ? ` (run ${parsed[i]!.runId})` : ''}`;

  const edited = new Set<number>();
  parsed.forEach((line, i) => {
    if (!line) return;
    if (i === 0) {
      if (line.previous === null && line.seq !== 1) {
        edited.add(i);
        flag(1, 'edited', `the first line has seq ${line.seq}, expected 1`);
      }
      if (line.previous !== null) {
        const j = digests.indexOf(line.previous);
        if (j >= 0) flag(1, 'reordered', `it follows ${name(j)}, not the start of the chain`);
        else flag(1, 'deleted', `${line.seq > 1 ? `${line.seq - 1} line(s)` : 'lines'} before it were deleted: it follows a line that is no longer there`);
      }
      return;
    }
    const before = parsed[i - 1];
    if (line.previous === digests[i - 1]) {
      // linked to its predecessor: then its own sequence number must follow
      if (before && line.seq !== before.seq + 1) {
        edited.add(i);
        flag(i + 1, 'edited', `seq ${line.seq} does not follow ${before.seq}`);
      }
      return;
    }
    const j = line.previous === null ? -1 : digests.indexOf(line.previous);
    if (j >= 0) flag(i + 1, 'reordered', `it belongs right after ${name(j)}, not after ${name(i - 1)}`);
    else if (edited.has(i - 1) || !before) return; // the line before is already reported
    else if (line.seq > before.seq + 1) flag(i + 1, 'deleted', `${line.seq - before.seq - 1} line(s) deleted between ${name(i - 1)} and ${name(i)}`);
    else if (line.seq === before.seq + 1) {
      edited.add(i - 1);
      flag(i, 'edited', `its content no longer has the digest ${name(i)} recorded for it`);
    } else flag(i + 1, 'reordered', `seq ${line.seq} after seq ${before.seq}`);
  });

  const runsDir = opts.runsDir ?? path.dirname(file);
  parsed.forEach((line, i) => {
    if (!line || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(line.runId)) return;
    const manifest = path.join(runsDir, line.runId, MANIFEST_FILE);
    if (!fs.existsSync(manifest)) return; // runs are deleted by retention; the chain still lists them
    if (sha256Hex(fs.readFileSync(manifest)) !== line.manifestSha256) flag(i + 1, 'manifest-changed', `${path.relative(path.dirname(file), manifest)} is not the manifest the chain recorded`);
  });
  problems.sort((a, b) => a.line - b.line);
  return { ok: problems.length === 0, file, lines: texts.length, head: digests.length ? digests[digests.length - 1] : null, problems };
}
