// target.kind: containers in the drill schema: what it accepts, and each rejection naming the fix.
import { describe, expect, it } from 'vitest';
import { excludedFromImage } from '../../src/targets/containers.ts';
import { actionsOf } from '../../chaos/registry.ts';
import { Drill } from '../../src/schema/drill.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function drill(kind: 'process' | 'containers', faults: any[] = [], service: Record<string, unknown> = {}, target: Record<string, unknown> = {}): any {
  return {
    name: 'containers-drill',
    app: 'TEST',
    target: { kind, service: { name: 'hub', command: ['node', '../server.mjs'], replicas: 2, zones: ['a', 'b'], ...service }, ...target },
    load: { requests: [{ name: 'offers', path: '/offers' }], profiles: [{ profile: 'baseline', rate: 10, duration: '30s' }] },
    partners: [{ name: 'acme', webhookSecret: 'whsec_abc', behaviours: [{ at: '0s', status: 200 }] }],
    faults,
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
  };
}
const fault = (driver: string, action: string, extra: Record<string, unknown> = {}) => ({ name: `${action}-x`, driver, action, target: 'hub', at: '5s', duration: '5s', ...extra });

function problems(input: unknown): string[] {
  const r = Drill.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('target.kind: containers', () => {
  it('accepts the containers driver with pod-kill, az-failure and partition, and toxiproxy faults on the proxies', () => {
    expect(actionsOf('containers')).toEqual(['partition', 'pod-kill', 'az-failure']);
    const d = Drill.parse(
      drill('containers', [fault('containers', 'pod-kill', { replica: 1, restartAfter: '2s' }), fault('containers', 'az-failure', { zone: 'b', name: 'az', at: '12s' }), fault('containers', 'partition', { name: 'p' }), fault('toxiproxy', 'latency', { name: 'lat', latency: '100ms' })], {
        env: { WEBHOOK_SECRETS: '{{webhookSecrets}}', SECRET: '{{partners.acme.webhookSecret}}', WHERE: '{{zone}}-{{replica}}' },
      }),
    );
    expect(d.target.kind).toBe('containers');
    expect(d.faults.map((f) => f.driver)).toEqual(['containers', 'containers', 'containers', 'toxiproxy']);
  });

  it('rejects the process driver on a containers target, naming the containers driver', () => {
    expect(problems(drill('containers', [fault('process', 'pod-kill')]))).toEqual(['faults.0.driver: the replicas of a containers target are containers, not local processes: use driver "containers"']);
    expect(problems(drill('containers', [fault('process', 'az-failure', { zone: 'a' })]))[0]).toMatch(/use driver "containers"/);
  });

  it('rejects the containers driver on a process target, naming the process driver', () => {
    expect(problems(drill('process', [fault('containers', 'pod-kill')]))).toEqual([
      'faults.0.driver: the containers driver acts on replica containers, and this target runs processes: use driver "process" (or target.kind: containers)',
    ]);
    // partition on a process target: the network fault is Toxiproxy's
    expect(problems(drill('process', [fault('containers', 'partition')]))[0]).toMatch(/use driver "process" \(or target.kind: containers\)/);
  });

  it('rejects actions the containers driver does not carry out, naming the one that does', () => {
    expect(problems(drill('containers', [fault('containers', 'latency', { latency: '100ms' })]))).toEqual(['faults.0.driver: the containers driver does not support "latency" (it supports partition, pod-kill, az-failure): use driver "toxiproxy"']);
  });

  it('accepts partner URLs (the simulators run on the containers\' network)', () => {
    expect(problems(drill('containers', [], { env: { PARTNER_URL: '{{ partners.acme.url }}' } }))).toEqual([]);
  });

  it('runs a node entry from the drill\'s folder or an executable by its path, and nothing the target adds yet', () => {
    for (const command of [['node', 'server.mjs'], ['node', './server.mjs', '--flag']]) {
      expect(problems(drill('containers', [], { command }))[0], command.join(' ')).toMatch(/^target\.service\.command: a containers service runs in the node image built from its folder: write \[node, \.\/path\/to\/entry\.mjs\]/);
    }
    expect(problems(drill('containers', [], { command: ['python', './app.py'] }))).toEqual(['target.service.command.0: a containers service is [node, ./entry.mjs] or an executable\'s path (./bin/server, relative to the drill, or absolute), not a name on PATH: write the path of "python"']);
    for (const command of [['./server'], ['/opt/bin/go-httpbin', '-port', '{{port}}']]) expect(problems(drill('containers', [], { command })), command.join(' ')).toEqual([]);
    expect(problems(drill('process', [], { command: ['python', './app.py'] }))).toEqual([]);
    const p = problems(drill('containers', [], {}, { loadBalancer: { kind: 'nginx' }, disk: { size: '32m' } }));
    expect(p).toEqual(['target.loadBalancer: a containers target has no loadBalancer yet: remove target.loadBalancer, or use target.kind: process', 'target.disk: a containers target has no disk yet: remove target.disk, or use target.kind: process']);
    expect(problems(drill('nomad' as never))[0]).toMatch(/^target\.kind:/);
  });

  it('copies the entry\'s folder into the image without node_modules, drills, docs and dot files', () => {
    expect(['server.mjs', 'lib/a.mjs', 'package.json'].filter(excludedFromImage)).toEqual([]);
    expect(['node_modules/x/index.js', 'drills/baseline.ts', '.env', 'README.md', 'mutants.yaml', 'lib/conf.yml'].every(excludedFromImage)).toBe(true);
  });
});
