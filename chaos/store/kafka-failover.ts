// Kafka leader failover, for real: while an idempotent acks=all probe writes sequence numbers to a
// replicated topic (replication factor 3, min.insync.replicas 2), SIGKILL the node that leads its
// partition; the failover time is kill → the first acknowledged write sent after the node had
// exited, set beside the moment the new leader's own log says it took over. Revert: start the node
// again and wait until it is back in the ISR. Loss and duplication: the topic read back.
import fs from 'node:fs';
import path from 'node:path';
import { failoverInLogs } from './kafka-log.ts';
import type { KafkaCluster, KilledKafkaNode, TopicState } from './kafka-kraft.ts';
import { KafkaProbe } from './kafka-probe.ts';
import { analyseWrites, type WriteAnalysis } from './write-probe.ts';
import { sleep } from '../../src/platform/poll.ts';

export interface KafkaFailoverReport extends WriteAnalysis {
  fault: 'store-failover';
  kind: 'kafka-kraft';
  topic: string;
  /** topic-partition as Kafka names it */
  partition: string;
  leaderBefore: number | null;
  /** the killed node was also the active controller: a controller election came first */
  killedActiveController: boolean;
  killed: string | null;
  killedPid: number | null;
  signal: 'SIGKILL';
  killedAt: string | null;
  newLeader: number | null;
  /** the new leader's "Leader ... starts at leader epoch" line (its log, millisecond clock) */
  leaderElectedAt: string | null;
  /** kill → that line */
  leaderElectedMs: number | null;
  /** kill → the controller fencing the killed broker (its session timed out) */
  fencedMs: number | null;
  /** kill → a new active controller, when the killed node was the active one */
  controllerElectedMs: number | null;
  firstWriteAt: string | null;
  /** kill → first acknowledged acks=all write sent after the node had exited: the failover time */
  failoverMs: number | null;
  /** records read back from the topic */
  readBack: number;
  /** why writes failed (the client's exception names), with counts */
  failures: Record<string, number>;
  /** the killed node back and the ISR whole again */
  rejoined: boolean;
  isrAfter: number[];
}

export interface KafkaFailoverOptions {
  cluster: KafkaCluster;
  /** names the probe's topic */
  runId: string;
  intervalMs?: number;
  /** writes before the kill (default 1000 ms) */
  warmupMs?: number;
  /** how long to wait for the first write on a new leader (default 60 s) */
  failoverTimeoutMs?: number;
  /** how long the killed node may take to be back in the ISR (default 60 s) */
  rejoinTimeoutMs?: number;
  /** inject waits for the first write on the new leader (default true; a drill's fault does not) */
  waitForFailover?: boolean;
}

export class KafkaFailover {
  private probe: KafkaProbe | null = null;
  private killed: KilledKafkaNode | null = null;
  private before: TopicState | null = null;
  readonly topic: string;

  constructor(private readonly o: KafkaFailoverOptions) {
    this.topic = `gameday-probe-${o.runId}`.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 200);
  }

  /** Creates the probe topic, starts the probe, kills the partition leader and waits for the first write on the new one. */
  async inject(): Promise<void> {
    const { cluster } = this.o;
    await cluster.ensureTopic(this.topic);
    this.probe = new KafkaProbe({ group: cluster.group, runtime: cluster.runtime, bootstrap: cluster.bootstrap, topic: this.topic, intervalMs: this.o.intervalMs, logFile: path.join(cluster.dir, `probe-${this.topic}.log`) });
    await this.probe.start();
    await sleep(this.o.warmupMs ?? 1000);
    this.before = await cluster.describe(this.topic);
    const leader = this.before.partitions[0]?.leader ?? -1;
    if (leader < 0) throw new Error(`${this.topic} has no leader to kill: ${JSON.stringify(this.before.partitions)}`);
    this.killed = await cluster.killNode(cluster.node(leader).name);
    // in a drill the fault's window goes on from the kill: the probe keeps measuring until the revert
    if (this.o.waitForFailover === false) return;
    const deadline = performance.now() + (this.o.failoverTimeoutMs ?? 60_000);
    while (!this.probe.firstAckSince(this.killed.exitedAtMono) && performance.now() < deadline) await sleep(20);
  }

  /** The node the inject killed (null before it). */
  get killedNode(): KilledKafkaNode | null {
    return this.killed;
  }

  /** Starts the killed node again, waits for a whole ISR, stops the probe, reads the topic back and says what happened. */
  async revert(): Promise<KafkaFailoverReport> {
    const { cluster } = this.o;
    const killed = this.killed;
    let rejoined = false;
    let isrAfter: number[] = [];
    if (killed) {
      await cluster.restartNode(killed.name);
      const after = await cluster.waitIsr(this.topic, cluster.nodes.length, this.o.rejoinTimeoutMs ?? 60_000).catch(() => null);
      rejoined = after?.partitions[0]?.isr.includes(killed.nodeId) ?? false;
      isrAfter = after?.partitions[0]?.isr ?? (await cluster.describe(this.topic).catch(() => null))?.partitions[0]?.isr ?? [];
    }
    const finalList = this.probe ? await this.probe.stop() : [];
    const writes = this.probe?.writes ?? [];
    const first = killed ? this.probe?.firstAckSince(killed.exitedAtMono) ?? null : null;
    const partition = `${this.topic}-0`;
    const logs = cluster.nodes.map((n) => (fs.existsSync(n.logFile) ? fs.readFileSync(n.logFile, 'utf8') : ''));
    const seen = killed ? failoverInLogs(logs, partition, killed.nodeId, killed.killedAt) : null;
    const since = (d: Date | undefined) => (d && killed ? d.getTime() - killed.killedAt.getTime() : null);
    const wallOf = (mono: number) => new Date(killed!.killedAt.getTime() + (mono - killed!.killedAtMono));
    return {
      fault: 'store-failover',
      kind: 'kafka-kraft',
      topic: this.topic,
      partition,
      leaderBefore: this.before?.partitions[0]?.leader ?? null,
      killedActiveController: killed !== null && this.before?.controller === killed.nodeId,
      killed: killed?.name ?? null,
      killedPid: killed?.pid ?? null,
      signal: 'SIGKILL',
      killedAt: killed?.killedAt.toISOString() ?? null,
      newLeader: seen?.leader?.nodeId ?? null,
      leaderElectedAt: seen?.leader?.at.toISOString() ?? null,
      leaderElectedMs: since(seen?.leader?.at),
      fencedMs: since(seen?.fenced?.at),
      controllerElectedMs: since(seen?.controller?.at),
      firstWriteAt: first?.ackMono != null ? wallOf(first.ackMono).toISOString() : null,
      failoverMs: first?.ackMono != null && killed ? Math.round(first.ackMono - killed.killedAtMono) : null,
      readBack: finalList.length,
      failures: Object.fromEntries(this.probe?.failures ?? []),
      rejoined,
      isrAfter,
      ...analyseWrites(writes, finalList),
    };
  }
}
