// Broker failover, for real: find the current leader of a JetStream stream, SIGKILL it, measure
// how long writes are unavailable and what the failover did to the messages of a sequence-numbered
// probe (publisher with msgID dedup + durable consumer with acks); revert by restarting the node
// and waiting until the stream has all its replicas current again.
import { AckPolicy, DeliverPolicy, connect, nanos, type JetStreamManager, type NatsConnection } from 'nats';
import { analyseDelivery, type DeliveryAnalysis } from './delivery-analysis.ts';
import type { KilledNode } from './nats-cluster.ts';
import { SequenceConsumer } from './sequence-consumer.ts';
import { SequencePublisher, type ProbeSend } from './sequence-publisher.ts';
import { groupIsCurrent, readStreamGroup, waitForGroup, type StreamPeer } from './stream-state.ts';
import { sleep, withTimeout } from '../../src/platform/poll.ts';

/** What the fault needs of a cluster; `NatsCluster` from nats-cluster.ts is one. */
export interface FailoverCluster {
  readonly urls: string[];
  readonly nodes: ReadonlyArray<{ name: string; pid: number; clientUrl: string }>;
  killNode(name: string, signal?: NodeJS.Signals): Promise<KilledNode>;
  restartNode(name: string): Promise<unknown>;
}

export interface BrokerFailoverOptions {
  cluster: FailoverCluster;
  /** the drill's stream: must be replicated (R3) */
  stream: string;
  /** the probe's subject: captured by the stream, not consumed by the SUT (e.g. "orders.gameday-probe") */
  subject: string;
  /** names the probe's msgIDs and consumer; [A-Za-z0-9_-] (default: random) */
  runId?: string;
  /** how a probe message is sent (default: JetStream publish, sent once the PubAck is in) */
  send?: ProbeSend;
  /** probe publish pacing (default 20 ms) */
  intervalMs?: number;
  /** traffic before the kill (default 1500 ms; at least one message must go round) */
  warmupMs?: number;
  /** one-shot only: traffic after the failover, before the revert (default 1500 ms) */
  holdMs?: number;
  /** how long to wait for a new leader and for publishes to succeed (default 30 s) */
  failoverTimeoutMs?: number;
  /** how long to wait for the restarted node to rejoin (default 60 s) */
  rejoinTimeoutMs?: number;
  /** how long the consumer may take to receive what was sent (default 15 s) */
  drainTimeoutMs?: number;
  /** the probe consumer's ack wait (default 5 s) */
  ackWaitMs?: number;
  /** PubAck timeout of one publish attempt (default 2 s) */
  attemptTimeoutMs?: number;
  /** hard bound on the probe's messages: the publisher stops by itself after this many (default 20 000) */
  maxMessages?: number;
}

/** What a broker failover did, and what its probe's deliveries show (DeliveryAnalysis). */
export interface BrokerFailoverReport extends DeliveryAnalysis {
  fault: 'broker-failover';
  stream: string;
  subject: string;
  runId: string;
  replicas: number;
  leaderBefore: string;
  peersBefore: StreamPeer[];
  killedLeader: string | null;
  killedPid: number | null;
  signal: 'SIGKILL';
  /** ISO wall clock of the kill */
  killedAt: string | null;
  newLeader: string | null;
  newLeaderAt: string | null;
  /** kill → first stream info naming another leader (polled every 100 ms) */
  leaderElectionMs: number | null;
  publishRecoveredAt: string | null;
  /** kill → first PubAck for a publish attempted after the leader's process had exited */
  publishRecoveryMs: number | null;
  /** the failover time: publishRecoveryMs when the probe waits for PubAcks, else leaderElectionMs */
  failoverMs: number | null;
  failoverMeasuredBy: 'pub-ack' | 'leader-election' | null;
  /** publish attempts that failed (retried) over the whole probe */
  failedPublishAttempts: number;
  /** consumer pulls that failed over the whole probe */
  failedPulls: number;
  /** the consumer received everything it was going to within drainTimeoutMs */
  drained: boolean;
  restartedAt: string | null;
  rejoinedAt: string | null;
  /** restart → stream reports every replica current, the restarted node among them */
  rejoinMs: number | null;
  rejoined: boolean;
  peersAfter: StreamPeer[];
  startedAt: string;
  endedAt: string;
  problems: string[];
}

export interface InjectedFailover {
  killedLeader: string;
  killedPid: number;
  killedAt: string;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const round = (ms: number): number => Math.round(ms * 10) / 10;

function randomRunId(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

async function probeConnection(urls: string[], name: string): Promise<NatsConnection> {
  return connect({
    servers: urls,
    name,
    timeout: 2000,
    reconnect: true,
    maxReconnectAttempts: 240,
    reconnectTimeWait: 250,
    pingInterval: 2000,
    maxPingOut: 2,
    // the probe knows every node's own client URL; the servers may advertise other addresses
    // (e.g. Toxiproxy proxies in front of them, which a partition fault may cut)
    ignoreClusterUpdates: true,
  });
}

/**
 * A broker failover on a running cluster, in three steps the orchestrator can put on its timeline:
 * `start` (probe traffic flowing, leader known), `inject` (the leader SIGKILLed), `revert` (node
 * restarted and rejoined; the report). `revert` is idempotent and safe after a failed `inject`.
 */
export class BrokerFailover {
  private killed: KilledNode | null = null;
  private injecting: Promise<InjectedFailover> | null = null;
  private watch: Promise<void> | null = null;
  private reverting: Promise<BrokerFailoverReport> | null = null;
  private readonly problems: string[] = [];
  private newLeader: { name: string; at: Date; atMono: number } | null = null;
  private recovered: { at: Date; atMono: number } | null = null;
  private leaderBefore = '';
  private peersBefore: StreamPeer[] = [];
  private replicas = 0;
  private readonly startedAt = new Date();
  /** set when the revert restarts the killed node: from then on it may lead again */
  private restarted = false;

  private constructor(
    private readonly opts: BrokerFailoverOptions,
    readonly runId: string,
    private readonly conns: NatsConnection[],
    private readonly jsm: JetStreamManager,
    private readonly publisher: SequencePublisher,
    private readonly consumer: SequenceConsumer,
    private readonly durable: string,
  ) {}

  /** Connects, checks the stream is replicated, creates the probe consumer and runs probe traffic for `warmupMs`. */
  static async start(opts: BrokerFailoverOptions): Promise<BrokerFailover> {
    const runId = (opts.runId ?? randomRunId()).replace(/[^A-Za-z0-9_-]/g, '_');
    const durable = `gameday-probe-${runId}`;
    const conns: NatsConnection[] = [];
    let failover: BrokerFailover | null = null;
    try {
      const admin = await probeConnection(opts.cluster.urls, `gameday-failover-admin-${runId}`);
      conns.push(admin);
      const pubConn = await probeConnection(opts.cluster.urls, `gameday-probe-publisher-${runId}`);
      conns.push(pubConn);
      const subConn = await probeConnection(opts.cluster.urls, `gameday-probe-consumer-${runId}`);
      conns.push(subConn);
      const jsm = await admin.jetstreamManager({ timeout: 1000 });
      // under load a replica may trail the leader by a message for a moment: it gets up to 3 s to catch up
      const group = (await waitForGroup(jsm, opts.stream, (g) => g.replicas < 2 || groupIsCurrent(g), 3000))?.group ?? (await readStreamGroup(jsm, opts.stream));
      if (group.replicas < 2) {
        throw new Error(`stream ${opts.stream} has ${group.replicas} replica: killing its leader would be an outage, not a failover (use num_replicas 3)`);
      }
      if (!groupIsCurrent(group)) {
        throw new Error(`stream ${opts.stream} is not healthy before the failover: leader ${group.leader ?? 'none'}, peers ${JSON.stringify(group.peers)}`);
      }
      await jsm.consumers.add(opts.stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        filter_subject: opts.subject,
        ack_wait: nanos(opts.ackWaitMs ?? 5000),
        max_ack_pending: 1000,
      });
      const publisher = new SequencePublisher({
        nc: pubConn,
        js: pubConn.jetstream({ timeout: opts.attemptTimeoutMs ?? 2000 }),
        subject: opts.subject,
        runId,
        send: opts.send,
        intervalMs: opts.intervalMs,
        attemptTimeoutMs: opts.attemptTimeoutMs,
        giveUpAfterMs: (opts.failoverTimeoutMs ?? 30_000) + 15_000,
        maxMessages: opts.maxMessages,
      });
      const consumer = new SequenceConsumer({ js: subConn.jetstream(), stream: opts.stream, durable, runId });
      failover = new BrokerFailover(opts, runId, conns, jsm, publisher, consumer, durable);
      failover.replicas = group.replicas;
      consumer.start();
      publisher.start();
      await failover.warmUp(opts.warmupMs ?? 1500);
      return failover;
    } catch (err) {
      if (failover) await failover.shutdownProbe(false);
      else await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
      throw err;
    }
  }

  private async warmUp(ms: number): Promise<void> {
    const deadline = performance.now() + Math.max(ms, 0) + 15_000;
    await sleep(ms);
    while (performance.now() < deadline) {
      if (this.publisher.sentCount > 0 && this.consumer.seen.size > 0) return;
      await sleep(100);
    }
    const last = this.publisher.records.at(-1)?.lastError ?? this.consumer.lastError ?? 'no error reported';
    throw new Error(
      `probe traffic did not flow on ${this.opts.subject} before the failover (sent ${this.publisher.sentCount}, delivered ${this.consumer.seen.size}; last error: ${last}): is the subject captured by stream ${this.opts.stream}?`,
    );
  }

  /** SIGKILLs the stream's current leader (read from stream info just before) and starts watching the failover. Idempotent. */
  inject(): Promise<InjectedFailover> {
    if (this.injecting) return this.injecting;
    if (this.reverting) return Promise.reject(new Error('the broker failover was already reverted'));
    this.injecting = this.doInject();
    return this.injecting;
  }

  private async doInject(): Promise<InjectedFailover> {
    const group = await readStreamGroup(this.jsm, this.opts.stream);
    if (!group.leader) throw new Error(`stream ${this.opts.stream} has no leader to kill`);
    const node = this.opts.cluster.nodes.find((n) => n.name === group.leader);
    if (!node) throw new Error(`the leader of ${this.opts.stream} is ${group.leader}, which is not a node of this cluster (${this.opts.cluster.nodes.map((n) => n.name).join(', ')})`);
    this.leaderBefore = group.leader;
    this.peersBefore = group.peers;
    this.killed = await this.opts.cluster.killNode(node.name, 'SIGKILL');
    this.watch = this.watchFailover(this.killed);
    return { killedLeader: this.killed.name, killedPid: this.killed.pid, killedAt: this.killed.killedAt.toISOString() };
  }

  private async watchFailover(killed: KilledNode): Promise<void> {
    const timeoutMs = this.opts.failoverTimeoutMs ?? 30_000;
    // a leader other than the killed node; or, once the revert restarted it (e.g. interrupted right
    // after the kill), any leader: the stream has one again either way
    const leader = waitForGroup(this.jsm, this.opts.stream, (g) => g.leader !== null && (g.leader !== killed.name || this.restarted), timeoutMs).then((seen) => {
      if (seen) this.newLeader = { name: seen.group.leader!, at: seen.at, atMono: seen.atMono };
      else this.problems.push(`no new leader for ${this.opts.stream} within ${timeoutMs} ms of the kill`);
    });
    // a send strategy that never waits for PubAcks cannot tell when writes work again: only the election counts
    const confirms = this.publisher.records.some((r) => r.confirmed);
    const firstConfirmed = confirms ? this.publisher.firstConfirmedAfter(killed.exitedAtMono) : Promise.resolve(null);
    const publish = withTimeout(firstConfirmed, timeoutMs).then((record) => {
      if (record?.sentMono != null) {
        this.recovered = { at: new Date(Date.now() - (performance.now() - record.sentMono)), atMono: record.sentMono };
      } else if (confirms) {
        this.problems.push(`publishes did not succeed again within ${timeoutMs} ms of the kill`);
      }
    });
    await Promise.all([leader, publish]);
  }

  /** Resolves once a new leader is reported and publishes succeed again (or the failover timeout passed). */
  async awaitFailover(): Promise<void> {
    await this.watch;
  }

  /** Restarts the killed node, waits until it rejoins, stops the probe and returns the report. Idempotent. */
  revert(): Promise<BrokerFailoverReport> {
    this.reverting ??= this.doRevert();
    return this.reverting;
  }

  private async doRevert(): Promise<BrokerFailoverReport> {
    await this.injecting?.catch(() => undefined); // a kill in progress completes before the revert looks
    let restartedAt: Date | null = null;
    let rejoinedAt: Date | null = null;
    let rejoinMs: number | null = null;
    let rejoined = this.killed === null;
    let peersAfter: StreamPeer[] = [];
    if (this.killed) {
      const name = this.killed.name;
      try {
        restartedAt = new Date();
        this.restarted = true;
        const restartMono = performance.now();
        await this.opts.cluster.restartNode(name);
        const seen = await waitForGroup(this.jsm, this.opts.stream, (g) => groupIsCurrent(g, name), this.opts.rejoinTimeoutMs ?? 60_000, 200);
        if (seen) {
          rejoined = true;
          rejoinedAt = seen.at;
          rejoinMs = round(seen.atMono - restartMono);
          peersAfter = seen.group.peers;
        } else {
          this.problems.push(`${name} did not rejoin ${this.opts.stream} as a current replica within ${this.opts.rejoinTimeoutMs ?? 60_000} ms`);
        }
      } catch (err) {
        this.problems.push(`restarting ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await withTimeout(this.watch ?? Promise.resolve(), (this.opts.failoverTimeoutMs ?? 30_000) + 5000);
    const drained = await this.shutdownProbe(true);
    const report = this.report({ restartedAt, rejoinedAt, rejoinMs, rejoined, peersAfter, drained });
    if (!rejoined) {
      const err = new Error(`broker failover not reverted: ${this.problems.join('; ')}`) as Error & { report?: BrokerFailoverReport };
      err.report = report;
      throw err;
    }
    return report;
  }

  /** Stops the publisher, lets the consumer drain (bounded), removes the probe consumer, closes the connections. */
  private async shutdownProbe(drain: boolean): Promise<boolean> {
    let drained = false;
    try {
      // bounded: a send or a pull that hangs is cut off by closing the connections below
      await withTimeout(this.publisher.stop(), (this.opts.attemptTimeoutMs ?? 2000) + 5000);
      if (drain) drained = await this.drain(this.opts.drainTimeoutMs ?? 15_000);
      await withTimeout(this.consumer.stop(), 10_000);
      await this.jsm.consumers.delete(this.opts.stream, this.durable).catch((err) => {
        this.problems.push(`could not remove probe consumer ${this.durable}: ${err instanceof Error ? err.message : String(err)}`);
      });
    } finally {
      await Promise.all(this.conns.map((c) => c.close().catch(() => undefined)));
    }
    return drained;
  }

  /** Waits until every message the publisher sent was delivered, or the consumer has nothing pending. */
  private async drain(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const sent = this.publisher.records.filter((r) => r.sentMono !== null).map((r) => r.n);
    while (performance.now() < deadline) {
      if (sent.every((n) => this.consumer.seen.has(n))) return true;
      try {
        const info = await this.jsm.consumers.info(this.opts.stream, this.durable);
        const quietFor = performance.now() - (this.consumer.deliveries.at(-1)?.atMono ?? 0);
        if (info.num_pending === 0 && info.num_ack_pending === 0 && quietFor > 1000) return true;
      } catch {
        /* consumer leader moving: try again */
      }
      await sleep(200);
    }
    this.problems.push(`the probe consumer had not drained within ${timeoutMs} ms`);
    return false;
  }

  private report(after: {
    restartedAt: Date | null;
    rejoinedAt: Date | null;
    rejoinMs: number | null;
    rejoined: boolean;
    peersAfter: StreamPeer[];
    drained: boolean;
  }): BrokerFailoverReport {
    const analysis: DeliveryAnalysis = analyseDelivery(
      this.publisher.records.map((r) => ({ n: r.n, acknowledged: r.sentMono !== null, confirmed: r.confirmed })),
      this.consumer.deliveries,
    );
    const k = this.killed;
    const leaderElectionMs = k && this.newLeader ? round(this.newLeader.atMono - k.killedAtMono) : null;
    const publishRecoveryMs = k && this.recovered ? round(this.recovered.atMono - k.killedAtMono) : null;
    const failoverMs = publishRecoveryMs ?? leaderElectionMs;
    return {
      fault: 'broker-failover',
      stream: this.opts.stream,
      subject: this.opts.subject,
      runId: this.runId,
      replicas: this.replicas,
      leaderBefore: this.leaderBefore,
      peersBefore: this.peersBefore,
      killedLeader: k?.name ?? null,
      killedPid: k?.pid ?? null,
      signal: 'SIGKILL',
      killedAt: iso(k?.killedAt),
      newLeader: this.newLeader?.name ?? null,
      newLeaderAt: iso(this.newLeader?.at),
      leaderElectionMs,
      publishRecoveredAt: iso(this.recovered?.at),
      publishRecoveryMs,
      failoverMs,
      failoverMeasuredBy: publishRecoveryMs !== null ? 'pub-ack' : leaderElectionMs !== null ? 'leader-election' : null,
      failedPublishAttempts: this.publisher.records.reduce((sum, r) => sum + r.attempts - (r.sentMono !== null ? 1 : 0), 0),
      failedPulls: this.consumer.failedPulls,
      ...analysis,
      drained: after.drained,
      restartedAt: iso(after.restartedAt),
      rejoinedAt: iso(after.rejoinedAt),
      rejoinMs: after.rejoinMs,
      rejoined: after.rejoined,
      peersAfter: after.peersAfter,
      startedAt: this.startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      problems: [...this.problems],
    };
  }
}

/**
 * The whole fault in one call: probe traffic, SIGKILL the leader, wait for the failover, hold, restart,
 * report. Whatever happens after `start`, the killed node is restarted and the probe stopped; an error
 * raised after that carries the report as `error.report`.
 */
export async function brokerFailover(opts: BrokerFailoverOptions): Promise<BrokerFailoverReport> {
  const failover = await BrokerFailover.start(opts);
  let failure: unknown = null;
  try {
    await failover.inject();
    await failover.awaitFailover();
    await sleep(opts.holdMs ?? 1500);
  } catch (err) {
    failure = err;
  }
  const report = await failover.revert(); // throws (with .report) when the node did not rejoin
  if (failure) throw Object.assign(failure instanceof Error ? failure : new Error(String(failure)), { report });
  return report;
}
