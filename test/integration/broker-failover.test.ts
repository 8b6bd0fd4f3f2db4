// Broker failover against a real 3-node NATS JetStream cluster (Debian's nats-server) on 127.0.0.1:
// the stream's leader is SIGKILLed for real, failover time and message loss are measured from real
// probe traffic, and the revert restarts the node until the stream has 3 current replicas again.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { brokerFailover, type BrokerFailoverReport } from '../../chaos/broker/failover.ts';
import { startNatsCluster, type NatsCluster } from '../../chaos/broker/nats-cluster.ts';
import type { ProbeSend } from '../../chaos/broker/sequence-publisher.ts';
import { ensureStream, groupIsCurrent, readStreamGroup } from '../../chaos/broker/stream-state.ts';
import { ownerMarker } from '../../src/platform/processes.ts';
import { processesOwnedBy, tmpDir } from '../helpers.ts';

const STREAM = 'ORDERS';
const FAILOVER_BOUND_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** nats-server processes this test process started, read from /proc */
function ownNatsServers(): Array<{ pid: number; cmdline: string }> {
  return processesOwnedBy(process.pid).filter((p) => p.cmdline.includes('nats-server'));
}

/** Deliberately wrong: a core NATS publish, treated as sent without waiting for the PubAck. */
const sendWithoutPubAck: ProbeSend = async (msg, { nc }) => {
  nc.publish(msg.subject, msg.payload, { headers: msg.headers });
  return { pubAck: null };
};

describe('broker failover on a real 3-node NATS JetStream cluster', () => {
  let dir = '';
  let cluster: NatsCluster | undefined;
  let nc: NatsConnection | undefined;
  let jsm: JetStreamManager;
  const everyPid = new Set<number>();
  const remember = () => cluster?.nodes.forEach((n) => n.pid && everyPid.add(n.pid));

  beforeAll(async () => {
    dir = tmpDir('gameday-nats');
    cluster = await startNatsCluster({ nodes: 3, dir, env: { GAMEDAY_OWNER: ownerMarker(), GAMEDAY_RUN_ID: 'broker-failover-test' } });
    remember();
    nc = await connect({ servers: cluster.urls, maxReconnectAttempts: 60, reconnectTimeWait: 250 });
    jsm = await nc.jetstreamManager({ timeout: 2000 });
    await ensureStream(jsm, { stream: STREAM, subjects: ['orders.>'], replicas: 3, storage: 'file', timeoutMs: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    await cluster?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('forms: 3 nats-server processes, a 3-member JetStream meta group, the stream R3 on file with a leader and 2 current replicas', async () => {
    const nodes = cluster!.nodes;
    const names = nodes.map((n) => n.name).sort();
    expect(names).toHaveLength(3);
    expect(new Set(nodes.map((n) => n.clientUrl)).size).toBe(3);
    for (const node of nodes) {
      expect(alive(node.pid)).toBe(true);
      expect(fs.readFileSync(`/proc/${node.pid}/cmdline`, 'latin1')).toContain('nats-server');
      const jsz = (await (await fetch(`${node.monitorUrl}/jsz`)).json()) as { meta_cluster: { cluster_size: number; leader: string } };
      expect(jsz.meta_cluster.cluster_size).toBe(3);
      expect(names).toContain(jsz.meta_cluster.leader);
    }
    expect(ownNatsServers().map((p) => p.pid).sort()).toEqual(nodes.map((n) => n.pid).sort());

    const group = await readStreamGroup(jsm, STREAM);
    expect(group.replicas).toBe(3);
    expect(group.storage).toBe('file');
    expect(names).toContain(group.leader);
    expect(group.peers.map((p) => p.name).sort()).toEqual(names);
    expect(group.peers.filter((p) => !p.leader).every((p) => p.current && !p.offline)).toBe(true);
    expect(groupIsCurrent(group)).toBe(true);
  });

  let report: BrokerFailoverReport;

  it('SIGKILLs the current stream leader; a publisher that waits for PubAcks loses nothing; the node rejoins', async () => {
    const before = await readStreamGroup(jsm, STREAM);
    const leaderPid = cluster!.node(before.leader!).pid;
    report = await brokerFailover({ cluster: cluster!, stream: STREAM, subject: 'orders.gameday-probe', runId: 'correct', warmupMs: 1500, holdMs: 1500 });
    remember();

    // the leader, not a random node, and it really died
    expect(report.leaderBefore).toBe(before.leader);
    expect(report.killedLeader).toBe(before.leader);
    expect(report.killedPid).toBe(leaderPid);
    expect(alive(report.killedPid!)).toBe(false);
    // another node took over
    expect(report.newLeader).not.toBeNull();
    expect(report.newLeader).not.toBe(report.killedLeader);
    expect(cluster!.nodes.map((n) => n.name)).toContain(report.newLeader);

    // failover time from real traffic: publishes failed while there was no leader, then PubAcks came back
    expect(report.failoverMeasuredBy).toBe('pub-ack');
    expect(report.failedPublishAttempts).toBeGreaterThan(0);
    expect(report.failoverMs).toBeGreaterThan(0);
    expect(report.failoverMs).toBeLessThan(FAILOVER_BOUND_MS);
    expect(report.leaderElectionMs).toBeGreaterThan(0);
    expect(report.leaderElectionMs).toBeLessThan(FAILOVER_BOUND_MS);

    // every acknowledged sequence number was delivered
    expect(report.acknowledged).toBeGreaterThan(10);
    expect(report.confirmedByPubAck).toBe(report.acknowledged);
    expect(report.lost).toBe(0);
    expect(report.lostSequences).toEqual([]);
    expect(report.maxGap).toBe(0);
    expect(report.delivered).toBeGreaterThanOrEqual(report.acknowledged);
    expect(report.storedMoreThanOnce).toBe(0);
    expect(report.drained).toBe(true);

    // revert: the killed node runs again (a new process) and the stream has 3 current replicas
    expect(report.rejoined).toBe(true);
    expect(Date.parse(report.rejoinedAt!)).toBeGreaterThanOrEqual(Date.parse(report.restartedAt!));
    expect(Date.parse(report.restartedAt!)).toBeGreaterThan(Date.parse(report.killedAt!));
    const restarted = cluster!.node(report.killedLeader!);
    expect(restarted.running).toBe(true);
    expect(restarted.pid).not.toBe(report.killedPid);
    expect(alive(restarted.pid)).toBe(true);
    expect(report.peersAfter.map((p) => p.name)).toContain(report.killedLeader);
    const after = await readStreamGroup(jsm, STREAM);
    expect(after.peers).toHaveLength(3);
    expect(groupIsCurrent(after, report.killedLeader!)).toBe(true);

    // the probe cleaned up after itself, and the report is plain JSON
    await expect(jsm.consumers.info(STREAM, 'gameday-probe-correct')).rejects.toThrow(/consumer not found/);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    console.log(
      `failover: killed ${report.killedLeader} (pid ${report.killedPid}), new leader ${report.newLeader} after ${report.leaderElectionMs} ms, ` +
        `publishes back after ${report.failoverMs} ms; ${report.acknowledged} acknowledged, ${report.delivered} delivered, lost ${report.lost}, ` +
        `duplicated ${report.duplicated}; rejoined in ${report.rejoinMs} ms`,
    );
  }, 120_000);

  it('a publisher that does not wait for the PubAck loses the messages it sent while the stream had no leader', async () => {
    const before = await readStreamGroup(jsm, STREAM);
    const sloppy = await brokerFailover({ cluster: cluster!, stream: STREAM, subject: 'orders.gameday-probe', runId: 'sloppy', send: sendWithoutPubAck, holdMs: 1000 });
    remember();
    expect(sloppy.killedLeader).toBe(before.leader);
    expect(sloppy.confirmedByPubAck).toBe(0);
    expect(sloppy.acknowledged).toBe(sloppy.published);
    expect(sloppy.lost).toBeGreaterThan(0);
    expect(sloppy.lostSequences.length).toBeGreaterThan(0);
    expect(sloppy.maxGap).toBeGreaterThan(0);
    expect(sloppy.delivered).toBeLessThan(sloppy.acknowledged);
    // no PubAcks: the failover time can only come from the leader election
    expect(sloppy.failoverMeasuredBy).toBe('leader-election');
    expect(sloppy.failoverMs).toBeGreaterThan(0);
    expect(sloppy.failoverMs).toBeLessThan(FAILOVER_BOUND_MS);
    expect(sloppy.rejoined).toBe(true);
    console.log(`sloppy publisher: ${sloppy.acknowledged} treated as sent, ${sloppy.delivered} delivered, lost ${sloppy.lost} (max gap ${sloppy.maxGap})`);
  }, 120_000);

  it('stop() leaves no nats-server process behind', async () => {
    remember();
    expect(everyPid.size).toBeGreaterThanOrEqual(5); // 3 first processes + 2 restarts
    await cluster!.stop();
    await cluster!.stop(); // idempotent
    expect(ownNatsServers()).toEqual([]);
    for (const pid of everyPid) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    expect(cluster!.nodes.every((n) => !n.running)).toBe(true);
  }, 60_000);
});
