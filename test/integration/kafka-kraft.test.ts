// Kafka leader failover on a real 3-node KRaft cluster (the pinned org.apache.kafka jars on
// 127.0.0.1): the leader of the probe topic's partition is SIGKILLed under an idempotent acks=all
// probe; the failover time gameday measures is checked against the new leader's own log line,
// loss and duplication come from the topic read back, and the revert brings the node back into the
// ISR. One cluster, one failover, checked for all of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaFailover, type KafkaFailoverReport } from '../../chaos/store/kafka-failover.ts';
import { startKafkaKraft, type KafkaCluster } from '../../chaos/store/kafka-kraft.ts';
import { kafkaMissing } from '../../chaos/store/kafka-runtime.ts';
import { ProcessGroup } from '../../src/platform/processes.ts';
import { needs, processesOwnedBy, tmpDir } from '../helpers.ts';

const missing = needs('Kafka (java and the Kafka jars, or Maven to fetch them)', kafkaMissing());
// shorter than Kafka's defaults (9 s, 1 s) so that the failover takes seconds and a follower that
// asked the new leader too early does not add a second of its own back-off to the measurement
const SESSION_TIMEOUT_MS = 3000;
const REPLICA_FETCH_BACKOFF_MS = 200;

describe.skipIf(missing)('store failover on a real Kafka in KRaft mode', () => {
  const group = new ProcessGroup('kafka-test');
  let cluster: KafkaCluster;
  let report: KafkaFailoverReport;
  let residentMb = 0;
  let ownedWhileUp: Array<{ pid: number; cmdline: string }> = [];

  beforeAll(async () => {
    // the jars are fetched here the first time (about 40 s cold), not counted in the start-up
    cluster = await startKafkaKraft({ dir: tmpDir('gameday-kafka'), group, sessionTimeoutMs: SESSION_TIMEOUT_MS, replicaFetchBackoffMs: REPLICA_FETCH_BACKOFF_MS });
    residentMb = Math.round(cluster.residentBytes() / 2 ** 20);
    const failover = new KafkaFailover({ cluster, runId: 'test', warmupMs: 800 });
    try {
      await failover.inject();
    } finally {
      report = await failover.revert();
    }
    ownedWhileUp = processesOwnedBy(process.pid).filter((p) => p.cmdline.includes('GamedayKafka node'));
    process.stderr.write(`kafka: ${cluster.version}, 3 nodes ready in ${cluster.startupMs} ms, ${residentMb} MB resident; failover ${report.failoverMs} ms (killed node ${report.killedActiveController ? "was" : "was not"} the active controller; leader's log ${report.leaderElectedMs} ms, fenced ${report.fencedMs} ms), ${report.acknowledged} acknowledged, ${report.lost} lost, ${report.duplicates} duplicated\n`);
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  it('starts 3 combined broker/controller nodes that replicate a topic 3 times, all three voters of the quorum', () => {
    expect(cluster.nodes).toHaveLength(3);
    // the first node's quorum of one, joined by the other two before ready: the quorum a static
    // controller.quorum.voters would have made
    expect(cluster.voters).toEqual([1, 2, 3]);
    expect(cluster.startupMs).toBeGreaterThan(0);
    expect(residentMb).toBeGreaterThan(100);
  });

  it('kills the partition leader for real and another node takes over', () => {
    expect(report.killed).toMatch(/^kafka-\d$/);
    expect(report.leaderBefore).not.toBeNull();
    expect(cluster.node(report.killed!).nodeId).toBe(report.leaderBefore);
    expect(report.newLeader).not.toBeNull();
    expect(report.newLeader).not.toBe(report.leaderBefore);
    // SIGKILL: no controlled shutdown, the controller fenced it when its session timed out
    expect(report.fencedMs).not.toBeNull();
    expect(report.fencedMs!).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 1000);
  });

  it("measures the failover from the probe within 1 s of the new leader's own log", () => {
    expect(report.failoverMs).not.toBeNull();
    expect(report.leaderElectedMs).not.toBeNull();
    // the first acknowledged write comes after the new leader took over, and soon after
    expect(report.failoverMs! - report.leaderElectedMs!).toBeGreaterThanOrEqual(-50);
    expect(Math.abs(report.failoverMs! - report.leaderElectedMs!)).toBeLessThan(1000);
    expect(report.leaderElectedMs!).toBeGreaterThanOrEqual(report.fencedMs!);
  });

  it('loses and duplicates nothing: every acknowledged write read back exactly once', () => {
    expect(report.acknowledged).toBeGreaterThan(20);
    expect(report.attempted).toBe(report.acknowledged + report.failed);
    // acks=all with min.insync.replicas 2: an acknowledged write is on a surviving replica
    expect(report.lost).toBe(0);
    expect(report.lostSequences).toEqual([]);
    // the idempotent producer's retries to the new leader are not written twice
    expect(report.duplicates).toBe(0);
    expect(report.readBack).toBe(report.acknowledged + report.appliedWithoutAck);
  });

  it('reverts: the killed node is running again and back in the ISR', () => {
    expect(report.rejoined).toBe(true);
    expect(report.isrAfter.sort()).toEqual([1, 2, 3]);
    expect(cluster.nodes.every((n) => n.running)).toBe(true);
  });

  it("marks every process it started as the run's, and stop leaves none", async () => {
    expect(ownedWhileUp.length).toBe(3);
    expect(ownedWhileUp.map((p) => p.pid).sort()).toEqual(cluster.nodes.map((n) => n.pid).sort());
    // the probe and the admin commands have exited
    expect(group.running.map((p) => p.label).sort()).toEqual(['kafka kafka-1', 'kafka kafka-2', 'kafka kafka-3']);
    await cluster.stop();
    expect(processesOwnedBy(process.pid).filter((p) => p.cmdline.includes('java'))).toEqual([]);
  });
});
