// Real drills on what target can add (gameday run, real k6 and processes): load through an nginx
// load balancer with a zone failing behind it, a broker-failover on a 3-node NATS JetStream cluster
// the hub publishes to, the hub partitioned from that broker (edge partition), and disk-full on
// DATA_DIR mounted as a size-limited filesystem.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { limitedFsSupport } from '../../chaos/disk/limited-fs.ts';
import { mountAt, readMounts } from '../../chaos/disk/mounts.ts';
import { resolveNatsServer } from '../../chaos/broker/nats-binary.ts';
import { resolveNginx } from '../../src/targets/load-balancer.ts';
import { ROOT, readJson, readSamples, runCli, tmpDir, needs } from '../helpers.ts';

const fixture = (name: string) => path.join(ROOT, 'test/fixtures', name);

function why(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
const noNginx = needs('nginx', why(resolveNginx));
const noNats = needs('nats-server', why(resolveNatsServer));
const fsSupport = limitedFsSupport();
const noDisk = needs('a size-limited filesystem (root)', fsSupport.supported ? null : fsSupport.reason);
for (const [what, reason] of [['load balancer', noNginx], ['broker', noNats], ['disk', noDisk]] as const) {
  if (reason) console.warn(`${what} drill skipped: ${reason}`);
}

interface Verdict {
  slo: string;
  pass: boolean;
  observed: number | null;
}

async function run(name: string, args: string[] = []) {
  const out = path.join(tmpDir(`gameday-${name}`), 'run');
  const r = await runCli(['run', fixture(`${name}.yaml`), '--out', out, '--no-progress', ...args]);
  const results = readJson<{ verdicts: Verdict[]; figures: Record<string, number | null> }>(path.join(out, 'slo_results.json'));
  const verdict = (slo: string) => results.verdicts.find((v) => v.slo === slo)!;
  return { ...r, out, results, verdict, chaos: readJson(path.join(out, 'chaos_report.json')) };
}

describe('drills on the extended target', () => {
  it.skipIf(noNginx)('load goes through nginx to both replicas; a zone failing behind it keeps availability high', async () => {
    const r = await run('lb-az-failure', ['--time-scale', '0.5']);
    expect(r.stderr).toContain('az-failure injected');
    expect(r.code, r.stderr).toBe(0);
    const lb = r.chaos.environment.loadBalancer;
    // the drill's health-check settings, its time out on the drill's clock: 4 s declared, 2 s run
    expect(lb.settings).toEqual({ maxFails: 1, failTimeout: { declaredMs: 4000, scaledMs: 2000, nginxSeconds: 2 }, nextUpstream: ['error', 'timeout', 'http_502', 'http_503'], tries: 2 });
    expect(lb.config).toContain('max_fails=1 fail_timeout=2s;');
    // k6 was pointed at nginx only, and nginx saw every request k6 made
    expect(readJson(path.join(r.out, 'k6_plan.json')).targets).toEqual([lb.url]);
    const lines = fs.readFileSync(path.join(r.out, 'logs/nginx-access.log'), 'utf8').trim().split('\n').filter((l) => !l.includes('/healthz'));
    const k6Requests = readSamples(path.join(r.out, 'k6_samples.ndjson.gz')).filter((s) => s.metric === 'http_reqs').length;
    expect(lines.length).toBe(k6Requests);
    expect(k6Requests).toBeGreaterThan(300);
    // upstreams are the replicas' Toxiproxy proxies, both used
    const used = new Set(lines.flatMap((l) => [...l.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]))));
    for (const u of lb.upstreams) expect(used).toContain(u.port);
    expect(r.chaos.faults[0]).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    expect(r.verdict('availability-fault').pass).toBe(true);
    expect(r.verdict('availability-fault').observed).toBeGreaterThanOrEqual(0.98);
    // whose errors: every failed request nginx logged is attributed, to the load balancer or a replica, as its logs say
    const failedLines = lines.filter((l) => Number(/" (\d{3}) /.exec(l)?.[1]) >= 400);
    const attribution = (r.results as unknown as { attribution: { failed: number; byCause: Record<string, number> } }).attribution;
    expect(attribution.failed).toBe(failedLines.length);
    expect(Object.values(attribution.byCause).reduce((a, b) => a + b, 0)).toBe(failedLines.length);
    for (const cause of Object.keys(attribution.byCause)) expect(cause).toMatch(/^(load balancer: .+|service hub-r[01]: \d{3})$/);
    expect((r.verdict('availability-fault') as Verdict & { detail: string }).detail).toContain('through the load balancer:');
    expect(fs.readFileSync(path.join(r.out, 'report.html'), 'utf8')).toContain('Whose errors');
  }, 60_000);

  it.skipIf(noNginx)('a down fault behind nginx: every failed request is attributed from its logs, to the load balancer', async () => {
    const r = await run('lb-down');
    expect(r.chaos.faults[0]).toMatchObject({ outcome: 'reverted', revertVerified: true });
    const lines = fs.readFileSync(path.join(r.out, 'logs/nginx-access.log'), 'utf8').trim().split('\n');
    const failedLines = lines.filter((l) => Number(/" (\d{3}) /.exec(l)?.[1]) >= 400);
    expect(failedLines.length).toBeGreaterThan(20);
    const attribution = (r.results as unknown as { attribution: { failed: number; byCause: Record<string, number>; byPhase: Record<string, Record<string, number>> } }).attribution;
    // to the request: as many as nginx logged, each one nginx's own (the replicas were never asked)
    expect(attribution.failed).toBe(failedLines.length);
    for (const cause of Object.keys(attribution.byCause)) expect(cause).toMatch(/^load balancer: (no live upstream|upstream refused)/);
    const errorLog = fs.readFileSync(path.join(r.out, 'logs/nginx-error.log'), 'utf8');
    expect(attribution.byCause['load balancer: no live upstream'] ?? 0).toBe(failedLines.filter((l) => / upstream=sut /.test(l)).length);
    if (attribution.byCause['load balancer: no live upstream']) expect(errorLog).toContain('no live upstreams');
    expect(Object.keys(attribution.byPhase)).toContain('fault');
    expect((r.verdict('errors-fault') as Verdict & { detail: string }).detail).toMatch(/through the load balancer: \d+ failed: \d+ load balancer: /);
  }, 60_000);

  it.skipIf(noNats)('broker-failover: the stream leader is killed under load; failover time measured, no message lost, webhooks accepted', async () => {
    const r = await run('broker-failover');
    expect(r.code, r.stderr).toBe(0);
    const failover = r.chaos.environment.broker.failovers['leader-dies'];
    expect(failover.killedLeader).toMatch(/^broker-n\d$/);
    expect(failover.newLeader).toMatch(/^broker-n\d$/);
    expect(failover.rejoined).toBe(true);
    expect(failover.published).toBeGreaterThan(10);
    expect(failover.delivered).toBe(failover.published);
    expect(r.results.figures['chaos/leader-dies/broker-failover-time']).toBe(failover.failoverMs);
    expect(failover.failoverMs).toBeGreaterThan(0);
    expect(r.verdict('failover-time')).toMatchObject({ pass: true, observed: expect.any(Number) });
    expect(r.verdict('failover-time').observed!).toBeLessThanOrEqual(30_000);
    expect(r.verdict('no-message-lost')).toMatchObject({ pass: true, observed: 0 });
    expect(r.verdict('webhooks-accepted').pass).toBe(true);
    expect(r.chaos.faults[0]).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true, target: { proxies: ['HUB_EVENTS'] } });
  }, 60_000);

  it.skipIf(noNats)('partition on the broker: the hub is really cut off (its offline queue grows) and drains once healed', async () => {
    const r = await run('broker-partition');
    expect(r.code, r.stderr).toBe(0);
    expect(r.chaos.faults[0]).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    // the fault sat on the broker's proxies, the ones its nodes advertise to clients
    const nodes = r.chaos.environment.broker.nodes as Array<{ proxy: string }>;
    expect(r.chaos.faults[0].target.proxies).toEqual(nodes.map((n) => n.proxy));
    const readings = fs
      .readFileSync(path.join(r.out, 'sut_metrics.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { metric: string; value: number; timeMs: number });
    const queue = readings.filter((x) => x.metric === 'offlineQueue');
    expect(Math.max(...queue.map((x) => x.value))).toBeGreaterThan(10);
    expect(queue.at(-1)!.value).toBe(0);
    expect(r.verdict('offline-queue-drains').pass).toBe(true);
    expect(r.verdict('webhooks-accepted').pass).toBe(true);
  }, 60_000);

  it.skipIf(noDisk)('disk-full: the healthy hub answers 503 while DATA_DIR is full and 200 once the filler is gone', async () => {
    const r = await run('disk-full');
    expect(r.code, r.stderr).toBe(0);
    const statuses: Record<string, Record<string, number>> = {};
    const samples = readSamples(path.join(r.out, 'k6_samples.ndjson.gz')).filter((s) => s.metric === 'http_reqs');
    for (const s of samples) {
      statuses[s.tags.phase] ??= {};
      statuses[s.tags.phase][s.tags.status] = (statuses[s.tags.phase][s.tags.status] ?? 0) + 1;
    }
    expect(Object.keys(statuses.steady)).toEqual(['200']);
    expect(statuses.fault['503']).toBeGreaterThan(0.8 * (statuses.fault['503'] + (statuses.fault['200'] ?? 0)));
    expect(statuses.recovery['200']).toBeGreaterThan(0.9 * samples.filter((s) => s.tags.phase === 'recovery').length);
    // the last two seconds: all accepted again
    const end = Math.max(...samples.map((s) => Date.parse(s.time)));
    expect(samples.filter((s) => Date.parse(s.time) > end - 2000).every((s) => s.tags.status === '200')).toBe(true);
    expect(r.verdict('webhooks-recover').pass).toBe(true);
    const disk = r.chaos.environment.disk;
    expect(disk.fills['disk-fills']).toMatchObject({ verified: true, enospcProbe: { result: 'ENOSPC' } });
    expect(disk.reverts['disk-fills'].verified).toBe(true);
    expect(r.chaos.faults[0]).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    // the filesystem was unmounted after the run
    expect(mountAt(readMounts(), disk.dir)).toBeNull();
  }, 60_000);
});
