// The poll/sleep helper, the ledger recording a folder before it exists, and the sweep's summary line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/platform/ledger.ts';
import { sleep, waitFor, WaitTimeoutError, withTimeout } from '../../src/platform/poll.ts';
import { describeSweep, sweepFailures, sweptAnything, type SweepReport } from '../../src/run/sweep.ts';

describe('poll', () => {
  it('waitFor resolves with the first value that is not false, null or undefined', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls < 3 ? false : { calls }), { timeoutMs: 5000, intervalMs: 1, what: 'three calls' });
    expect(value).toEqual({ calls: 3 });
  });

  it('waitFor names what did not happen and the last note', async () => {
    const err = await waitFor(
      (note) => {
        note('HTTP 503');
        return false;
      },
      { timeoutMs: 30, intervalMs: 5, what: 'the hub to answer /healthz' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toBe('timed out after 30 ms waiting for the hub to answer /healthz (last: HTTP 503)');
  });

  it('waitFor does not retry an exception of the check', async () => {
    let calls = 0;
    const check = () => {
      calls++;
      throw new Error('the replica exited');
    };
    await expect(waitFor(check, { timeoutMs: 1000, what: 'x' })).rejects.toThrow('the replica exited');
    expect(calls).toBe(1);
  });

  it('sleep and waitFor stop when the signal aborts', async () => {
    const ac = new AbortController();
    ac.abort(new Error('SIGINT'));
    await expect(sleep(10_000, ac.signal)).rejects.toThrow();
    await expect(waitFor(() => false, { timeoutMs: 10_000, what: 'x', signal: ac.signal })).rejects.toThrow('SIGINT');
  });

  it('withTimeout gives the value, or null once the time is up', async () => {
    expect(await withTimeout(Promise.resolve(7), 1000)).toBe(7);
    expect(await withTimeout(new Promise(() => undefined), 5)).toBeNull();
  });
});

describe('ledger folders', () => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-state-'));
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makeFolder records the folder in the ledger before creating it', () => {
    process.env.GAMEDAY_STATE_DIR = state;
    const ledger = new Ledger('20990101T000000Z-test01');
    const realMkdir = fs.mkdirSync;
    let recordedFirst: boolean | null = null;
    // observe the ledger file at the moment the folder is created
    fs.mkdirSync = ((p: fs.PathLike, o?: fs.MakeDirectoryOptions) => {
      if (String(p).startsWith(path.join(os.tmpdir(), 'gameday-20990101T000000Z-test01-'))) {
        recordedFirst = (JSON.parse(fs.readFileSync(ledger.file, 'utf8')).folders as string[]).includes(String(p));
      }
      return realMkdir(p, o);
    }) as typeof fs.mkdirSync;
    try {
      const dir = ledger.makeFolder('lb');
      made.push(dir);
      expect(path.basename(dir)).toMatch(/^gameday-20990101T000000Z-test01-lb-[0-9a-f]{8}$/);
      expect(fs.statSync(dir).isDirectory()).toBe(true);
      expect(recordedFirst).toBe(true);
    } finally {
      fs.mkdirSync = realMkdir;
      ledger.close();
      delete process.env.GAMEDAY_STATE_DIR;
    }
  });
});

describe('sweep summary', () => {
  const empty: SweepReport = { processes: [], proxies: [], mounts: [], folders: [], containers: { containers: [], networks: [] } };

  it('says nothing was left when nothing was', () => {
    expect(sweptAnything(empty)).toBe(false);
    expect(describeSweep(empty)).toBe('nothing left behind');
  });

  it('names containers, networks and folders too', () => {
    const r: SweepReport = {
      ...empty,
      processes: [{ pid: 1, runId: 'r', command: 'k6' }],
      folders: [{ runId: 'r', dir: '/tmp/gameday-r-1' }, { runId: 'r', dir: '/tmp/gameday-r-2' }],
      containers: {
        containers: [{ id: 'c', name: 'hub', runId: 'r', removed: true }],
        networks: [{ id: 'n', name: 'net', runId: 'r', removed: true }],
      },
    };
    expect(sweptAnything(r)).toBe(true);
    expect(describeSweep(r)).toBe('1 process(es), 1 container(s), 1 network(s) and 2 folder(s)');
  });

  it('names the FIS experiments and templates of killed runs', () => {
    const fis = { experiments: [{ region: 'us-east-1', id: 'EXP1', runId: 'r', was: 'running', now: 'stopped', stopped: true }], templates: [{ region: 'us-east-1', id: 'EXT1', runId: 'r', deleted: true }] };
    expect(sweptAnything({ ...empty, fis })).toBe(true);
    expect(describeSweep({ ...empty, fis })).toBe('1 FIS experiment(s) and 1 FIS template(s)');
    expect(sweepFailures({ ...empty, fis })).toBe(0);
  });

  it('counts as removed only what was undone, and the rest as failures', () => {
    const r: SweepReport = {
      ...empty,
      kube: [{ runId: 'r', what: 'cordon of node a', undone: false, error: 'connect ECONNREFUSED' }, { runId: 'r', what: 'NetworkPolicy p', undone: true }],
      toxics: [{ runId: 'r', toxiproxyUrl: 'http://127.0.0.1:1', proxy: 'db', toxic: 't', removed: false, error: 'gone' }],
    };
    expect(sweptAnything(r)).toBe(true);
    expect(describeSweep(r)).toBe('1 kubernetes change(s) undone');
    expect(sweepFailures(r)).toBe(2);
    expect(describeSweep({ ...empty, kube: [r.kube![0]!] })).toBe('nothing left behind');
  });
});
