// What the target can add (load balancer, broker, limited disk) and the two faults that need it:
// the schema accepts what is wired and rejects what cannot run, saying how to fix it.
import { describe, expect, it } from 'vitest';
import { brokerChaosFigures, podReplacementFigures } from '../../src/targets/chaos-figures.ts';
import { evaluateChaos } from '../../src/judge/external.ts';
import { renderTemplate, type TemplateVars } from '../../src/targets/environment.ts';
import { actionsOf } from '../../chaos/registry.ts';
import { Drill, FAULT_ACTIONS, SizeMb, probeSubject, launchedTarget } from '../../src/schema/drill.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function drill(target: Record<string, unknown> = {}, faults: any[] = []): any {
  return {
    name: 'target-drill',
    app: 'TEST',
    target: { kind: 'process', service: { name: 'hub', command: ['node', 'server.mjs'], replicas: 2, zones: ['a', 'b'] }, ...target },
    load: { requests: [{ name: 'offers', path: '/offers' }], profiles: [{ profile: 'baseline', rate: 10, duration: '30s' }] },
    faults,
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
  };
}

const BROKER = { broker: { kind: 'nats', nodes: 3, streams: [{ name: 'HUB_EVENTS', subjects: ['hub.events.>'] }] } };
const failover = (extra: Record<string, unknown> = {}) => ({ name: 'leader-dies', driver: 'broker', action: 'broker-failover', target: 'broker', at: '5s', duration: '10s', ...extra });
const diskFull = (extra: Record<string, unknown> = {}) => ({ name: 'disk-fills', driver: 'disk', action: 'disk-full', target: 'hub', at: '5s', duration: '10s', ...extra });

/** "path: message" of every issue */
function problems(input: unknown): string[] {
  const r = Drill.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('target: load balancer, broker, disk', () => {
  it('accepts all three, with defaults filled in', () => {
    const d = Drill.parse(drill({ loadBalancer: { kind: 'nginx' }, ...BROKER, disk: { size: '32m' } }, [failover(), diskFull()]));
    expect(launchedTarget(d.target)!.loadBalancer).toEqual({ kind: 'nginx', maxFails: 1, failTimeout: 10_000, nextUpstream: ['error', 'timeout', 'http_502', 'http_503'] });
    expect(launchedTarget(d.target)!.broker).toEqual({ kind: 'nats', name: 'broker', nodes: 3, streams: [{ name: 'HUB_EVENTS', subjects: ['hub.events.>'] }] });
    expect(launchedTarget(d.target)!.disk).toEqual({ size: 32 });
    expect(d.faults[1]).toMatchObject({ action: 'disk-full', percent: 100 });
  });

  it('lets the drill set the load balancer\'s health check and retries, and refuses off among other conditions', () => {
    const d = Drill.parse(drill({ loadBalancer: { kind: 'nginx', maxFails: 3, failTimeout: '2s', nextUpstream: ['error'], retries: 0 } }));
    expect(launchedTarget(d.target)!.loadBalancer).toEqual({ kind: 'nginx', maxFails: 3, failTimeout: 2000, nextUpstream: ['error'], retries: 0 });
    expect(problems(drill({ loadBalancer: { kind: 'nginx', nextUpstream: ['off', 'error'] } }))).toEqual(['target.loadBalancer.nextUpstream: off stands alone: write [off], or list the conditions']);
    expect(problems(drill({ loadBalancer: { kind: 'nginx', maxFails: -1 } }))[0]).toMatch(/^target\.loadBalancer\.maxFails/);
  });

  it('reads sizes in MiB and GiB, and rejects others naming the forms', () => {
    expect(SizeMb.parse('32m')).toBe(32);
    expect(SizeMb.parse('64MB')).toBe(64);
    expect(SizeMb.parse('1g')).toBe(1024);
    expect(SizeMb.parse(16)).toBe(16);
    expect(problems(drill({ disk: { size: '10 kb' } }))).toEqual(['target.disk.size: "10 kb" is not a size: write e.g. "32m" or "1g" (1 MiB to 64 GiB)']);
    expect(problems(drill({ disk: { size: 0 } }))[0]).toMatch(/^target\.disk\.size: 0 is not a size/);
  });

  it('knows the two new faults and their drivers', () => {
    expect(FAULT_ACTIONS).toContain('broker-failover');
    expect(FAULT_ACTIONS).toContain('disk-full');
    expect(actionsOf('broker')).toEqual(['broker-failover']);
    expect(actionsOf('disk')).toEqual(['disk-full']);
  });
});

describe('broker-failover and disk-full need their part of the target', () => {
  it('rejects a broker-failover without target.broker, saying what to add', () => {
    expect(problems(drill({}, [failover()]))).toEqual(['faults.0.action: a broker-failover needs a broker to fail over: add target.broker: { kind: nats, nodes: 3 }']);
  });

  it('rejects a disk-full without target.disk, saying what to add', () => {
    expect(problems(drill({}, [diskFull()]))).toEqual(['faults.0.action: disk-full fills a size-limited DATA_DIR, never the host\'s disk: add target.disk: { size: "32m" }']);
  });

  it('rejects a broker-failover on fewer than 3 nodes', () => {
    expect(problems(drill({ broker: { kind: 'nats', nodes: 1 } }, [failover()]))).toEqual([
      'faults.0.action: a broker-failover needs at least 3 nodes (a replicated stream keeps its quorum): set target.broker.nodes to 3, not 1',
    ]);
  });

  it('rejects a broker-failover aimed at the service, or at a stream that is not declared', () => {
    expect(problems(drill(BROKER, [failover({ target: 'hub' })]))).toEqual(['faults.0.target: a broker-failover targets the broker: write target: "broker"']);
    expect(problems(drill(BROKER, [failover({ stream: 'ORDERS' })]))).toEqual(['faults.0.stream: no stream named "ORDERS" in target.broker.streams (HUB_EVENTS)']);
  });

  it('asks for driver "broker" / "disk" when the default toxiproxy driver is left in place', () => {
    expect(problems(drill(BROKER, [failover({ driver: undefined })]))[0]).toBe('faults.0.driver: the toxiproxy driver does not support "broker-failover" (it supports latency, bandwidth, partition, down, reset): use driver "broker"');
    expect(problems(drill({ disk: { size: '8m' } }, [diskFull({ driver: 'process' })]))[0]).toMatch(/the process driver does not support "disk-full".*use driver "disk"/);
  });

  it('lets network faults target the broker (its proxies), but not process or disk faults', () => {
    expect(problems(drill(BROKER, [{ name: 'cut-off', action: 'partition', target: 'broker', at: '5s', duration: '5s' }]))).toEqual([]);
    expect(problems(drill(BROKER, [{ name: 'kill', driver: 'process', action: 'pod-kill', target: 'broker', at: '5s', duration: '5s' }]))).toEqual([
      'faults.0.target: the process driver acts on the service: write target: "hub" (network faults on the broker use driver toxiproxy)',
    ]);
    expect(problems(drill(BROKER, [{ name: 'x', action: 'latency', latency: '1s', target: 'nope', at: '5s', duration: '5s' }]))).toEqual([
      'faults.0.target: no service named "nope": the drill\'s service is "hub" (and its broker "broker")',
    ]);
  });

  it('rejects a broker named like the service, duplicate streams and subjects that would swallow the probe', () => {
    expect(problems(drill({ broker: { kind: 'nats', name: 'hub' } }))).toEqual(['target.broker.name: the broker needs a name of its own: "hub" is the service\'s']);
    const streams = [
      { name: 'A', subjects: ['a.>'] },
      { name: 'A', subjects: ['>'] },
    ];
    expect(problems(drill({ broker: { kind: 'nats', streams } }))).toEqual([
      'target.broker.streams.1.name: stream names must be unique: "A" is used twice',
      'target.broker.streams.1.subjects.0: ">" overlaps gameday\'s probe subjects (gameday.probe.*): narrow it, e.g. "hub.events.>"',
    ]);
    expect(probeSubject('HUB_EVENTS')).toBe('gameday.probe.HUB_EVENTS');
  });
});

describe('{{broker.url}}', () => {
  const vars: TemplateVars = { port: '1', replica: '0', zone: 'a', dataDir: '/d', partners: {} };
  it('is filled in when the drill has a broker', () => {
    expect(renderTemplate('{{broker.url}}', { ...vars, broker: { url: 'nats://127.0.0.1:4222' } })).toBe('nats://127.0.0.1:4222');
  });
  it('is an error naming the fix when it has none', () => {
    expect(() => renderTemplate('{{broker.url}}', vars)).toThrow('{{broker.url}} needs a broker: add target.broker: { kind: nats, nodes: 3 } (or { kind: redis-sentinel }) to the drill');
  });
});

describe('chaos figures of broker failovers', () => {
  it('per fault, and over all of them: the longest failover, the sum of lost messages', () => {
    const figures = { a: { failoverMs: 1200, messagesLost: 0 }, b: { failoverMs: 3400, messagesLost: 2 } };
    expect(brokerChaosFigures(['a', 'b'], (f) => figures[f as 'a' | 'b'])).toEqual({
      'chaos/a/broker-failover-time': 1200,
      'chaos/a/message-loss': 0,
      'chaos/b/broker-failover-time': 3400,
      'chaos/b/message-loss': 2,
      'chaos/broker-failover-time': 3400,
      'chaos/message-loss': 2,
    });
  });
  it('an unknown figure makes the aggregate unknown; no failover fault, no figures', () => {
    const out = brokerChaosFigures(['a', 'b'], (f) => (f === 'a' ? { failoverMs: 900, messagesLost: 0 } : { failoverMs: null, messagesLost: null }));
    expect(out['chaos/broker-failover-time']).toBeNull();
    expect(out['chaos/message-loss']).toBeNull();
    expect(out['chaos/a/message-loss']).toBe(0);
    expect(brokerChaosFigures([], () => ({ failoverMs: 1, messagesLost: 1 }))).toEqual({});
  });
});

describe('chaos figures of kubernetes pod replacements', () => {
  it('per fault the slowest replacement, over all the slowest; faults that deleted nothing give none', () => {
    const out = podReplacementFigures([
      { name: 'kill-one', replacements: { pods: [{ readyAfterMs: 52 }], complete: true } },
      { name: 'zone-b', replacements: { pods: [{ readyAfterMs: 400 }, { readyAfterMs: 1250 }], complete: true } },
      { name: 'cut-off', replacements: undefined },
    ]);
    expect(out).toEqual({ 'chaos/kill-one/pod-replacement-time': 52, 'chaos/zone-b/pod-replacement-time': 1250, 'chaos/pod-replacement-time': 1250 });
    expect(podReplacementFigures([{ name: 'cut-off', replacements: null }])).toEqual({});
  });
  it('a replacement not seen Ready in time makes the figure unknown, not the time of those that came back', () => {
    const out = podReplacementFigures([
      { name: 'kill-one', replacements: { pods: [{ readyAfterMs: 52 }], complete: true } },
      { name: 'zone-b', replacements: { pods: [{ readyAfterMs: 400 }], complete: false } },
    ]);
    expect(out['chaos/zone-b/pod-replacement-time']).toBeNull();
    expect(out['chaos/pod-replacement-time']).toBeNull();
    const slo = { name: 'pods-back', kind: 'chaos', figure: 'pod-replacement-time', fault: 'zone-b', within: 30_000, severity: 'blocking' };
    expect(evaluateChaos(slo as never, { figures: out } as never)).toMatchObject({ pass: false, reason: 'no-evidence' });
  });
  it('is judged as a duration: within, not atMost', () => {
    const ok = { name: 'pods-back', kind: 'chaos', figure: 'pod-replacement-time', within: 2000, severity: 'blocking' };
    expect(evaluateChaos(ok as never, { figures: { 'chaos/pod-replacement-time': 1250 } } as never)).toMatchObject({ pass: true, unit: 'ms', objective: 'pod-replacement-time ≤ 2 s' });
    expect(evaluateChaos(ok as never, { figures: { 'chaos/pod-replacement-time': 2500 } } as never)).toMatchObject({ pass: false, reason: 'breached' });
    const bad = Drill.safeParse({ ...drill(), slos: [{ name: 'pods-back', kind: 'chaos', figure: 'pod-replacement-time', atMost: 3 }] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/pod-replacement-time is a duration: write within/);
    // only where gameday deletes pods: a process target has no kubernetes fault
    const nowhere = Drill.safeParse({ ...drill(), slos: [{ name: 'pods-back', kind: 'chaos', figure: 'pod-replacement-time', within: '2s' }] });
    expect(JSON.stringify(nowhere.error?.issues)).toMatch(/pod-replacement-time is measured on a kubernetes pod-kill or az-failure fault: add one/);
  });
});

describe('blast radius', () => {
  it('a Toxiproxy off loopback is refused unless the drill allows it with a reason', async () => {
    const { refuseRemote } = await import('../../src/targets/environment.ts');
    expect(() => refuseRemote('http://127.0.0.1:8474', {})).not.toThrow();
    expect(() => refuseRemote('http://localhost:8474/', {})).not.toThrow();
    expect(() => refuseRemote('http://10.0.0.5:8474', {})).toThrow(/not on loopback.*allowRemote/);
    expect(() => refuseRemote('http://toxiproxy.staging:8474', { allowRemote: { reason: 'staging toxiproxy, approved by SRE-42' } })).not.toThrow();
    expect(() => refuseRemote('not a url', {})).toThrow(/is not a URL/);
  });
});

describe('target.broker kind redis-sentinel', () => {
  it('takes replicas and sentinels, refuses a stream on its failover', () => {
    const redis = { broker: { kind: 'redis-sentinel', name: 'cache' } };
    const ok = Drill.safeParse(drill(redis, [failover({ target: 'cache' })]));
    expect(ok.success).toBe(true);
    if (ok.success) expect((ok.data.target as { broker?: unknown }).broker).toEqual({ kind: 'redis-sentinel', name: 'cache', replicas: 2, sentinels: 3, downAfter: 5000 });
    expect(problems(drill(redis, [failover({ target: 'cache', stream: 'X' })]))).toEqual(['faults.0.stream: a redis-sentinel broker has no streams: remove stream (the failover kills the primary)']);
    expect(problems(drill({ broker: { kind: 'redis-sentinel', streams: [] } }, []))[0]).toMatch(/^target\.broker/);
  });
});

describe('target.broker kind kafka', () => {
  it('takes nodes, topics and the session timeout; a failover needs 3 nodes and no stream', () => {
    const kafka = (extra: Record<string, unknown> = {}) => ({ broker: { kind: 'kafka', name: 'log', topics: ['hub-events'], ...extra } });
    const ok = Drill.safeParse(drill(kafka(), [failover({ target: 'log' })]));
    expect(ok.success).toBe(true);
    if (ok.success) expect((ok.data.target as { broker?: unknown }).broker).toEqual({ kind: 'kafka', name: 'log', nodes: 3, topics: ['hub-events'], sessionTimeout: 9000 });
    expect(problems(drill(kafka({ nodes: 1 }), [failover({ target: 'log' })]))[0]).toMatch(/needs at least 3 Kafka nodes/);
    expect(problems(drill(kafka(), [failover({ target: 'log', stream: 'X' })]))).toEqual(["faults.0.stream: a kafka broker has no streams: remove stream (the failover kills a probe topic's partition leader)"]);
    expect(problems(drill(kafka({ topics: ['bad topic'] }), []))[0]).toMatch(/^target\.broker\.topics\.0: a Kafka topic name/);
  });
});
