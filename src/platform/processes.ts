// Child processes of a run (SUT replicas, Toxiproxy, k6): spawned with an owner marker in
// their environment so that a later run can find and kill what a killed run left behind.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { waitFor } from './poll.ts';

export const OWNER_ENV = 'GAMEDAY_OWNER';

/** Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or null if gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** "PID:STARTTIME" of this process: survives PID reuse. */
export function ownerMarker(pid = process.pid): string {
  return `${pid}:${processStartTime(pid) ?? '0'}`;
}

export function ownerAlive(marker: string): boolean {
  const [pid, start] = marker.split(':');
  return processStartTime(Number(pid)) === start;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  label: string;
  child: ChildProcess;
  exited: Promise<Exit>;
  /** set once the process has exited */
  exit: Exit | null;
  /** the most its stop waits after SIGTERM before SIGKILL, whatever grace the caller allows (spawn's `stopGraceMs`) */
  stopGraceMs?: number;
}

export class ProcessGroup {
  private readonly procs: ManagedProcess[] = [];
  private closed = false;

  constructor(private readonly runId: string) {}

  /**
   * Starts `command` in its own process group (detached): a terminal's Ctrl-C reaches the whole
   * foreground group, and the run's children must outlive it until their teardown has reverted
   * the faults that use them. If the run itself is SIGKILLed, the owner marker lets the next
   * run's sweep (or `gameday cleanup`) find and kill them.
   */
  spawn(label: string, command: string, args: string[], spawnOptions: SpawnOptions & { stopGraceMs?: number } = {}): ManagedProcess {
    if (this.closed) throw new Error(`not starting ${label}: the run is shutting down`);
    const { stopGraceMs, ...options } = spawnOptions;
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
      ...options,
      env: { ...process.env, ...options.env, [OWNER_ENV]: ownerMarker(), GAMEDAY_RUN_ID: this.runId },
    });
    const managed: ManagedProcess = { label, child, exit: null, exited: undefined as unknown as Promise<Exit>, ...(stopGraceMs === undefined ? {} : { stopGraceMs }) };
    managed.exited = new Promise<Exit>((resolve) => {
      child.once('error', () => resolve((managed.exit ??= { code: null, signal: null })));
      child.once('exit', (code, signal) => resolve((managed.exit = { code, signal })));
    });
    this.procs.push(managed);
    return managed;
  }

  /** No process starts after this. */
  close(): void {
    this.closed = true;
  }

  /** SIGTERM, then SIGKILL after `graceMs` (or the process's own shorter `stopGraceMs`), to the process and whatever it started in its group. Idempotent. */
  async stop(p: ManagedProcess, graceMs = 3000): Promise<Exit> {
    if (p.exit || p.child.pid === undefined) return p.exited;
    signalGroup(p.child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(p.child, 'SIGKILL'), Math.min(graceMs, p.stopGraceMs ?? graceMs));
    const exit = await p.exited;
    clearTimeout(timer);
    return exit;
  }

  async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all([...this.procs].reverse().map((p) => this.stop(p, graceMs)));
  }

  get running(): ManagedProcess[] {
    return this.procs.filter((p) => !p.exit);
  }
}

/**
 * Sends `signal` to the child's whole process group when it leads one (spawned detached), so that
 * its own children go too; to the child alone otherwise. A group already gone is not an error.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    if (leadsGroup(pid)) process.kill(-pid, signal);
    else child.kill(signal);
  } catch {
    child.kill(signal); // the group is gone: the child may still be there
  }
}

/** Whether `pid` leads its own process group (field 5 of /proc/PID/stat is the group id). */
function leadsGroup(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pid;
  } catch {
    return false;
  }
}

export interface SweptProcess {
  pid: number;
  runId: string | null;
  command: string;
}

/** Kills every process whose gameday owner is no longer alive (left behind by a killed run). */
export function sweepOrphanProcesses(): SweptProcess[] {
  const swept: SweptProcess[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const vars = environ.split('\0');
    const owner = vars.find((v) => v.startsWith(`${OWNER_ENV}=`))?.slice(OWNER_ENV.length + 1);
    if (!owner || ownerAlive(owner)) continue;
    const runId = vars.find((v) => v.startsWith('GAMEDAY_RUN_ID='))?.slice(15) ?? null;
    let command = '';
    try {
      command = fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
    } catch {
      /* gone */
    }
    try {
      process.kill(pid, 'SIGKILL');
      swept.push({ pid, runId, command });
    } catch {
      /* already gone */
    }
  }
  return swept;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx, the process exits, or the time is up. */
export async function waitHealthy(url: string, timeoutMs: number, proc?: ManagedProcess): Promise<void> {
  await waitFor(
    async (note) => {
      if (proc?.exit) throw new Error(`${proc.label} exited (code ${proc.exit.code}, signal ${proc.exit.signal}) before ${url} answered`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return true;
        note(`HTTP ${res.status}`);
      } catch (err) {
        note(err instanceof Error ? err.message : String(err));
      }
      return false;
    },
    { timeoutMs, intervalMs: 100, what: `${url} to become healthy` },
  );
}
