// The same partner definitions in-process: msw setupServer + fetch. And parity: one definition
// through both transports (msw and the real node:http server) gives the same answers.
import http from 'node:http';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scalePartner } from '../../src/plan/plan.ts';
import { Partner, type PartnerInput } from '../../src/schema/partner.ts';
import { MALFORMED_JSON } from '../../simulators/decide.ts';
import { planPartner } from '../../simulators/behaviour.ts';
import { memoryJournal } from '../../simulators/journal.ts';
import { OverTheWireOnlyError, partnerHandlers } from '../../simulators/msw.ts';
import { startPartnerServer } from '../../simulators/partner-server.ts';
import { PartnerRuntime } from '../../simulators/runtime.ts';

const BASE = 'https://acme.partner.test/v2';

const ACME: PartnerInput = {
  name: 'acme',
  routes: [
    { method: 'GET', path: '/seq', behaviours: [{ kind: 'sequence', steps: [{ status: 429, retryAfter: 1 }, { status: 503, retryAfter: 2, retryAfterDate: true }, 200] }] },
    { method: 'GET', path: '/limited', behaviours: [{ kind: 'rate-limit', rate: 0.2, burst: 2 }] },
    { method: 'GET', path: '/slow', behaviours: [{ latency: { dist: 'uniform', min: '30ms', max: '50ms' } }] },
    { method: 'GET', path: '/hang', behaviours: [{ kind: 'hang' }] },
    { method: 'GET', path: '/dribble', behaviours: [{ kind: 'slow-dribble', body: { ok: true, padding: 'abcdefghij' }, chunkBytes: 8, interval: '20ms' }] },
    { method: 'GET', path: '/malformed', behaviours: [{ kind: 'malformed-json' }] },
    { method: 'POST', path: '/orders/:id', behaviours: [{ status: 201, headers: { 'X-Order': 'yes' }, body: { created: true } }] },
  ],
  behaviours: [{ status: 404, body: { error: 'no such thing' } }],
};

const journal = memoryJournal();
const runtime = new PartnerRuntime(scalePartner(Partner.parse(ACME), 1));
runtime.startTimeline(Date.now());
const server = setupServer(...partnerHandlers(runtime, { baseUrl: BASE, journal }));

// requests to the real simulator on 127.0.0.1 (parity test) go through; anything else unhandled is an error
beforeAll(() => server.listen({ onUnhandledRequest: (req, print) => (new URL(req.url).hostname === '127.0.0.1' ? undefined : print.error()) }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('in-process through msw', () => {
  it('a sequence in order, with Retry-After as seconds and as an HTTP-date', async () => {
    const got: Array<[number, string | null]> = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${BASE}/seq`);
      got.push([res.status, res.headers.get('retry-after')]);
    }
    expect(got.map(([s]) => s)).toEqual([429, 503, 200, 200]);
    expect(got[0][1]).toBe('1');
    expect(got[1][1]).toMatch(/ GMT$/);
    expect(Date.parse(got[1][1]!) - Date.now()).toBeGreaterThan(0);
    expect(journal.entries.filter((e) => e.path === '/seq').map((e) => e.status)).toEqual([429, 503, 200, 200]);
  });

  it('a rate limit per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${BASE}/limited`, { headers: { 'x-client-id': 'c1' } })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await fetch(`${BASE}/limited`, { headers: { 'x-client-id': 'c2' } })).status).toBe(200);
  });

  it('latency: no answer before the minimum', async () => {
    const times = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const t = performance.now();
        await (await fetch(`${BASE}/slow`)).text();
        return performance.now() - t;
      }),
    );
    expect(Math.min(...times)).toBeGreaterThanOrEqual(29);
  });

  it('a hang ends only when the client gives up', async () => {
    const t = performance.now();
    const err = await fetch(`${BASE}/hang`, { signal: AbortSignal.timeout(200) }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.name).toBe('TimeoutError');
    expect(performance.now() - t).toBeGreaterThanOrEqual(190);
    await new Promise((r) => setTimeout(r, 20));
    expect(journal.entries.find((e) => e.path === '/hang')).toMatchObject({ outcome: 'hang', status: null });
  });

  it('slow-dribble: the body arrives in pieces over time', async () => {
    const res = await fetch(`${BASE}/dribble`);
    const reader = res.body!.getReader();
    const pieces: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pieces.push(value);
    }
    expect(pieces.length).toBe(Math.ceil(JSON.stringify({ ok: true, padding: 'abcdefghij' }).length / 8));
    expect(JSON.parse(Buffer.concat(pieces).toString())).toEqual({ ok: true, padding: 'abcdefghij' });
  });

  it('malformed JSON, routes with parameters, headers and the partner-wide fallback', async () => {
    const bad = await fetch(`${BASE}/malformed`);
    expect(await bad.text()).toBe(MALFORMED_JSON);
    await expect(fetch(`${BASE}/malformed`).then((r) => r.json())).rejects.toThrow(SyntaxError);
    const order = await fetch(`${BASE}/orders/9`, { method: 'POST', body: '{}', headers: { 'idempotency-key': 'o-9' } });
    expect([order.status, order.headers.get('x-order'), await order.json()]).toEqual([201, 'yes', { created: true }]);
    expect(journal.entries.find((e) => e.path === '/orders/9')).toMatchObject({ idempotencyKey: 'o-9', route: 'POST /orders/:id' });
    expect((await fetch(`${BASE}/whatever`)).status).toBe(404);
  });

  it('a runtime override (what the control API does) applies to the handlers too', async () => {
    runtime.override('GET /malformed', { status: 503, retryAfter: 4 });
    const res = await fetch(`${BASE}/malformed`);
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '4']);
    runtime.reset();
    expect(await (await fetch(`${BASE}/malformed`)).text()).toBe(MALFORMED_JSON);
  });
});

describe('socket faults in-process', () => {
  const faulty = (kind: 'reset' | 'close-mid-body' | 'truncated') => scalePartner(Partner.parse({ name: 'flaky', routes: [{ path: '/x', behaviours: [{ kind, ...(kind === 'reset' ? {} : { body: { n: 'x'.repeat(100) } }) }] }] }), 1);

  it('are refused by default, with a clear error naming the route and the way out', () => {
    expect(() => partnerHandlers(faulty('reset'), { baseUrl: 'https://flaky.test' })).toThrow(OverTheWireOnlyError);
    expect(() => partnerHandlers(faulty('truncated'), { baseUrl: 'https://flaky.test' })).toThrow(/truncated \(route "\* \/x", behaviour 0\).*startPartnerServer.*socketFaults: 'emulate'/);
  });

  it("are emulated as network errors with socketFaults: 'emulate'", async () => {
    server.use(...partnerHandlers(faulty('reset'), { baseUrl: 'https://reset.test', socketFaults: 'emulate' }));
    server.use(...partnerHandlers(faulty('close-mid-body'), { baseUrl: 'https://cmb.test', socketFaults: 'emulate' }));
    await expect(fetch('https://reset.test/x')).rejects.toThrow(TypeError);
    const res = await fetch('https://cmb.test/x');
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow(/closed mid-body/);
  });
});

describe('one definition, two transports', () => {
  it('msw and the node:http server give the same statuses, headers and bodies', async () => {
    const def: PartnerInput = {
      name: 'twin',
      routes: [
        { method: 'GET', path: '/a', behaviours: [{ kind: 'sequence', steps: [{ status: 429, retryAfter: 3 }, 500, { status: 200, body: { v: 1 }, headers: { 'x-v': '1' } }], then: 'repeat' }] },
        { method: 'GET', path: '/b', behaviours: [{ kind: 'rate-limit', rate: 0.1, burst: 1, body: 'plain' }] },
        { method: 'GET', path: '/c', behaviours: [{ kind: 'malformed-json', status: 202 }] },
      ],
      behaviours: [{ status: 418 }],
    };
    const planned = planPartner(def);
    const wire = await startPartnerServer(planned, memoryJournal());
    server.use(...partnerHandlers(planned, { baseUrl: 'https://twin.test' }));
    // node:http client for the real server: msw would intercept fetch, and does not know 127.0.0.1
    const overTheWire = (path: string) =>
      new Promise<[number, string | undefined, string | undefined, string]>((resolve, reject) => {
        http
          .get(`${wire.url}${path}`, { headers: { 'x-client-id': 'same' } }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve([res.statusCode!, res.headers['retry-after'] as string | undefined, res.headers['x-v'] as string | undefined, body]));
          })
          .on('error', reject);
      });
    const inProcess = async (path: string): Promise<[number, string | undefined, string | undefined, string]> => {
      const res = await fetch(`https://twin.test${path}`, { headers: { 'x-client-id': 'same' } });
      return [res.status, res.headers.get('retry-after') ?? undefined, res.headers.get('x-v') ?? undefined, await res.text()];
    };
    try {
      const paths = ['/a', '/a', '/a', '/a', '/b', '/b', '/c', '/zzz'];
      const a: unknown[] = [];
      const b: unknown[] = [];
      for (const p of paths) a.push(await overTheWire(p));
      for (const p of paths) b.push(await inProcess(p));
      expect(b).toEqual(a);
      expect(a.map((x) => (x as number[])[0])).toEqual([429, 500, 200, 429, 200, 429, 202, 418]);
    } finally {
      await wire.close();
    }
  });
});
