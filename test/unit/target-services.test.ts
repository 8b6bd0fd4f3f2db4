import { describe, expect, it } from 'vitest';
import { Drill, serviceStartOrder } from '../../src/schema/drill.ts';
import { preflight } from '../../src/plan/preflight.ts';

function drill(services: unknown[], faults: unknown[] = [], env: Record<string, string> = {}): unknown {
  return {
    name: 'services-drill',
    app: 'TEST',
    target: { kind: 'process', service: { name: 'app', command: ['node', '-e', '0'], env }, services },
    load: { requests: [{ name: 'x', path: '/' }], profiles: [{ profile: 'baseline', rate: 10, duration: '30s' }] },
    faults,
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
  };
}
const problems = (input: unknown) => {
  const r = Drill.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const svc = (name: string, dependsOn: string[] = [], env: Record<string, string> = {}) => ({ name, command: ['redis-server'], dependsOn, env });

describe('target.services', () => {
  it('orders services after what they depend on', () => {
    const order = serviceStartOrder([svc('api', ['db', 'cache']), svc('cache', ['db']), svc('db')]);
    expect(order.map((s) => s.name)).toEqual(['db', 'cache', 'api']);
  });

  it('defaults: one replica, TCP health, no dependencies', () => {
    const d = Drill.parse(drill([{ name: 'db', command: ['redis-server'] }])) as { target: { services: unknown[] } };
    expect(d.target.services[0]).toMatchObject({ name: 'db', replicas: 1, healthPath: null, dependsOn: [] });
  });

  it('refuses duplicate names, unknown dependencies, cycles, and non-network faults on a dependency', () => {
    expect(problems(drill([svc('app')]))).toEqual(['target.services.0.name: "app" is taken (by the service, the broker or another service): give each its own name']);
    expect(problems(drill([svc('db', ['nope'])]))).toEqual(['target.services.0.dependsOn.0: no service named "nope" in target.services (db)']);
    expect(problems(drill([svc('a', ['b']), svc('b', ['a'])]))[0]).toMatch(/depend on each other: nothing could start first/);
    expect(problems(drill([svc('db')], [{ name: 'k', driver: 'process', action: 'pod-kill', target: 'db', at: '5s', duration: '5s' }]))).toEqual([
      'faults.0.driver: "db" is one of target.services: network faults on its proxies (driver toxiproxy) reach it — cutting the service off from it; the process driver acts on the service "app" only',
    ]);
    expect(problems(drill([svc('db')], [{ name: 'cut', action: 'partition', target: 'db', at: '5s', duration: '5s' }]))).toEqual([]);
  });

  it('validate: {{services.X}} must name a service started before (the app: any; a dependency: its dependsOn)', () => {
    const d = (services: unknown[], env: Record<string, string>) => ({ drill: Drill.parse(drill(services, [], env)), file: '/tmp/d.json', dir: '/tmp' });
    expect(() => preflight(d([svc('db')], { DB: '{{services.db.address}}' }) as never)).not.toThrow();
    expect(() => preflight(d([svc('db'), svc('api', [], { DB: '{{services.db.url}}' })], {}) as never)).toThrow(/target\.services\[1\]\.env\.DB: \{\{services\.db\.url\}\}: no service "db" started before this one/);
    expect(() => preflight(d([svc('db')], { X: '{{services.nope.url}}' }) as never)).toThrow(/no service "nope"/);
  });
});
