// A real Kafka in KRaft mode on 127.0.0.1: 3 combined broker/controller nodes (one JVM each, the
// org.apache.kafka jars of kafka-runtime.ts), their storage formatted with one cluster id, each
// with its own config, data and server.log in the run's working folder. The controller quorum is a
// dynamic one (KIP-853): the first node is formatted as a quorum of one, which elects itself at
// once instead of waiting out a first election (1–2 s of controller.quorum.election.timeout.ms),
// and the others join it as voters. Ready means every node is registered and a voter, and a topic
// with replication factor 3 and min.insync.replicas 2 has an ISR of 3: from then on it is the same
// 3-voter quorum as a static one, with Kafka's default election timings. A node can be SIGKILLed
// and started again on its data; the brokers' own logs say when a partition got its new leader
// (kafka-log.ts).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freeLoopbackPorts } from '../broker/ports.ts';
import { classArchivePath, ensureClassArchive } from './kafka-cds.ts';
import { ensureKafkaRuntime, type KafkaRuntime } from './kafka-runtime.ts';
import { askKafka, jvmFlags, kafkaLog4j2 } from './kafka-tool.ts';
import { signalGroup, type ManagedProcess, type ProcessGroup } from '../../src/platform/processes.ts';
import { sleep, withTimeout } from '../../src/platform/poll.ts';

export interface StartKafkaKraftOptions {
  /** configs, data and logs go below it */
  dir: string;
  group: ProcessGroup;
  /** combined broker/controller nodes (default 3) */
  nodes?: number;
  /** each node's heap (default 256 MB) */
  heapMb?: number;
  /**
   * how long the controller waits for a broker's heartbeat before it fences it and moves its
   * partitions' leadership (broker.session.timeout.ms; Kafka's default 9000)
   */
  sessionTimeoutMs?: number;
  /** broker.heartbeat.interval.ms (Kafka's default 2000; default here: a third of the session timeout, at most 2000) */
  heartbeatMs?: number;
  /**
   * how long a follower waits before it fetches again after an error (replica.fetch.backoff.ms;
   * Kafka's default 1000). A follower that asks the new leader before that leader has taken over
   * gets an error and waits this long, and with acks=all no write is acknowledged until it is back:
   * the default adds about a second to the failover.
   */
  replicaFetchBackoffMs?: number;
  /** the topic that proves the cluster ready (default "gameday-ready") */
  readyTopic?: string;
  /** topics created with the ready topic, in the same request (replication factor = nodes, min.insync.replicas 2) */
  topics?: readonly string[];
  /** how long the nodes may take to be ready (default 120 s: three JVMs on two cores) */
  readyTimeoutMs?: number;
  /** the runtime to use (default: ensureKafkaRuntime(), which fetches the jars if needed) */
  runtime?: KafkaRuntime;
  /** make the JVMs' class-data archive first if the runtime has none (default true; kafka-cds.ts) */
  classArchive?: boolean;
  /** more JVM flags for the nodes (not the formatting or the client program) */
  nodeJvmFlags?: readonly string[];
  /**
   * each node formats its own storage in its own JVM before it starts (GamedayKafka node; default
   * true). False: a JVM of its own formats each storage first and the nodes run kafka.Kafka on the
   * jars alone — what the class-data archive is made with (a JVM writing one cannot have a class
   * folder on its class path).
   */
  selfFormat?: boolean;
  /** how long a node's stop waits after SIGTERM before SIGKILL (default NODE_STOP_GRACE_MS) */
  stopGraceMs?: number;
}

export interface KafkaNode {
  name: string;
  nodeId: number;
  /** the PLAINTEXT (client and inter-broker) listener */
  port: number;
  controllerPort: number;
  pid: number;
  running: boolean;
  /** Kafka's own log (server, controller, state changes) */
  logFile: string;
  /** the JVM's stdout and stderr */
  outFile: string;
}

export interface KilledKafkaNode {
  name: string;
  nodeId: number;
  pid: number;
  killedAt: Date;
  killedAtMono: number;
  exitedAtMono: number;
}

export interface PartitionState {
  partition: number;
  /** -1 when the partition has no leader */
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicState {
  topic: string;
  /** registered (unfenced) brokers */
  brokers: number[];
  /** the active controller's node id, -1 when unknown */
  controller: number;
  /** the controller quorum's voters (empty when unknown) */
  voters: number[];
  partitions: PartitionState[];
}

export interface KafkaCluster {
  readonly version: string;
  readonly dir: string;
  readonly clusterId: string;
  readonly runtime: KafkaRuntime;
  /** the run's processes: the nodes and every client program started for them */
  readonly group: ProcessGroup;
  /** host:port,... of every node */
  readonly bootstrap: string;
  readonly nodes: KafkaNode[];
  /** starting the nodes (each formats its storage) → ready, in ms (the runtime's preparation is not in it) */
  readonly startupMs: number;
  /** the controller quorum's voters when it was ready: every node */
  readonly voters: number[];
  node(nameOrId: string | number): KafkaNode;
  /** creates the topic (replication factor = nodes, min.insync.replicas 2) if absent; resolves once its ISR is whole */
  ensureTopic(topic: string, o?: { minInsync?: number; timeoutMs?: number }): Promise<TopicState>;
  describe(topic: string): Promise<TopicState>;
  /** resolves once every partition of `topic` has a leader and an ISR of `size` */
  waitIsr(topic: string, size: number, timeoutMs?: number): Promise<TopicState>;
  /** SIGKILL, resolves once the JVM has exited */
  killNode(name: string): Promise<KilledKafkaNode>;
  /** starts the node again on its data; resolves once it is registered again. Idempotent. */
  restartNode(name: string): Promise<KafkaNode>;
  /** the resident memory of the running nodes' JVMs, summed (from /proc) */
  residentBytes(): number;
  stop(): Promise<void>;
}

/** server.properties of one combined broker/controller node. Pure. */
export function kafkaNodeConfig(o: { nodeId: number; port: number; controllerPort: number; controllers: string; dataDir: string; nodes: number; sessionTimeoutMs: number; heartbeatMs: number; replicaFetchBackoffMs?: number }): string {
  const rf = Math.min(3, o.nodes);
  const minIsr = Math.min(2, rf);
  return [
    'process.roles=broker,controller',
    `node.id=${o.nodeId}`,
    // a dynamic quorum (KIP-853): the voters are in the metadata log, not in the config; a node finds
    // the leader through these. No controller.quorum.auto.join.enable: an observer would wait
    // controller.quorum.fetch.timeout.ms (2 s) before asking to join; the ready check adds them at once
    `controller.quorum.bootstrap.servers=${o.controllers}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${o.dataDir}`,
    `broker.session.timeout.ms=${o.sessionTimeoutMs}`,
    `broker.heartbeat.interval.ms=${o.heartbeatMs}`,
    `replica.fetch.backoff.ms=${o.replicaFetchBackoffMs ?? 1000}`,
    // durable by default: what the probe measures is a cluster that does not trade loss for speed
    `default.replication.factor=${rf}`,
    `min.insync.replicas=${minIsr}`,
    `offsets.topic.replication.factor=${rf}`,
    'offsets.topic.num.partitions=3',
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=3',
    `share.coordinator.state.topic.replication.factor=${rf}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    'unclean.leader.election.enable=false',
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    // few threads: three nodes share two cores
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    'num.replica.fetchers=1',
    'num.recovery.threads.per.data.dir=1',
    'log.cleaner.threads=1',
    // the cleaner's dedupe buffer is allocated on the heap at start (128 MB by default, which alone
    // needs a heap over 192 MB); the compacted topics here are a few MB at most
    'log.cleaner.dedupe.buffer.size=16777216',
    '',
  ].join('\n');
}

/** A new cluster id: a random UUID as Kafka writes it (URL-safe base64, no padding, not starting with "-"). */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface NodeState {
  name: string;
  nodeId: number;
  /** how its storage is formatted: the first controller a quorum of one, the others to join it */
  quorum: 'standalone' | 'join';
  port: number;
  controllerPort: number;
  config: string;
  log4j: string;
  logFile: string;
  outFile: string;
  proc: ManagedProcess | null;
}

/**
 * How long a node's stop waits after SIGTERM (also when the run's process group stops everything):
 * none. SIGTERM starts a controlled shutdown, which waits for a controller quorum that the other
 * nodes stopping at the same time take away, so it never finished before the SIGKILL (2 s, or the
 * run's 3 s, spent for nothing); the data is scratch, removed once the nodes are gone, and
 * Kafka's log file is written line by line, so a SIGKILL loses nothing of it.
 */
export const NODE_STOP_GRACE_MS = 0;

export async function startKafkaKraft(o: StartKafkaKraftOptions): Promise<KafkaCluster> {
  const count = o.nodes ?? 3;
  if (count < 1) throw new RangeError(`at least one node, not ${count}`);
  const heapMb = o.heapMb ?? 256;
  const sessionTimeoutMs = o.sessionTimeoutMs ?? 9000;
  const heartbeatMs = o.heartbeatMs ?? Math.min(2000, Math.max(100, Math.floor(sessionTimeoutMs / 3)));
  const readyTimeoutMs = o.readyTimeoutMs ?? 120_000;
  const stopGraceMs = o.stopGraceMs ?? NODE_STOP_GRACE_MS;
  const dir = path.resolve(o.dir);
  let rt = o.runtime ?? (await ensureKafkaRuntime());
  if (!rt.classArchive && o.classArchive !== false) {
    // once per Kafka version and Java runtime: a single node started and stopped cleanly writes it
    const base = rt;
    const classArchive = await ensureClassArchive(classArchivePath(rt), async (nodeJvmFlags) => {
      const trainingDir = path.join(path.resolve(o.dir), 'class-archive');
      try {
        const one = await startKafkaKraft({ dir: trainingDir, group: o.group, nodes: 1, runtime: base, classArchive: false, selfFormat: false, nodeJvmFlags, stopGraceMs: 60_000, readyTimeoutMs: o.readyTimeoutMs });
        await one.stop();
      } finally {
        fs.rmSync(trainingDir, { recursive: true, force: true });
      }
    });
    rt = { ...rt, classArchive };
  }
  const started = performance.now(); // the start-up, not the jars' download
  const clusterId = newClusterId();
  const ports = await freeLoopbackPorts(2 * count);
  const controllers = Array.from({ length: count }, (_, i) => `127.0.0.1:${ports[count + i]}`).join(',');
  const states = new Map<string, NodeState>();
  for (let i = 0; i < count; i++) {
    const name = `kafka-${i + 1}`;
    const nodeDir = path.join(dir, name);
    fs.mkdirSync(nodeDir, { recursive: true });
    const s: NodeState = {
      name,
      nodeId: i + 1,
      quorum: i === 0 ? 'standalone' : 'join',
      port: ports[i],
      controllerPort: ports[count + i],
      config: path.join(nodeDir, 'server.properties'),
      log4j: path.join(nodeDir, 'log4j2.properties'),
      logFile: path.join(nodeDir, 'server.log'),
      outFile: path.join(nodeDir, 'jvm.out'),
      proc: null,
    };
    fs.writeFileSync(s.config, kafkaNodeConfig({ nodeId: s.nodeId, port: s.port, controllerPort: s.controllerPort, controllers, dataDir: path.join(nodeDir, 'data'), nodes: count, sessionTimeoutMs, heartbeatMs, replicaFetchBackoffMs: o.replicaFetchBackoffMs }));
    fs.writeFileSync(s.log4j, kafkaLog4j2(s.logFile));
    states.set(name, s);
  }
  const bootstrap = [...states.values()].map((s) => `127.0.0.1:${s.port}`).join(',');

  const selfFormat = o.selfFormat ?? true;
  const formatArgs = (s: NodeState) => ({ 'cluster-id': clusterId, config: s.config, quorum: s.quorum });
  /** a node's JVM, its output appended to jvm.out */
  const nodeJvm = (s: NodeState): ManagedProcess => {
    const out = fs.openSync(s.outFile, 'a');
    const flags = [...jvmFlags(heapMb, rt.classArchive), ...(o.nodeJvmFlags ?? []), `-Dlog4j2.configurationFile=${s.log4j}`];
    // the jars first: the class-data archive was made with them as the class path, and must be its start
    const main = selfFormat ? ['-cp', `${rt.classpath}${path.delimiter}${rt.toolClasses}`, 'GamedayKafka', 'node', ...Object.entries(formatArgs(s)).flatMap(([k, v]) => [`--${k}`, v])] : ['-cp', rt.classpath, 'kafka.Kafka', s.config];
    try {
      return o.group.spawn(`kafka ${s.name}`, rt.java, [...flags, ...main], { cwd: path.dirname(s.config), stdio: ['ignore', out, out], stopGraceMs });
    } finally {
      fs.closeSync(out);
    }
  };
  if (!selfFormat) {
    // every node's storage formatted with the one cluster id (what kafka-storage.sh format does) first
    await Promise.all(
      [...states.values()].map((s) =>
        askKafka(o.group, rt, 'format', formatArgs(s), 60_000).catch((err: Error) => {
          throw new Error(`formatting the storage of ${s.name} failed: ${err.message}`);
        }),
      ),
    );
  }

  let stopping = false;
  const running = (s: NodeState) => s.proc !== null && s.proc.exit === null;
  const launch = (s: NodeState): void => {
    if (stopping) throw new Error(`not starting ${s.name}: the cluster is stopping`);
    s.proc = nodeJvm(s);
  };
  const view = (s: NodeState): KafkaNode => ({ name: s.name, nodeId: s.nodeId, port: s.port, controllerPort: s.controllerPort, pid: s.proc?.child.pid ?? 0, running: running(s), logFile: s.logFile, outFile: s.outFile });
  const stateOf = (nameOrId: string | number): NodeState => {
    const s = [...states.values()].find((x) => x.name === nameOrId || x.nodeId === nameOrId);
    if (!s) throw new Error(`no Kafka node ${nameOrId} (${[...states.keys()].join(', ')})`);
    return s;
  };
  /** an admin answer, or the log of a node that died meanwhile */
  const ask = async <T>(command: string, args: Record<string, string | number>, timeoutMs: number): Promise<T> => {
    try {
      return await askKafka<T>(o.group, rt, command, { bootstrap, ...args }, timeoutMs + 15_000);
    } catch (err) {
      const dead = [...states.values()].filter((s) => s.proc?.exit && !stopping);
      if (dead.length === 0) throw err;
      throw new Error(`${(err as Error).message}\n${dead.map((s) => `${s.name} exited (code ${s.proc!.exit!.code}, signal ${s.proc!.exit!.signal}); ${s.outFile}:\n${tail(s.outFile)}\n${s.logFile}:\n${tail(s.logFile, 6)}`).join('\n')}`);
    }
  };
  // the controllers that join the first one's quorum (added as voters by the ready check)
  const joiners = [...states.values()].filter((s) => s.quorum === 'join').map((s) => `${s.nodeId}@127.0.0.1:${s.controllerPort}`);
  const ensureTopic = (topic: string, t: { minInsync?: number; timeoutMs?: number; also?: readonly string[]; voters?: readonly string[] } = {}) =>
    ask<TopicState>('topic', { topic, nodes: count, 'replication-factor': Math.min(3, count), 'min-isr': t.minInsync ?? Math.min(2, count), 'timeout-ms': t.timeoutMs ?? readyTimeoutMs, ...(t.also?.length ? { also: t.also.join(',') } : {}), ...(t.voters?.length ? { voters: t.voters.join(',') } : {}) }, t.timeoutMs ?? readyTimeoutMs);
  const waitIsr = (topic: string, size: number, timeoutMs = 60_000) => ask<TopicState>('wait-isr', { topic, size, 'timeout-ms': timeoutMs }, timeoutMs);

  const stop = async () => {
    stopping = true;
    await Promise.all([...states.values()].map((s) => (s.proc ? o.group.stop(s.proc, stopGraceMs) : undefined)));
  };

  let ready: TopicState;
  try {
    for (const s of states.values()) launch(s);
    // a node that dies while starting (out of memory, a port taken) ends the wait at once, with its output
    let starting = true;
    const died = new Promise<never>((_, reject) => {
      for (const s of states.values())
        void s.proc!.exited.then((e) => {
          if (starting && !stopping) reject(new Error(`${s.name} exited (code ${e.code}, signal ${e.signal}) while the cluster started; ${s.outFile}:\n${tail(s.outFile, 5)}\n${s.logFile}:\n${tail(s.logFile, 5)}`));
        });
    });
    died.catch(() => {});
    try {
      // one client JVM for all the topics and the voters: each start of one costs a second of CPU the nodes want
      ready = await Promise.race([ensureTopic(o.readyTopic ?? 'gameday-ready', { also: o.topics, voters: joiners }), died]);
    } finally {
      starting = false;
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const startupMs = Math.round(performance.now() - started);

  return {
    version: rt.version,
    dir,
    clusterId,
    runtime: rt,
    group: o.group,
    bootstrap,
    startupMs,
    voters: ready.voters,
    get nodes() {
      return [...states.values()].map(view);
    },
    node: (nameOrId) => view(stateOf(nameOrId)),
    ensureTopic,
    describe: (topic) => ask<TopicState>('describe', { topic }, 15_000),
    waitIsr,
    async killNode(name) {
      const s = stateOf(name);
      if (!s.proc || !running(s)) throw new Error(`${name} is not running`);
      const killedAt = new Date();
      const killedAtMono = performance.now();
      signalGroup(s.proc.child, 'SIGKILL');
      if ((await withTimeout(s.proc.exited, 10_000)) === null) throw new Error(`${name} (pid ${s.proc.child.pid}) did not exit within 10 s of SIGKILL`);
      return { name: s.name, nodeId: s.nodeId, pid: s.proc.child.pid ?? 0, killedAt, killedAtMono, exitedAtMono: performance.now() };
    },
    async restartNode(name) {
      const s = stateOf(name);
      if (!running(s)) launch(s);
      const wanted = s.nodeId;
      const deadline = performance.now() + readyTimeoutMs;
      // registered again: the describe answers list the broker among the unfenced ones
      for (;;) {
        const state = await ask<TopicState>('describe', { topic: o.readyTopic ?? 'gameday-ready' }, 15_000).catch(() => null);
        if (state?.brokers.includes(wanted)) break;
        if (s.proc?.exit) throw new Error(`${s.name} exited (code ${s.proc.exit.code}, signal ${s.proc.exit.signal}) after its restart:\n${tail(s.outFile)}\n${tail(s.logFile, 6)}`);
        if (performance.now() > deadline) throw new Error(`${s.name} did not register again within ${readyTimeoutMs} ms; ${s.logFile}:\n${tail(s.logFile, 8)}`);
        await sleep(300); // each question starts a JVM: not in a tight loop
      }
      return view(s);
    },
    residentBytes: () => [...states.values()].filter(running).reduce((sum, s) => sum + rssBytes(s.proc!.child.pid!), 0),
    stop,
  };
}
