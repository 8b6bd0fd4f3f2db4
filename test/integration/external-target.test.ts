// An external target against a real third-party service: go-httpbin (pinned in package.json,
// installed into .tools/bin by the bootstrap) started here on 127.0.0.1, a real Toxiproxy on the
// load path in front of it. Missing go-httpbin fails the test (requireTool throws).
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultRequest } from '../../chaos/registry.ts';
import { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { Ledger } from '../../src/platform/ledger.ts';
import { freePort } from '../../src/platform/processes.ts';
import { checkHealth, ExternalEndpoint, proxyEndpoints, refuseRemoteEndpoints, resolveHeaders } from '../../src/targets/external.ts';
import { startGoHttpbin, startToxiproxyServer } from '../helpers.ts';

let httpbin: ChildProcess;
let baseUrl: string;
let tx: Awaited<ReturnType<typeof startToxiproxyServer>>;

beforeAll(async () => {
  ({ child: httpbin, baseUrl } = await startGoHttpbin());
  tx = await startToxiproxyServer();
}, 30_000);

afterAll(async () => {
  httpbin?.kill('SIGKILL');
  await tx?.stop();
});

/** Wall time of n sequential GETs, each one measured. */
async function timings(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(`${url}/get`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

describe('external target', () => {
  it('passes the health probe of a running go-httpbin and refuses one that is down, before anything is injected', async () => {
    await checkHealth(ExternalEndpoint.parse({ name: 'httpbin', baseUrl, health: { path: '/status/200' } }));
    await expect(checkHealth(ExternalEndpoint.parse({ name: 'httpbin', baseUrl, health: { path: '/status/503' } }))).rejects.toThrow(/not healthy at start: .* HTTP 503/);
    const down = `http://127.0.0.1:${await freePort()}`;
    await expect(checkHealth(ExternalEndpoint.parse({ name: 'gone', baseUrl: down }))).rejects.toThrow(/endpoint gone is down at start/);
  });

  it('sends env: headers resolved from the environment (go-httpbin echoes them)', async () => {
    const e = ExternalEndpoint.parse({ name: 'httpbin', baseUrl, headers: { authorization: 'env:GAMEDAY_TEST_TOKEN', 'x-team': 'sre' } });
    expect(() => resolveHeaders(e, {})).toThrow(/headers.authorization reads GAMEDAY_TEST_TOKEN .* not set/);
    const headers = resolveHeaders(e, { GAMEDAY_TEST_TOKEN: 'Bearer t0k' });
    const echoed = (await (await fetch(`${baseUrl}/headers`, { headers })).json()) as { headers: Record<string, string[]> };
    expect(echoed.headers.Authorization).toEqual(['Bearer t0k']);
    expect(echoed.headers['X-Team']).toEqual(['sre']);
  });

  it('refuses an endpoint off loopback unless the drill allows it', () => {
    const remote = [ExternalEndpoint.parse({ name: 'prod', baseUrl: 'https://api.example.com' })];
    expect(() => refuseRemoteEndpoints(remote, {})).toThrow(/not on loopback/);
    expect(() => refuseRemoteEndpoints(remote, { allowRemote: { reason: 'approved by the on-call lead', hosts: ['api.example.com'] } })).not.toThrow();
    // a reason alone is not enough for an endpoint: its host must be listed
    expect(() => refuseRemoteEndpoints(remote, { allowRemote: { reason: 'approved by the on-call lead' } })).toThrow(/api\.example\.com is not in allowRemote\.hosts/);
  });

  it("puts the run's Toxiproxy on the load path: a latency fault bites and is reverted", async () => {
    const driver = new ToxiproxyDriver(tx.url);
    const ledger = new Ledger(`ext-${process.pid}`);
    try {
      const [p] = await proxyEndpoints({ endpoints: [ExternalEndpoint.parse({ name: 'httpbin', baseUrl })], toxiproxy: driver, ledger, runId: `ext-${process.pid}` });
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const before = await timings(p.url, 10);
      const fault = await driver.inject(faultRequest('slow', 'latency', [p.proxy], { latency: 300 }));
      const during = await timings(p.url, 5);
      await driver.revert(fault);
      const after = await timings(p.url, 10);
      // the toxic adds 300 ms to every response: the fastest faulted request is slower than that
      expect(during[0]).toBeGreaterThanOrEqual(300);
      expect(before[before.length - 1]).toBeLessThan(300);
      expect(after[after.length - 1]).toBeLessThan(300);
      expect((await driver.toxics(p.proxy)).length).toBe(0);
    } finally {
      ledger.close();
    }
  }, 30_000);
});
