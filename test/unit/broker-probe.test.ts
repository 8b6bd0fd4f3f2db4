// Pure parts of the broker failover fault: loss/duplication analysis, node config, stream group reading.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StreamInfo } from 'nats';
import { analyseDelivery, type DeliveredMessage, type PublishedMessage } from '../../chaos/broker/delivery-analysis.ts';
import { resolveNatsServer } from '../../chaos/broker/nats-binary.ts';
import { natsNodeConfig, type NatsClusterSpec } from '../../chaos/broker/nats-config.ts';
import { groupIsCurrent, streamGroup } from '../../chaos/broker/stream-state.ts';

const pub = (n: number, acknowledged = true, confirmed = acknowledged): PublishedMessage => ({ n, acknowledged, confirmed });
const got = (n: number, streamSeq = n, redelivered = false): DeliveredMessage => ({ n, streamSeq, redelivered });

describe('analyseDelivery', () => {
  it('a clean run: everything acknowledged is delivered once', () => {
    const a = analyseDelivery([1, 2, 3, 4].map((n) => pub(n)), [1, 2, 3, 4].map((n) => got(n)));
    expect(a).toMatchObject({ published: 4, acknowledged: 4, confirmedByPubAck: 4, delivered: 4, lost: 0, duplicated: 0, maxGap: 0, storedMoreThanOnce: 0 });
    expect(a.lostSequences).toEqual([]);
  });

  it('counts acknowledged-but-never-delivered as lost, with the longest gap', () => {
    const published = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => pub(n, true, false));
    const a = analyseDelivery(published, [1, 2, 6, 8].map((n) => got(n)));
    expect(a.lost).toBe(4);
    expect(a.lostSequences).toEqual([3, 4, 5, 7]);
    expect(a.maxGap).toBe(3);
    expect(a.confirmedByPubAck).toBe(0);
  });

  it('a message the publisher never saw sent is not lost, but a gap', () => {
    const a = analyseDelivery([pub(1), pub(2, false), pub(3)], [got(1), got(3)]);
    expect(a.lost).toBe(0);
    expect(a.acknowledged).toBe(2);
    expect(a.maxGap).toBe(1);
  });

  it('tells redeliveries from messages stored twice (dedup failure)', () => {
    const a = analyseDelivery(
      [1, 2, 3].map((n) => pub(n)),
      [got(1), got(2), got(2, 2, true), got(3, 3), got(3, 4)],
    );
    expect(a.duplicated).toBe(2);
    expect(a.extraDeliveries).toBe(2);
    expect(a.redeliveries).toBe(1);
    expect(a.storedMoreThanOnce).toBe(1);
    expect(a.lost).toBe(0);
  });

  it('counts deliveries the publisher never got a PubAck for', () => {
    const a = analyseDelivery([pub(1), pub(2, false)], [got(1), got(2)]);
    expect(a.deliveredUnacknowledged).toBe(1);
    expect(a.delivered).toBe(2);
  });

  it('samples at most 50 lost sequence numbers', () => {
    const a = analyseDelivery(Array.from({ length: 120 }, (_, i) => pub(i + 1)), []);
    expect(a.lost).toBe(120);
    expect(a.lostSequences).toHaveLength(50);
    expect(a.maxGap).toBe(120);
  });
});

describe('natsNodeConfig', () => {
  const spec: NatsClusterSpec = {
    clusterName: 'gameday',
    maxMemoryMb: 64,
    maxFileMb: 256,
    nodes: [1, 2, 3].map((i) => ({ name: `n${i}`, ports: { client: 4000 + i, cluster: 6000 + i, monitor: 8000 + i }, storeDir: `/tmp/x/n${i}/store` })),
  };

  it('listens on loopback only, with its own name and store, and routes to every other node', () => {
    const text = natsNodeConfig(spec, 'n2');
    expect(text).toContain('server_name: "n2"');
    expect(text).toContain('listen: "127.0.0.1:4002"');
    expect(text).toContain('http: "127.0.0.1:8002"');
    expect(text).toContain('store_dir: "/tmp/x/n2/store"');
    expect(text).toMatch(/cluster \{\n {2}name: "gameday"\n {2}listen: "127\.0\.0\.1:6002"/);
    expect(text).toContain('"nats-route://127.0.0.1:6001"');
    expect(text).toContain('"nats-route://127.0.0.1:6003"');
    expect(text).not.toContain('nats-route://127.0.0.1:6002');
    expect(text).not.toMatch(/0\.0\.0\.0/);
  });

  it('rejects an unknown node', () => {
    expect(() => natsNodeConfig(spec, 'n9')).toThrow(/no node named n9/);
  });

  it('advertises another address to clients when asked (its Toxiproxy proxy), and none by default', () => {
    expect(natsNodeConfig(spec, 'n1')).not.toContain('client_advertise');
    const proxied: NatsClusterSpec = { ...spec, nodes: spec.nodes.map((n, i) => ({ ...n, clientAdvertise: `127.0.0.1:${5000 + i}` })) };
    expect(natsNodeConfig(proxied, 'n2')).toContain('client_advertise: "127.0.0.1:5001"');
  });
});

describe('streamGroup / groupIsCurrent', () => {
  const info = (leader: string | undefined, replicas: Array<{ name: string; current: boolean; offline?: boolean }>, num = 3) =>
    ({
      config: { name: 'ORDERS', num_replicas: num, storage: 'file' },
      cluster: { name: 'gameday', leader, replicas: replicas.map((r) => ({ offline: false, active: 0, lag: 0, ...r })) },
    }) as unknown as StreamInfo;

  it('reads the leader from cluster.leader and puts it first among the peers', () => {
    const g = streamGroup(info('n2', [{ name: 'n1', current: true }, { name: 'n3', current: true }]));
    expect(g.leader).toBe('n2');
    expect(g.peers.map((p) => [p.name, p.leader])).toEqual([['n2', true], ['n1', false], ['n3', false]]);
    expect(groupIsCurrent(g)).toBe(true);
    expect(groupIsCurrent(g, 'n3')).toBe(true);
    expect(groupIsCurrent(g, 'n4')).toBe(false);
  });

  it('is not current without a leader, with a replica missing, behind or offline', () => {
    expect(groupIsCurrent(streamGroup(info(undefined, [{ name: 'n1', current: true }, { name: 'n3', current: true }])))).toBe(false);
    expect(groupIsCurrent(streamGroup(info('n2', [{ name: 'n1', current: true }])))).toBe(false);
    expect(groupIsCurrent(streamGroup(info('n2', [{ name: 'n1', current: true }, { name: 'n3', current: false }])))).toBe(false);
    expect(groupIsCurrent(streamGroup(info('n2', [{ name: 'n1', current: true }, { name: 'n3', current: true, offline: true }])))).toBe(false);
  });
});

describe('resolveNatsServer', () => {
  it('uses NATS_SERVER_BIN when set, and says how to install nats-server when there is none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-natsbin-'));
    try {
      const fake = path.join(dir, 'nats-server');
      fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
      expect(resolveNatsServer({ NATS_SERVER_BIN: fake, PATH: '' })).toBe(fake);
      expect(resolveNatsServer({ PATH: dir })).toBe(fake);
      expect(() => resolveNatsServer({ NATS_SERVER_BIN: path.join(dir, 'missing') })).toThrow(/not an executable/);
      expect(() => resolveNatsServer({ PATH: path.join(dir, 'empty') }, [])).toThrow(/apt-get install nats-server/);
      expect(resolveNatsServer({ PATH: '' }, [fake])).toBe(fake);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
