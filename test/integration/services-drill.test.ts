// A target with several services: the app (a small node service, two replicas) and its two
// dependencies gameday starts first — inventory (go-httpbin, HTTP health) and a cache (Debian's
// redis-server, up once it accepts TCP) — each behind its own Toxiproxy proxy, which the app is
// given as {{services.NAME.url}} / {{services.NAME.address}}. A partition of the cache's proxy
// cuts the app off from its dependency (not k6 from the app): the app answers 503 in the fault
// window only, and the evidence names each service, its proxy and the order they started in.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requireTool } from '../../src/platform/toolchain.mjs';
import { fixture, needs, readJson, readSamples, runCli, tmpDir } from '../helpers.ts';

const missing = needs('redis-server', spawnSync('redis-server', ['--version']).status === 0 ? null : "redis-server is not on PATH (npm run bootstrap installs Debian's redis-server)");

describe.skipIf(missing)('target.services: an app and its dependencies', () => {
  it('starts the dependencies first, each behind a proxy the app reaches them through; a partition between app and cache bites in its window only', async () => {
    const dir = tmpDir('gameday-services');
    const drill = {
      name: 'orders-with-dependencies',
      app: 'SVC',
      target: {
        kind: 'process',
        service: {
          name: 'orders',
          command: ['node', fixture('services/orders-app.mjs')],
          replicas: 2,
          zones: ['a', 'b'],
          env: { INVENTORY_URL: '{{services.inventory.url}}', CACHE_ADDRESS: '{{services.cache.address}}' },
        },
        services: [
          { name: 'inventory', command: [requireTool('go-httpbin').path, '-host', '127.0.0.1', '-port', '{{port}}'], healthPath: '/status/200', dependsOn: ['cache'] },
          { name: 'cache', command: ['redis-server', '--port', '{{port}}', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'] },
        ],
      },
      load: { requests: [{ name: 'orders', path: '/orders', expect: [200] }], profiles: [{ profile: 'baseline', rate: 20, duration: '9s', preAllocatedVUs: 20 }], minDelivered: '90%' },
      faults: [{ name: 'cache-cut-off', action: 'partition', target: 'cache', at: '3s', duration: '3s' }],
      slos: [
        { name: 'steady-errors', kind: 'error-rate', phase: 'steady', below: '1%' },
        { name: 'recovery-errors', kind: 'error-rate', phase: 'recovery', below: '1%' },
        { name: 'fault-errors', kind: 'error-rate', phase: 'fault', below: '1%', severity: 'advisory' },
      ],
    };
    const file = path.join(dir, 'drill.json');
    fs.writeFileSync(file, JSON.stringify(drill, null, 2));
    const out = path.join(dir, 'run');
    const r = await runCli(['run', file, '--out', out, '--no-progress']);
    // the advisory fault-phase error rate failed (the partition bit), steady and recovery held
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults[0]).toMatchObject({ name: 'cache-cut-off', outcome: 'reverted', injectVerified: true, revertVerified: true });
    const services = chaos.environment.services;
    // in dependsOn order: the cache first, though the drill lists it second
    expect(services.map((s: { name: string }) => s.name)).toEqual(['cache', 'inventory']);
    for (const s of services) expect(s.replicas[0].proxy).toBe(`gameday-${chaos.runId}-${s.name}-r0`);
    // the fault acted on the cache's proxy only
    expect(chaos.faults[0].target).toEqual({ service: 'cache', proxies: [`gameday-${chaos.runId}-cache-r0`] });
    // each service's output is kept
    for (const log of ['inventory-r0.log', 'cache-r0.log', 'orders-r0.log', 'orders-r1.log']) expect(fs.existsSync(path.join(out, 'logs', log)), log).toBe(true);
    const samples = readSamples(path.join(out, 'k6_samples.ndjson.gz')).filter((s) => s.metric === 'http_req_failed');
    const [from, to] = [Date.parse(chaos.faults[0].injectedAt), Date.parse(chaos.faults[0].revertedAt)];
    const failedIn = samples.filter((s) => s.value === 1 && Date.parse(s.time) >= from && Date.parse(s.time) <= to + 1000);
    const failedOut = samples.filter((s) => s.value === 1 && (Date.parse(s.time) < from || Date.parse(s.time) > to + 1000));
    expect(failedIn.length).toBeGreaterThan(5);
    expect(failedOut.length).toBe(0);
  }, 120_000);
});
