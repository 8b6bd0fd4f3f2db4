// Nothing left behind: the harness is SIGKILLed at a random moment (seeded; SEED=<n> replays a
// run) in 10 runs over every driver, then `gameday cleanup` runs. Afterwards no process, listening
// port, proxy, toxic, mount, container, network or gameday-<run id>-* folder of those runs remains.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLimitedFs } from '../../chaos/disk/limited-fs.ts';
import { sleep } from '../../src/platform/poll.ts';
import { DEMO_DRILL, fixture, processesOwnedBy, runCli, startCli, startToxiproxyServer, tmpDir, toxiproxyState, waitFor } from '../helpers.ts';
import { seededRandom } from '../../simulators/random.ts';

const DRILLS = [
  { driver: 'toxiproxy', file: DEMO_DRILL },
  { driver: 'process', file: fixture('pod-kill.yaml') },
  { driver: 'broker', file: fixture('broker-failover.yaml') },
  { driver: 'disk', file: fixture('disk-full.yaml') },
  { driver: 'containers', file: fixture('containers-drill.yaml') },
];
const RUNS = 10;
/** the harness is killed between these two moments after its start (the drills' faults start 3-4 s in) */
const KILL_FROM_MS = 300;
const KILL_TO_MS = 9000;

/** the simulators' seeded generator (mulberry32), so that a failing sequence of kill moments can be replayed */
const seeded = seededRandom;

/** TCP ports the processes `pids` listen on (their socket inodes matched against /proc/net/tcp*). */
function listeningPorts(pids: number[]): number[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    try {
      for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(link);
        if (m) inodes.add(m[1]!);
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return listening().filter((l) => inodes.has(l.inode)).map((l) => l.port);
}

/** Every listening TCP socket of the machine (port and inode). */
function listening(): Array<{ port: number; inode: string }> {
  const found: Array<{ port: number; inode: string }> = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== '0A') continue; // LISTEN
      found.push({ port: parseInt(cols[1]!.split(':')[1]!, 16), inode: cols[9]! });
    }
  }
  return found;
}

const docker = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const labelled = (kind: 'ps' | 'network', runId: string) =>
  docker(kind === 'ps' ? ['ps', '-a', '-q', '--filter', `label=gameday.run=${runId}`] : ['network', 'ls', '-q', '--filter', `label=gameday.run=${runId}`]);

describe('SIGKILL of the harness at random moments, then `gameday cleanup`', () => {
  let toxiproxy: Awaited<ReturnType<typeof startToxiproxyServer>>;
  const seed = Number(process.env.SEED ?? Math.floor(Math.random() * 2 ** 31));

  beforeAll(async () => {
    // a Toxiproxy the test owns (TOXIPROXY_URL): proxies and toxics a killed run left on it stay inspectable
    toxiproxy = await startToxiproxyServer();
    console.log(`kill moments seeded with SEED=${seed}`);
  });
  afterAll(async () => {
    await toxiproxy?.stop();
  });

  for (let i = 0; i < RUNS; i++) {
    const drill = DRILLS[i % DRILLS.length]!;
    it(`run ${i + 1} (${drill.driver} driver): nothing of it remains`, async () => {
      // each run draws from its own seed: a run replays alone (vitest -t) with the same moment
      const killAfterMs = Math.round(KILL_FROM_MS + seeded(seed + i)() * (KILL_TO_MS - KILL_FROM_MS));
      console.log(`run ${i + 1} (${drill.driver}): SIGKILL ${killAfterMs} ms after the start (SEED=${seed})`);
      const stateDir = tmpDir('gameday-state');
      const env = { TOXIPROXY_URL: toxiproxy.url, GAMEDAY_STATE_DIR: stateDir };
      const out = path.join(tmpDir('gameday-sigkill-random'), 'run');
      const run = startCli(['run', drill.file, '--out', out, '--no-progress'], env);
      await sleep(killAfterMs);
      const pid = run.child.pid!;
      const children = processesOwnedBy(pid).map((p) => p.pid);
      const ports = listeningPorts(children);
      // the run's id: its ledger is written before its first folder, mount or proxy
      const ledgerDir = path.join(stateDir, 'ledger');
      const ledgerIds = () => (fs.existsSync(ledgerDir) ? fs.readdirSync(ledgerDir).map((n) => n.replace(/\.json$/, '')) : []);
      const containersBefore = ledgerIds().flatMap((id) => labelled('ps', id).split('\n').filter(Boolean)).length;
      run.child.kill('SIGKILL');
      await run.exit;
      const runIds = ledgerIds();
      const folders = runIds.flatMap((id) => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`gameday-${id}-`)));
      console.log(
        `run ${i + 1}: left ${children.length} process(es), ${ports.length} listening port(s), ${containersBefore} container(s), ${folders.length} folder(s); ledger ${runIds.join(', ') || '(none yet)'}`,
      );

      const cleanup = await runCli(['cleanup'], env);
      expect(cleanup.code, cleanup.stdout + cleanup.stderr).toBe(0);

      await waitFor('the orphans to be gone', () => processesOwnedBy(pid).length === 0, 10_000);
      for (const child of children) expect(fs.existsSync(`/proc/${child}/cmdline`) && processesOwnedBy(pid).some((p) => p.pid === child)).toBe(false);
      const stillListening = new Set(listening().map((l) => l.port));
      expect(ports.filter((p) => stillListening.has(p))).toEqual([]);
      expect(await toxiproxyState(toxiproxy.url)).toEqual({});
      for (const runId of runIds) {
        expect(listLimitedFs().filter((m) => m.dir.includes(`gameday-${runId}-`))).toEqual([]);
        expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`gameday-${runId}-`))).toEqual([]);
        expect(labelled('ps', runId)).toBe('');
        expect(labelled('network', runId)).toBe('');
      }
      expect(fs.existsSync(ledgerDir) ? fs.readdirSync(ledgerDir) : []).toEqual([]);
    }, 90_000);
  }
});
