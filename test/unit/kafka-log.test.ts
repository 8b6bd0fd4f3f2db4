import { describe, expect, it } from 'vitest';
import { failoverInLogs, firstAfter, parseBrokerFenced, parseControllerActivated, parseLeaderStarts } from '../../chaos/store/kafka-log.ts';
import { kafkaNodeConfig, newClusterId } from '../../chaos/store/kafka-kraft.ts';
import { jvmFlags, kafkaLog4j2 } from '../../chaos/store/kafka-tool.ts';

// lines as Kafka 4.3 wrote them in a failover here (node 3, leader and active controller, killed)
const NODE_1 = [
  '[2026-12-05 18:53:46,142] INFO [QuorumController id=1] In the new epoch 2, the leader is 2. (org.apache.kafka.controller.QuorumController)',
  '[2026-12-05 18:53:49,245] INFO [Broker id=1] Transitioning 1 partition(s) to local leaders. (state.change.logger)',
  '[2026-12-05 18:53:49,260] INFO [Broker id=1] Leader gameday-probe-x-0 with topic id Some(7O0eqeEoQTSfls-paAJVvg) starts at leader epoch 1 from offset 140 with partition epoch 1, high watermark 139, ISR [1,2], adding replicas [] and removing replicas [] . Previous leader Some(3) and previous leader epoch was 0. (state.change.logger)',
  '[2026-12-05 18:53:49,261] INFO [Broker id=1] Leader gameday-ready-0 with topic id Some(fhlFLh78T5CFJnl7t1dTlQ) starts at leader epoch 1 from offset 0 with partition epoch 1, high watermark 0, ISR [1,2], adding replicas [] and removing replicas [] . (state.change.logger)',
  '    at a stack trace line',
].join('\n');
const NODE_2 = [
  '[2026-12-05 18:53:40,001] INFO [Broker id=2] Leader gameday-probe-x-0 with topic id Some(7O0eqeEoQTSfls-paAJVvg) starts at leader epoch 0 from offset 0 with partition epoch 0, high watermark 0, ISR [2,3,1], adding replicas [] and removing replicas [] . (state.change.logger)',
  '[2026-12-05 18:53:46,189] INFO [QuorumController id=2] Becoming the active controller at epoch 2, next write offset 41. (org.apache.kafka.controller.QuorumController)',
  '[2026-12-05 18:53:49,197] INFO [QuorumController id=2] Fencing broker 3 at epoch 10 because its session has timed out. (org.apache.kafka.controller.ReplicationControlManager)',
  '[2026-12-05 18:53:49,242] INFO [Broker id=2] Follower gameday-probe-x-0 starts at leader epoch 1 from offset 140 with partition epoch 1 and high watermark 139. Current leader is 1. (state.change.logger)',
].join('\n');
const at = (s: number, ms: number) => new Date(2026, 11, 5, 18, 53, s, ms);

describe('Kafka logs', () => {
  it("reads a partition's new leader from the broker's state-change line, in local time", () => {
    expect(parseLeaderStarts(NODE_1, 'gameday-probe-x-0')).toEqual([{ at: at(49, 260), nodeId: 1, partition: 'gameday-probe-x-0', leaderEpoch: 1, fromOffset: 140 }]);
    expect(parseLeaderStarts(NODE_1).map((l) => l.partition)).toEqual(['gameday-probe-x-0', 'gameday-ready-0']);
    // a follower's line is not a leader's
    expect(parseLeaderStarts(NODE_2, 'gameday-probe-x-0').map((l) => l.leaderEpoch)).toEqual([0]);
  });

  it('reads fencing and controller activation', () => {
    expect(parseBrokerFenced(NODE_2)).toEqual([{ at: at(49, 197), controller: 2, broker: 3, reason: 'its session has timed out' }]);
    expect(parseControllerActivated(NODE_2)).toEqual([{ at: at(46, 189), nodeId: 2, epoch: 2 }]);
    expect(parseBrokerFenced(NODE_1)).toEqual([]);
  });

  it('puts a failover together from every node: the first new leader after the kill, not the one before it', () => {
    const seen = failoverInLogs([NODE_1, NODE_2], 'gameday-probe-x-0', 3, at(43, 981));
    expect(seen.leader?.nodeId).toBe(1);
    expect(seen.leader?.at).toEqual(at(49, 260));
    expect(seen.fenced?.broker).toBe(3);
    expect(seen.controller?.nodeId).toBe(2);
    // killed after all of it: nothing
    expect(failoverInLogs([NODE_1, NODE_2], 'gameday-probe-x-0', 3, at(50, 0))).toEqual({ leader: null, fenced: null, controller: null });
    // the killed broker's own line (it led before) never counts as the new leader
    expect(failoverInLogs([NODE_2], 'gameday-probe-x-0', 2, at(39, 0)).leader).toBeNull();
  });

  it('takes the earliest item at or after a moment, with a millisecond of slack for the log clock', () => {
    const items = [{ at: at(2, 0) }, { at: at(1, 0) }, { at: at(0, 999) }];
    expect(firstAfter(items, at(1, 1))?.at).toEqual(at(1, 0));
    expect(firstAfter(items, at(2, 2))).toBeNull();
  });
});

describe('Kafka node configuration', () => {
  const config = kafkaNodeConfig({ nodeId: 2, port: 9092, controllerPort: 9093, controllers: '127.0.0.1:9003,127.0.0.1:9093,127.0.0.1:9103', dataDir: '/tmp/k2/data', nodes: 3, sessionTimeoutMs: 3000, heartbeatMs: 1000 });
  const props = Object.fromEntries(
    config
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

  it('is a combined broker/controller on loopback only, in a dynamic quorum found through every controller', () => {
    expect(props['process.roles']).toBe('broker,controller');
    expect(props['node.id']).toBe('2');
    expect(props.listeners).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:9092');
    // the voters are in the metadata log (KIP-853): a static voters list would forbid --standalone
    expect(props['controller.quorum.voters']).toBeUndefined();
    expect(props['controller.quorum.bootstrap.servers']).toBe('127.0.0.1:9003,127.0.0.1:9093,127.0.0.1:9103');
    // the election timings stay Kafka's defaults: the drill times a controller failover with them
    expect(Object.keys(props).filter((k) => k.startsWith('controller.quorum.') && k !== 'controller.quorum.bootstrap.servers')).toEqual([]);
    expect(props['broker.session.timeout.ms']).toBe('3000');
  });

  it('is durable: every internal topic replicated 3 times, 2 in sync, no unclean election', () => {
    expect(props['default.replication.factor']).toBe('3');
    expect(props['min.insync.replicas']).toBe('2');
    expect(props['offsets.topic.replication.factor']).toBe('3');
    expect(props['transaction.state.log.min.isr']).toBe('2');
    expect(props['unclean.leader.election.enable']).toBe('false');
    // a single node cannot ask for 3 replicas
    expect(kafkaNodeConfig({ nodeId: 1, port: 1, controllerPort: 2, controllers: '127.0.0.1:2', dataDir: '/d', nodes: 1, sessionTimeoutMs: 9000, heartbeatMs: 2000 })).toContain('default.replication.factor=1\nmin.insync.replicas=1');
  });

  it('has no key twice', () => {
    const keys = config.split('\n').filter(Boolean).map((l) => l.split('=')[0]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('logs in Kafka\'s own line format, which the log parser reads', () => {
    expect(kafkaLog4j2('/tmp/k2/server.log')).toContain('appender.file.layout.pattern = [%d] %p %m (%c)%n');
    expect(jvmFlags(256)).toEqual(expect.arrayContaining(['-Xmx256m', '-XX:+UseSerialGC']));
  });

  it('makes cluster ids as Kafka writes them: 22 URL-safe base64 characters, never a leading "-"', () => {
    for (let i = 0; i < 200; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
