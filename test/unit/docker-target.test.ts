import { describe, expect, it } from 'vitest';
import { Drill } from '../../src/schema/drill.ts';
import { dockerHostRefusal } from '../../src/targets/docker-environment.ts';

function drill(target: Record<string, unknown>, faults: unknown[]): unknown {
  return {
    name: 'docker-drill',
    app: 'TEST',
    target: { kind: 'docker', name: 'shop', endpoints: [{ name: 'api', baseUrl: 'http://127.0.0.1:8081' }], containers: { labels: { 'com.docker.compose.project': 'shop' } }, ...target },
    load: { requests: [{ name: 'status', path: '/status/200' }], profiles: [{ profile: 'baseline', rate: 10, duration: '30s' }] },
    faults,
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
  };
}
const problems = (input: unknown) => {
  const r = Drill.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const pause = { name: 'freeze', driver: 'docker', action: 'pause', target: 'shop', at: '5s', duration: '5s' };

describe('target.kind docker', () => {
  it('takes labels (zone label defaulted) and docker faults with a selection', () => {
    const d = Drill.parse(drill({}, [{ ...pause, select: { mode: 'percent', value: 50 } }]));
    expect(d.target).toMatchObject({ kind: 'docker', containers: { labels: { 'com.docker.compose.project': 'shop' }, zoneLabel: 'zone' } });
    expect(d.faults[0]).toMatchObject({ driver: 'docker', action: 'pause', select: { mode: 'percent', value: 50, seed: 1 } });
  });

  it('refuses no labels, docker faults on an external target, select on other drivers, and drivers with nothing to act on', () => {
    expect(problems(drill({ containers: { labels: {} } }, []))).toEqual(['target.containers.labels: select the containers by at least one label, e.g. { com.docker.compose.project: shop }']);
    const external = drill({ kind: 'external', containers: undefined }, [pause]) as { target: Record<string, unknown> };
    delete external.target.containers;
    expect(problems(external)).toEqual([expect.stringMatching(/^faults\.0\.driver: the docker driver acts on the containers of a docker target/)]);
    expect(problems(drill({}, [{ name: 'slow', action: 'partition', target: 'api', at: '5s', duration: '5s', select: { mode: 'all' } }]))).toEqual([
      'faults.0.select: select picks containers of a docker target or pods of a kubernetes target; the toxiproxy driver takes its target instead — remove select',
    ]);
    expect(problems(drill({}, [{ name: 'kill', driver: 'process', action: 'pod-kill', target: 'shop', at: '5s', duration: '5s' }]))[0]).toMatch(/gameday starts nothing of a docker target, so the process driver has nothing to act on/);
  });

  it('refuses a Docker engine off this machine unless allowRemote names its host', () => {
    expect(dockerHostRefusal(undefined, undefined)).toBeNull();
    expect(dockerHostRefusal('unix:///var/run/docker.sock', undefined)).toBeNull();
    expect(dockerHostRefusal('tcp://127.0.0.1:2375', undefined)).toBeNull();
    expect(dockerHostRefusal('tcp://build-host:2375', undefined)).toMatch(/DOCKER_HOST .* not on loopback/);
    expect(dockerHostRefusal('tcp://build-host:2375', { reason: 'the shared staging engine, SRE-7', hosts: ['build-host'] })).toBeNull();
  });
});
