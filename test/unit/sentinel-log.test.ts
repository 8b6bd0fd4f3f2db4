import { describe, expect, it } from 'vitest';
import { firstSwitchAfter, parseSwitchMaster } from '../../chaos/store/sentinel-log.ts';
import { sentinelConfig, sentinelId } from '../../chaos/store/redis-sentinel.ts';
import { analyseWrites, type ProbeWrite } from '../../chaos/store/write-probe.ts';

const LOG = [
  '4242:X 05 Dec 2026 18:45:00.100 # +sdown master gameday 127.0.0.1 6379',
  '4242:X 05 Dec 2026 18:45:01.123 # +switch-master gameday 127.0.0.1 6379 127.0.0.1 6380',
  '4242:X 05 Dec 2026 18:45:09.999 # +switch-master other 127.0.0.1 7000 127.0.0.1 7001',
  'not a log line',
].join('\n');

describe('Sentinel log', () => {
  it('reads +switch-master lines with their local time, old and new primary', () => {
    const all = parseSwitchMaster(LOG);
    expect(all).toHaveLength(2);
    expect(all[0]).toEqual({ at: new Date(2026, 11, 5, 18, 45, 1, 123), masterName: 'gameday', from: '127.0.0.1:6379', to: '127.0.0.1:6380' });
    expect(parseSwitchMaster(LOG, 'other').map((s) => s.to)).toEqual(['127.0.0.1:7001']);
  });

  it('takes the earliest switch any sentinel logged after the kill', () => {
    const other = '17:X 05 Dec 2026 18:45:01.050 # +switch-master gameday 127.0.0.1 6379 127.0.0.1 6380';
    expect(firstSwitchAfter([LOG, other], new Date(2026, 11, 5, 18, 45, 0), 'gameday')?.at).toEqual(new Date(2026, 11, 5, 18, 45, 1, 50));
    expect(firstSwitchAfter([LOG], new Date(2026, 11, 5, 18, 46, 0), 'gameday')).toBeNull();
  });
});

describe('write analysis', () => {
  const w = (seq: number, acked: boolean): ProbeWrite => ({ seq, sentMono: seq, ackMono: acked ? seq + 1 : null, port: acked ? 6380 : null });
  it('counts acknowledged writes missing afterwards as lost, unacknowledged ones present as applied without ack', () => {
    const writes = [w(1, true), w(2, true), w(3, false), w(4, false), w(5, true)];
    const a = analyseWrites(writes, ['1', '3', '5', '5']);
    expect(a).toEqual({ attempted: 5, acknowledged: 3, failed: 2, lost: 1, lostSequences: [2], appliedWithoutAck: 1, duplicates: 1 });
  });
});

describe('sentinel config', () => {
  it('declares the replicas and the other sentinels, so a sentinel knows the set as it starts', () => {
    const ids = [sentinelId(), sentinelId()];
    const conf = sentinelConfig({ port: 26379, dir: '/d', logFile: '/d/s.log', masterName: 'gameday', primaryPort: 7000, quorum: 2, downAfterMs: 2000, failoverTimeoutMs: 5000, myId: ids[0], replicaPorts: [7001, 7002], otherSentinels: [{ port: 26380, id: ids[1] }] });
    const lines = conf.split('\n');
    expect(ids[0]).toMatch(/^[0-9a-f]{40}$/);
    expect(ids[1]).not.toBe(ids[0]);
    // every sentinel line after the monitor line that names the master
    const monitor = lines.indexOf('sentinel monitor gameday 127.0.0.1 7000 2');
    expect(monitor).toBeGreaterThan(lines.indexOf(`sentinel myid ${ids[0]}`));
    expect(lines.indexOf('sentinel known-replica gameday 127.0.0.1 7001')).toBeGreaterThan(monitor);
    expect(lines).toContain('sentinel known-replica gameday 127.0.0.1 7002');
    expect(lines.indexOf(`sentinel known-sentinel gameday 127.0.0.1 26380 ${ids[1]}`)).toBeGreaterThan(monitor);
  });

  it('leaves discovery to Sentinel when the set is not given', () => {
    const conf = sentinelConfig({ port: 26379, dir: '/d', logFile: '/d/s.log', masterName: 'gameday', primaryPort: 7000, quorum: 2, downAfterMs: 2000, failoverTimeoutMs: 5000 });
    expect(conf).not.toMatch(/myid|known-/);
  });
});
