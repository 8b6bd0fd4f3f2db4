// A real NATS JetStream cluster on 127.0.0.1: one nats-server process per node, each with its
// own client, route and monitor port, server_name, store_dir and generated config file.
// Nodes can be SIGKILLed and restarted (same config, same store) to drive a broker failover.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { resolveNatsServer } from './nats-binary.ts';
import { natsNodeConfig, type NatsClusterSpec, type NatsNodeSpec } from './nats-config.ts';
import { freeLoopbackPorts } from './ports.ts';
import { waitFor, WaitTimeoutError, withTimeout } from '../../src/platform/poll.ts';

/** The subset of node's `spawn` the cluster uses; the orchestrator may wrap it (owner marker, process group). */
export type SpawnFn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface StartNatsClusterOptions {
  /** number of nodes (default 3) */
  nodes?: number;
  /** working directory: configs, stores and logs go below it (created if missing) */
  dir: string;
  /** extra environment for every nats-server process (e.g. GAMEDAY_OWNER, GAMEDAY_RUN_ID) */
  env?: Record<string, string>;
  /** defaults to node's child_process.spawn */
  spawn?: SpawnFn;
  /** nats-server binary; default: NATS_SERVER_BIN, PATH, /usr/sbin, /usr/bin */
  bin?: string;
  clusterName?: string;
  /** server_name prefix: nodes are PREFIX1..PREFIXn (default "gameday-n") */
  namePrefix?: string;
  /** how long to wait for every node to be healthy (JetStream meta leader known); default 30 s */
  readyTimeoutMs?: number;
  maxMemoryMb?: number;
  maxFileMb?: number;
  /** per node (by index): the "host:port" advertised to clients (client_advertise), e.g. its Toxiproxy proxy */
  clientAdvertise?: readonly string[];
}

export interface NatsNode {
  name: string;
  /** pid of the current process (of the last one while the node is down) */
  pid: number;
  running: boolean;
  clientUrl: string;
  clusterUrl: string;
  monitorUrl: string;
  storeDir: string;
  configFile: string;
  logFile: string;
}

export interface KilledNode {
  name: string;
  pid: number;
  signal: NodeJS.Signals;
  /** wall clock just before the signal was sent */
  killedAt: Date;
  /** performance.now() just before the signal was sent */
  killedAtMono: number;
  /** performance.now() once the process was seen to exit */
  exitedAtMono: number;
}

export interface NatsCluster {
  readonly name: string;
  readonly dir: string;
  /** client URLs of every node (nats://127.0.0.1:PORT) */
  readonly urls: string[];
  /** a snapshot of the nodes */
  readonly nodes: NatsNode[];
  node(name: string): NatsNode;
  /** Sends `signal` (default SIGKILL) to the node's process and resolves once it has exited. */
  killNode(name: string, signal?: NodeJS.Signals): Promise<KilledNode>;
  /** Starts the node again with the same config and store; resolves once it answers /healthz. Idempotent. */
  restartNode(name: string): Promise<NatsNode>;
  /** Stops every node (SIGTERM, SIGKILL after a grace period) and waits for the exits. Idempotent. */
  stop(): Promise<void>;
}

interface NodeState {
  spec: NatsNodeSpec;
  configFile: string;
  logFile: string;
  child: ChildProcess | null;
  pid: number;
  exited: Promise<void>;
  exit: { code: number | null; signal: NodeJS.Signals | null; error?: string } | null;
}


function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function healthy(monitorPort: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitorPort}/healthz`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.text()).trim();
    return { ok: res.ok, detail: `HTTP ${res.status} ${body}` };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}

export async function startNatsCluster(options: StartNatsClusterOptions): Promise<NatsCluster> {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new RangeError(`nodes must be 1..9, not ${count}`);
  const bin = options.bin ?? resolveNatsServer();
  const spawnFn: SpawnFn = options.spawn ?? nodeSpawn;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const dir = path.resolve(options.dir);
  const prefix = options.namePrefix ?? 'gameday-n';
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });

  const ports = await freeLoopbackPorts(count * 3);
  const spec: NatsClusterSpec = {
    clusterName: options.clusterName ?? 'gameday',
    maxMemoryMb: options.maxMemoryMb ?? 64,
    maxFileMb: options.maxFileMb ?? 256,
    nodes: Array.from({ length: count }, (_, i) => ({
      name: `${prefix}${i + 1}`,
      ports: { client: ports[i * 3], cluster: ports[i * 3 + 1], monitor: ports[i * 3 + 2] },
      storeDir: path.join(dir, `${prefix}${i + 1}`, 'store'),
      ...(options.clientAdvertise?.[i] ? { clientAdvertise: options.clientAdvertise[i] } : {}),
    })),
  };

  const states = new Map<string, NodeState>();
  for (const node of spec.nodes) {
    fs.mkdirSync(node.storeDir, { recursive: true });
    const configFile = path.join(dir, node.name, 'nats-server.conf');
    fs.writeFileSync(configFile, natsNodeConfig(spec, node.name));
    states.set(node.name, {
      spec: node,
      configFile,
      logFile: path.join(dir, 'logs', `${node.name}.log`),
      child: null,
      pid: 0,
      exited: Promise.resolve(),
      exit: { code: null, signal: null },
    });
  }

  let stopping = false;

  const launch = (state: NodeState): void => {
    if (stopping) throw new Error(`not starting ${state.spec.name}: the cluster is stopping`);
    const log = fs.openSync(state.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawnFn(bin, ['-c', state.configFile], {
        stdio: ['ignore', log, log],
        env: { ...process.env, ...options.env },
      });
    } finally {
      fs.closeSync(log);
    }
    state.child = child;
    state.pid = child.pid ?? 0;
    state.exit = null;
    state.exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        state.exit ??= { code: null, signal: null, error: err.message };
        resolve();
      });
      child.once('exit', (code, signal) => {
        state.exit = { code, signal };
        resolve();
      });
    });
  };

  const waitHealthy = async (state: NodeState, timeoutMs: number): Promise<void> => {
    const check = async (note: (detail: string) => void) => {
      if (state.exit) {
        const why = state.exit.error ?? `code ${state.exit.code}, signal ${state.exit.signal}`;
        throw new Error(`nats-server ${state.spec.name} exited (${why}) before it was healthy; log:\n${tail(state.logFile)}`);
      }
      const probe = await healthy(state.spec.ports.monitor);
      note(probe.detail);
      return probe.ok;
    };
    await waitFor(check, { timeoutMs, intervalMs: 200, what: `nats-server ${state.spec.name} to be healthy` }).catch((err: unknown) => {
      throw err instanceof WaitTimeoutError ? new Error(`${err.message}; log:\n${tail(state.logFile)}`) : err;
    });
  };

  const stopNode = async (state: NodeState, graceMs: number): Promise<void> => {
    const child = state.child;
    if (!child || state.exit) return state.exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await state.exited;
    clearTimeout(timer);
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all([...states.values()].map((s) => stopNode(s, 5000)));
  };

  const view = (state: NodeState): NatsNode => ({
    name: state.spec.name,
    pid: state.pid,
    running: state.child !== null && state.exit === null,
    clientUrl: `nats://127.0.0.1:${state.spec.ports.client}`,
    clusterUrl: `nats-route://127.0.0.1:${state.spec.ports.cluster}`,
    monitorUrl: `http://127.0.0.1:${state.spec.ports.monitor}`,
    storeDir: state.spec.storeDir,
    configFile: state.configFile,
    logFile: state.logFile,
  });

  const stateOf = (name: string): NodeState => {
    const state = states.get(name);
    if (!state) throw new Error(`no node named ${name} in cluster ${spec.clusterName} (${[...states.keys()].join(', ')})`);
    return state;
  };

  try {
    for (const state of states.values()) launch(state);
    // /healthz answers 200 once the node is up and JetStream has a meta leader: the cluster formed.
    await Promise.all([...states.values()].map((s) => waitHealthy(s, readyTimeoutMs)));
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    name: spec.clusterName,
    dir,
    urls: spec.nodes.map((n) => `nats://127.0.0.1:${n.ports.client}`),
    get nodes() {
      return [...states.values()].map(view);
    },
    node: (name) => view(stateOf(name)),
    async killNode(name, signal = 'SIGKILL') {
      const state = stateOf(name);
      const child = state.child;
      if (!child || state.exit) throw new Error(`node ${name} is not running`);
      const killedAt = new Date();
      const killedAtMono = performance.now();
      child.kill(signal);
      // a bounded wait whose timer is cleared: a left-over 10 s timer kept an interrupted run alive
      if ((await withTimeout(state.exited.then(() => 'exited' as const), 10_000)) === null) {
        throw new Error(`node ${name} (pid ${state.pid}) did not exit within 10 s of ${signal}`);
      }
      return { name, pid: state.pid, signal, killedAt, killedAtMono, exitedAtMono: performance.now() };
    },
    async restartNode(name) {
      const state = stateOf(name);
      if (!state.child || state.exit) launch(state);
      await waitHealthy(state, readyTimeoutMs);
      return view(state);
    },
    stop,
  };
}
