// The external target in the drill schema, its preflight (no connection made) and command faults:
// what is accepted, what is refused, and that each refusal says how to fix it.
import { describe, expect, it } from 'vitest';
import { checkExternalTarget } from '../../src/plan/external-preflight.ts';
import { Drill, launchedService, targetName, targetTopology } from '../../src/schema/drill.ts';
import { remoteRefusal } from '../../src/schema/external.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function drill(target: Record<string, unknown> = {}, faults: any[] = [], top: Record<string, unknown> = {}): any {
  return {
    name: 'ext-drill',
    app: 'TEST',
    target: { kind: 'external', name: 'shop', endpoints: [{ name: 'api', baseUrl: 'http://127.0.0.1:8080', headers: { Authorization: 'env:SHOP_TOKEN' } }], ...target },
    load: { requests: [{ name: 'home', path: '/' }], profiles: [{ profile: 'baseline', rate: 10, duration: '30s' }] },
    faults,
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
    ...top,
  };
}
const problems = (input: unknown) => {
  const r = Drill.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const command = { name: 'flag', driver: 'command', action: 'command', target: 'shop', at: '5s', duration: '10s', inject: { argv: ['touch', 'flag'] }, revert: { argv: ['rm', '-f', 'flag'], timeout: '2s' } };

describe('target.kind: external', () => {
  it('parses endpoints with defaults; the accessors handle the union in one place', () => {
    const d = Drill.parse(drill({}, [command]));
    expect(launchedService(d.target)).toBeNull();
    expect(targetName(d.target)).toBe('shop');
    expect(targetTopology(d.target)).toEqual({ service: 'shop', replicas: 1, zones: [] });
    expect(d.faults[0]).toMatchObject({ driver: 'command', inject: { argv: ['touch', 'flag'], timeout: 30_000, shell: false }, revert: { timeout: 2000 } });
  });

  it('refuses what cannot act on a system gameday did not start, and names the fix', () => {
    const kill = { name: 'kill', driver: 'process', action: 'pod-kill', target: 'shop', at: '5s', duration: '10s' };
    expect(problems(drill({}, [kill]))).toContainEqual(expect.stringMatching(/^faults\.0\.driver: gameday starts nothing of an external target/));
    const elsewhere = { name: 'lag', action: 'latency', target: 'checkout', at: '5s', duration: '10s', latency: '100ms' };
    expect(problems(drill({}, [elsewhere]))).toEqual(['faults.0.target: no endpoint named "checkout": write the system\'s name "shop" (every endpoint) or one of api']);
    const down = { name: 'off', action: 'down', target: 'shop', proxy: 'orders-db', at: '5s', duration: '10s' };
    expect(problems(drill({}, [down]))[0]).toMatch(/^faults\.0\.action: down disables a proxy, and "orders-db" is your team's/);
    const both = [{ name: 'lag', action: 'latency', target: 'shop', at: '5s', duration: '10s', latency: '100ms' }, { name: 'cut', action: 'down', target: 'api', at: '8s', duration: '2s' }];
    expect(problems(drill({}, both))).toEqual(['faults.1.at: fault "cut" acts on toxiproxy api while faults[0] ("lag", 5000–15000 ms) does too: start it after 15000 ms or aim it elsewhere']);
    const twice = drill({ endpoints: [{ name: 'api', baseUrl: 'http://127.0.0.1:1' }, { name: 'api', baseUrl: 'http://127.0.0.1:2' }] });
    expect(problems(twice)).toEqual(['target.endpoints.1.name: endpoint names must be unique: "api" is also target.endpoints[0].name: rename one of them']);
    expect(problems(drill({ endpoints: [{ name: 'api', baseUrl: 'http://127.0.0.1:1', tls: false }] }))[0]).toMatch(/^target\.endpoints\.0/);
  });

  it('a proxy: fault belongs to an external target and to the toxiproxy driver', () => {
    const launched = { kind: 'process', service: { name: 'hub', command: ['node', 'server.mjs'] } };
    const onLaunched = { ...drill(), target: launched, faults: [{ name: 'lag', action: 'latency', target: 'hub', proxy: 'db', at: '5s', duration: '10s', latency: '100ms' }] };
    expect(problems(onLaunched)[0]).toMatch(/^faults\.0\.proxy: a proxy of the team's Toxiproxy is for an external target/);
    expect(problems(drill({}, [{ ...command, proxy: 'db' }]))[0]).toMatch(/^faults\.0\.proxy: proxy names a proxy of the team's Toxiproxy: only a toxiproxy fault has one/);
  });
});

describe('external preflight: refused before any connection', () => {
  it('needs loopback, or allowRemote naming the host; reads env: headers; a proxy: fault needs a team Toxiproxy', () => {
    const run = (input: unknown, env: NodeJS.ProcessEnv) => {
      const out: string[] = [];
      const r = checkExternalTarget(Drill.parse(input), env, out);
      return { ...r, problems: out };
    };
    expect(run(drill(), { SHOP_TOKEN: 'Bearer x' })).toEqual({ headerSecrets: ['Bearer x'], teamToxiproxy: null, problems: [] });
    expect(run(drill(), {}).problems).toEqual(['target.endpoints[0].headers.Authorization: environment variable SHOP_TOKEN is not set: export it before running (its value is sent, never written to the evidence)']);
    const remote = drill({ endpoints: [{ name: 'api', baseUrl: 'https://shop.staging.example:443' }] });
    expect(run(remote, {}).problems[0]).toMatch(/^target\.endpoints\[0\]\.baseUrl: https:\/\/shop\.staging\.example:443 is not on loopback: .*hosts: \["shop\.staging\.example"\].*nothing was contacted/);
    const allowed = { ...remote, allowRemote: { reason: 'staging drill, approved by SRE-42', hosts: ['shop.staging.example'] } };
    expect(run(allowed, {}).problems).toEqual([]);
    const lag = { name: 'db-slow', action: 'latency', target: 'shop', proxy: 'orders-db', at: '5s', duration: '10s', latency: '100ms' };
    expect(run(drill({}, [lag]), { SHOP_TOKEN: 'x' }).problems).toEqual(['faults[0].proxy: "orders-db" is a proxy of your Toxiproxy, and none is named: set target.toxiproxy.url (or TOXIPROXY_URL)']);
    expect(run(drill({}, [lag]), { SHOP_TOKEN: 'x', TOXIPROXY_URL: 'http://127.0.0.1:8474' }).teamToxiproxy).toBe('http://127.0.0.1:8474');
    expect(run(drill({ toxiproxy: { url: 'http://10.1.2.3:8474' } }, [lag]), { SHOP_TOKEN: 'x' }).problems[0]).toMatch(/^target\.toxiproxy\.url: http:\/\/10\.1\.2\.3:8474 is not on loopback/);
  });

  it('remoteRefusal: loopback passes; a shared TOXIPROXY_URL keeps passing on a reason alone (legacy), an endpoint does not', () => {
    expect(remoteRefusal('http://127.0.0.1:1', undefined, 'x')).toBeNull();
    expect(remoteRefusal('http://localhost:1', undefined, 'x')).toBeNull();
    expect(remoteRefusal('http://tx.staging:8474', { reason: 'staging toxiproxy' }, 'TOXIPROXY_URL=', true)).toBeNull();
    expect(remoteRefusal('http://tx.staging:8474', { reason: 'staging toxiproxy' }, 'endpoint api:')).toMatch(/tx\.staging is not in allowRemote\.hosts \(none listed\)/);
    expect(remoteRefusal('nope', undefined, 'endpoint api:')).toMatch(/is not a URL/);
  });
});
