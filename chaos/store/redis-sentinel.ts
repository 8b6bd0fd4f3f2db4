// A real Redis with Sentinel on 127.0.0.1: one primary, its replicas and a quorum of sentinels,
// each a redis-server process (Debian's redis-server; a sentinel is `redis-server CONF --sentinel`)
// with its own port, config and log in the run's working folder. A node can be SIGKILLed and
// started again with the same config; Sentinel's own log says when it switched the primary.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freeLoopbackPorts } from '../broker/ports.ts';
import { signalGroup, type ManagedProcess, type ProcessGroup } from '../../src/platform/processes.ts';
import { waitFor, WaitTimeoutError, withTimeout } from '../../src/platform/poll.ts';

export interface StartRedisSentinelOptions {
  /** configs, data and logs go below it */
  dir: string;
  group: ProcessGroup;
  /** replicas of the primary (default 2) */
  replicas?: number;
  /** sentinels (default 3); the quorum is a majority of them */
  sentinels?: number;
  /** the name Sentinel monitors the primary under (default "gameday") */
  masterName?: string;
  /** how long a primary may not answer before a sentinel calls it down (default 1000 ms) */
  downAfterMs?: number;
  /** Sentinel's failover-timeout (default 5000 ms) */
  failoverTimeoutMs?: number;
  /** how long to wait for the set to be monitored with every replica and sentinel known (default 30 s) */
  readyTimeoutMs?: number;
  /** redis-server binary (default: REDIS_SERVER_BIN, else redis-server on PATH) */
  bin?: string;
  /**
   * per data node (primary first): the port on 127.0.0.1 everyone else reaches it at, e.g. its
   * Toxiproxy proxy. Replicas replicate through it, sentinels monitor it, and clients asking the
   * sentinels are given it; a network fault on it isolates the node for real.
   */
  announcePorts?: readonly number[];
  /** called with the data nodes' own ports (primary first) before any starts: point their proxies at them */
  beforeStart?: (redisPorts: number[]) => Promise<void>;
}

export interface RedisNode {
  name: string;
  role: 'redis' | 'sentinel';
  port: number;
  /** where the others reach it (its own port unless announced elsewhere) */
  announcedPort: number;
  pid: number;
  running: boolean;
  logFile: string;
}

export interface KilledRedisNode {
  name: string;
  port: number;
  pid: number;
  killedAt: Date;
  killedAtMono: number;
  exitedAtMono: number;
}

export interface RedisSentinelSet {
  readonly masterName: string;
  readonly dir: string;
  readonly nodes: RedisNode[];
  /** the data nodes' ports, primary first as started */
  readonly redisPorts: number[];
  readonly sentinelPorts: number[];
  /** the primary as the sentinels' majority names it now */
  primary(): Promise<{ host: string; port: number }>;
  /** the data node listening on, or announced at, `port` */
  nodeAt(port: number): RedisNode;
  /** SIGKILL, resolves once the process has exited */
  killNode(name: string): Promise<KilledRedisNode>;
  /**
   * starts the node again with its config (a data node as a replica of `replicaOf`, the port the
   * primary is reached at, when given); resolves once it answers PING. Idempotent.
   */
  restartNode(name: string, o?: { replicaOf?: number }): Promise<RedisNode>;
  /** resolves once the sentinels see `replicas` replicas up and linked (after a failover, the old primary rejoined) */
  waitSettled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface NodeState {
  name: string;
  role: 'redis' | 'sentinel';
  port: number;
  announcedPort: number;
  config: string;
  logFile: string;
  proc: ManagedProcess | null;
}

export function redisNodeConfig(o: { port: number; dir: string; logFile: string; replicaOf?: number; announcePort?: number }): string {
  return [
    `port ${o.port}`,
    'bind 127.0.0.1',
    'protected-mode no',
    // Redis rewrites its process title over the environment block, where the run's owner marker
    // is: without this the sweep could not find a killed run's redis-servers
    'set-proc-title no',
    `dir ${o.dir}`,
    `logfile ${o.logFile}`,
    'save ""',
    'appendonly no',
    // a replica that (re)joins gets the primary's data at once, not after the default 5 s wait
    'repl-diskless-sync-delay 0',
    ...(o.replicaOf ? [`replicaof 127.0.0.1 ${o.replicaOf}`] : []),
    ...(o.announcePort ? ['replica-announce-ip 127.0.0.1', `replica-announce-port ${o.announcePort}`] : []),
    '',
  ].join('\n');
}

/**
 * A sentinel's config. `myId` and the set it is part of (`replicaPorts`, the other sentinels'
 * ports and ids) are what a sentinel otherwise learns by itself — the replicas from the primary's
 * INFO, the other sentinels from their hello messages every 2 s — and writes into this file as
 * `known-replica` / `known-sentinel`: declared up front, every sentinel knows the whole set the
 * moment it starts. Pure.
 */
export function sentinelConfig(o: {
  port: number;
  dir: string;
  logFile: string;
  masterName: string;
  primaryPort: number;
  quorum: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
  myId?: string;
  replicaPorts?: readonly number[];
  otherSentinels?: ReadonlyArray<{ port: number; id: string }>;
}): string {
  return [
    `port ${o.port}`,
    'bind 127.0.0.1',
    'protected-mode no',
    'set-proc-title no',
    `dir ${o.dir}`,
    `logfile ${o.logFile}`,
    ...(o.myId ? [`sentinel myid ${o.myId}`] : []),
    `sentinel monitor ${o.masterName} 127.0.0.1 ${o.primaryPort} ${o.quorum}`,
    `sentinel down-after-milliseconds ${o.masterName} ${o.downAfterMs}`,
    `sentinel failover-timeout ${o.masterName} ${o.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${o.masterName} 1`,
    ...(o.replicaPorts ?? []).map((p) => `sentinel known-replica ${o.masterName} 127.0.0.1 ${p}`),
    ...(o.otherSentinels ?? []).map((s) => `sentinel known-sentinel ${o.masterName} 127.0.0.1 ${s.port} ${s.id}`),
    '',
  ].join('\n');
}

/** A sentinel's run id as Redis makes one: 40 hex characters. */
export const sentinelId = (): string => randomBytes(20).toString('hex');

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** One short-lived connection: the reply of one command, or the error's message. */
async function ask(port: number, command: string, ...args: string[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, connectTimeout: 1000, commandTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/** Sentinel's flat [k1, v1, k2, v2, ...] replies as objects. */
function pairs(flat: unknown): Record<string, string> {
  const list = Array.isArray(flat) ? (flat as string[]) : [];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]] = list[i + 1];
  return out;
}

export async function startRedisSentinel(o: StartRedisSentinelOptions): Promise<RedisSentinelSet> {
  const replicas = o.replicas ?? 2;
  const sentinels = o.sentinels ?? 3;
  if (replicas < 1) throw new RangeError(`a failover needs at least one replica, not ${replicas}`);
  if (sentinels < 1) throw new RangeError(`at least one sentinel, not ${sentinels}`);
  const masterName = o.masterName ?? 'gameday';
  const bin = o.bin ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const dir = path.resolve(o.dir);
  const readyTimeoutMs = o.readyTimeoutMs ?? 30_000;
  const ports = await freeLoopbackPorts(1 + replicas + sentinels);
  const redisPorts = ports.slice(0, 1 + replicas);
  const sentinelPorts = ports.slice(1 + replicas);
  const states = new Map<string, NodeState>();
  const announced = (i: number) => o.announcePorts?.[i] ?? redisPorts[i];
  const add = (name: string, role: NodeState['role'], port: number, announcedPort: number, configText: (nodeDir: string, logFile: string) => string) => {
    const nodeDir = path.join(dir, name);
    fs.mkdirSync(nodeDir, { recursive: true });
    const logFile = path.join(nodeDir, `${name}.log`);
    const config = path.join(nodeDir, `${name}.conf`); // sentinels rewrite theirs: it stays writable here
    fs.writeFileSync(config, configText(nodeDir, logFile));
    states.set(name, { name, role, port, announcedPort, config, logFile, proc: null });
  };
  redisPorts.forEach((port, i) =>
    add(`redis-${i + 1}`, 'redis', port, announced(i), (d, log) => redisNodeConfig({ port, dir: d, logFile: log, replicaOf: i === 0 ? undefined : announced(0), announcePort: o.announcePorts?.[i] })),
  );
  const sentinelIds = sentinelPorts.map(() => sentinelId());
  const replicaPorts = redisPorts.slice(1).map((_, i) => announced(i + 1));
  sentinelPorts.forEach((port, i) =>
    add(`sentinel-${i + 1}`, 'sentinel', port, port, (d, log) =>
      sentinelConfig({
        port,
        dir: d,
        logFile: log,
        masterName,
        primaryPort: announced(0),
        quorum: Math.floor(sentinels / 2) + 1,
        downAfterMs: o.downAfterMs ?? 1000,
        failoverTimeoutMs: o.failoverTimeoutMs ?? 5000,
        myId: sentinelIds[i],
        replicaPorts,
        otherSentinels: sentinelPorts.flatMap((p, j) => (j === i ? [] : [{ port: p, id: sentinelIds[j] }])),
      }),
    ),
  );

  let stopping = false;
  const launch = (s: NodeState, replicaOf?: number): void => {
    if (stopping) throw new Error(`not starting ${s.name}: the set is stopping`);
    const args = s.role === 'sentinel' ? [s.config, '--sentinel'] : replicaOf ? [s.config, '--replicaof', '127.0.0.1', String(replicaOf)] : [s.config];
    s.proc = o.group.spawn(`redis ${s.name}`, bin, args, { cwd: path.dirname(s.config) });
  };
  const running = (s: NodeState) => s.proc !== null && s.proc.exit === null;
  const waitPing = (s: NodeState, timeoutMs: number) =>
    waitFor(
      async (note) => {
        if (s.proc?.exit) throw new Error(`${s.name} exited (code ${s.proc.exit.code}, signal ${s.proc.exit.signal}) before it answered; log:\n${tail(s.logFile)}`);
        const reply = await ask(s.port, 'PING').catch((err: Error) => err.message);
        note(String(reply));
        return reply === 'PONG';
      },
      { timeoutMs, intervalMs: 50, what: `${s.name} on 127.0.0.1:${s.port} to answer PING` },
    );
  const waitLinked = (s: NodeState, timeoutMs: number) =>
    waitFor(
      async (note) => {
        if (s.proc?.exit) throw new Error(`${s.name} exited (code ${s.proc.exit.code}, signal ${s.proc.exit.signal}) before it synced; log:\n${tail(s.logFile)}`);
        const info = String(await ask(s.port, 'INFO', 'replication').catch((err: Error) => err.message));
        const link = /master_link_status:(\w+)/.exec(info)?.[1] ?? info.trim().split('\n')[0];
        note(`master_link_status ${link}`);
        return link === 'up';
      },
      { timeoutMs, intervalMs: 50, what: `${s.name} on 127.0.0.1:${s.port} to sync with the primary` },
    );
  const sentinelView = async (port: number) => {
    const master = pairs(await ask(port, 'SENTINEL', 'MASTER', masterName));
    const replicaList = ((await ask(port, 'SENTINEL', 'REPLICAS', masterName)) as unknown[]).map(pairs);
    return { master, replicaList };
  };
  const waitSettled = async (timeoutMs = readyTimeoutMs): Promise<void> => {
    await waitFor(
      async (note) => {
        for (const port of sentinelPorts) {
          const { master, replicaList } = await sentinelView(port).catch(() => ({ master: {} as Record<string, string>, replicaList: [] as Record<string, string>[] }));
          const up = replicaList.filter((r) => !/s_down|o_down|disconnected/.test(r.flags ?? '') && r['master-link-status'] === 'ok');
          note(`sentinel :${port}: primary ${master.port ?? '?'} flags ${master.flags ?? '?'}, ${up.length}/${replicas} replicas linked, ${master['num-other-sentinels'] ?? '?'} other sentinels`);
          if (master.flags !== 'master' || up.length < replicas || Number(master['num-other-sentinels']) < sentinels - 1) return false;
        }
        return true;
      },
      { timeoutMs, intervalMs: 200, what: `the sentinels to see the primary "${masterName}" with ${replicas} linked replicas and ${sentinels} sentinels` },
    );
  };

  const stop = async () => {
    stopping = true;
    await Promise.all([...states.values()].map((s) => (s.proc ? o.group.stop(s.proc, 3000) : undefined)));
  };
  const view = (s: NodeState): RedisNode => ({ name: s.name, role: s.role, port: s.port, announcedPort: s.announcedPort, pid: s.proc?.child.pid ?? 0, running: running(s), logFile: s.logFile });
  const stateOf = (name: string): NodeState => {
    const s = states.get(name);
    if (!s) throw new Error(`no node named ${name} (${[...states.keys()].join(', ')})`);
    return s;
  };

  try {
    await o.beforeStart?.(redisPorts);
    for (const s of states.values()) if (s.role === 'redis') launch(s);
    for (const s of states.values()) if (s.role === 'redis') await waitPing(s, readyTimeoutMs);
    // the sentinels after the replicas have synced: a sentinel that finds a replica's link still
    // down asks it again only after its 10-s INFO period, and the set would wait that long
    for (const s of states.values()) if (s.role === 'redis' && s.name !== 'redis-1') await waitLinked(s, readyTimeoutMs);
    for (const s of states.values()) if (s.role === 'sentinel') launch(s);
    await waitSettled();
  } catch (err) {
    await stop();
    if (err instanceof WaitTimeoutError) {
      const logs = [...states.values()].map((s) => `--- ${s.name}\n${tail(s.logFile, 6)}`).join('\n');
      throw new Error(`${err.message}\n${logs}`);
    }
    throw err;
  }

  return {
    masterName,
    dir,
    redisPorts,
    sentinelPorts,
    get nodes() {
      return [...states.values()].map(view);
    },
    async primary() {
      const votes = new Map<string, number>();
      for (const port of sentinelPorts) {
        const reply = (await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName).catch(() => null)) as [string, string] | null;
        if (reply) votes.set(`${reply[0]}:${reply[1]}`, (votes.get(`${reply[0]}:${reply[1]}`) ?? 0) + 1);
      }
      const [best] = [...votes.entries()].sort((a, b) => b[1] - a[1]);
      if (!best) throw new Error(`no sentinel answers for "${masterName}"`);
      const [host, port] = best[0].split(':');
      return { host, port: Number(port) };
    },
    nodeAt(port) {
      const s = [...states.values()].find((x) => x.role === 'redis' && (x.port === port || x.announcedPort === port));
      if (!s) throw new Error(`no data node on port ${port}`);
      return view(s);
    },
    async killNode(name) {
      const s = stateOf(name);
      if (!s.proc || !running(s)) throw new Error(`${name} is not running`);
      const killedAt = new Date();
      const killedAtMono = performance.now();
      signalGroup(s.proc.child, 'SIGKILL');
      if ((await withTimeout(s.proc.exited, 10_000)) === null) throw new Error(`${name} (pid ${s.proc.child.pid}) did not exit within 10 s of SIGKILL`);
      return { name, port: s.port, pid: s.proc.child.pid ?? 0, killedAt, killedAtMono, exitedAtMono: performance.now() };
    },
    async restartNode(name, restart = {}) {
      const s = stateOf(name);
      if (!running(s)) launch(s, restart.replicaOf);
      await waitPing(s, readyTimeoutMs);
      return view(s);
    },
    waitSettled,
    stop,
  };
}
