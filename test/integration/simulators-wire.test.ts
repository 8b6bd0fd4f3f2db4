// Every behaviour observed over the wire by real clients (fetch, node:http, a raw TCP socket)
// against the real node:http simulator on 127.0.0.1; and the control API.
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scalePartner } from '../../src/plan/plan.ts';
import { Partner, type PartnerInput } from '../../src/schema/partner.ts';
import { MALFORMED_JSON } from '../../simulators/decide.ts';
import { memoryJournal } from '../../simulators/journal.ts';
import { startPartnerServer, startSimulatorServer, type PartnerServer } from '../../simulators/partner-server.ts';

const BIG = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item-${i}` })) };
const BIG_TEXT = JSON.stringify(BIG);

const ACME: PartnerInput = {
  name: 'acme',
  routes: [
    { method: 'GET', path: '/seq', behaviours: [{ kind: 'sequence', scope: 'call', steps: [{ status: 429, retryAfter: 1 }, { status: 503, retryAfter: 2, retryAfterDate: true }, 500, 200] }] },
    { method: 'GET', path: '/limited', behaviours: [{ kind: 'rate-limit', rate: 0.2, burst: 3 }] },
    { method: 'GET', path: '/uniform', behaviours: [{ latency: { dist: 'uniform', min: '20ms', max: '60ms' } }] },
    { method: 'GET', path: '/hang', behaviours: [{ kind: 'hang' }] },
    { method: 'GET', path: '/reset', behaviours: [{ kind: 'reset' }] },
    { method: 'GET', path: '/close-mid-body', behaviours: [{ kind: 'close-mid-body', body: BIG, fraction: 0.5 }] },
    { method: 'GET', path: '/truncated', behaviours: [{ kind: 'truncated', body: BIG, fraction: 0.4 }] },
    { method: 'GET', path: '/dribble', behaviours: [{ kind: 'slow-dribble', body: { ok: true, padding: 'abcdefghij' }, chunkBytes: 8, interval: '30ms' }] },
    { method: 'GET', path: '/malformed', behaviours: [{ kind: 'malformed-json' }] },
    { method: 'GET', path: '/timeline', behaviours: [{ status: 200 }, { at: '1h', status: 503 }] },
    { name: 'orders', method: 'POST', path: '/orders/:id', behaviours: [{ status: 201, body: { created: true } }] },
  ],
  behaviours: [{ status: 404, body: { error: 'no such thing' } }],
};

let server: PartnerServer;
const journal = memoryJournal();

beforeAll(async () => {
  server = await startPartnerServer(scalePartner(Partner.parse(ACME), 1), journal);
  server.startTimeline(Date.now());
});
afterAll(async () => {
  await server?.close();
});

/** Everything a raw TCP client receives for one request, until the server closes (or `maxMs`). */
function rawExchange(port: number, path: string, maxMs = 5000): Promise<{ data: Buffer; chunks: Array<{ at: number; bytes: number }>; ended: 'end' | 'error' | 'timeout'; error?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const chunks: Array<{ at: number; bytes: number }> = [];
    const start = performance.now();
    let settled = false;
    const done = (ended: 'end' | 'error' | 'timeout', error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(parts), chunks, ended, error });
    };
    const timer = setTimeout(() => done('timeout'), maxMs);
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    socket.on('data', (d: Buffer) => {
      parts.push(d);
      chunks.push({ at: performance.now() - start, bytes: d.length });
    });
    socket.on('end', () => done('end'));
    socket.on('error', (e: NodeJS.ErrnoException) => done('error', e.code));
  });
}

function splitResponse(raw: Buffer): { head: string; body: Buffer } {
  const i = raw.indexOf('\r\n\r\n');
  return { head: raw.subarray(0, i).toString('latin1'), body: raw.subarray(i + 4) };
}

const port = () => Number(new URL(server.url).port);
const entriesFor = (path: string) => journal.entries.filter((e) => e.path === path);

describe('statuses and Retry-After over the wire', () => {
  it('a sequence answers its statuses in order for one logical call, with Retry-After as seconds and as an HTTP-date', async () => {
    const got: Array<[number, string | null]> = [];
    for (let i = 1; i <= 5; i++) {
      const res = await fetch(`${server.url}/seq`, { headers: { 'x-request-id': 'call-1', 'x-attempt': String(i) } });
      await res.arrayBuffer();
      got.push([res.status, res.headers.get('retry-after')]);
    }
    expect(got.map(([s]) => s)).toEqual([429, 503, 500, 200, 200]);
    expect(got[0][1]).toBe('1');
    const date = got[1][1]!;
    expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Date.parse(date) - Date.now()).toBeGreaterThan(0);
    expect(Date.parse(date) - Date.now()).toBeLessThanOrEqual(3000);
    expect(got.slice(2).map(([, ra]) => ra)).toEqual([null, null, null]);
    // another call starts its own sequence
    const other = await fetch(`${server.url}/seq`, { headers: { 'x-request-id': 'call-2' } });
    expect(other.status).toBe(429);

    const journaled = entriesFor('/seq').filter((e) => e.requestId === 'call-1');
    expect(journaled.map((e) => [e.attempt, e.status, e.retryAfter])).toEqual([
      [1, 429, 1],
      [2, 503, 2],
      [3, 500, null],
      [4, 200, null],
      [5, 200, null],
    ]);
    expect(journaled[1].retryAfterUntil).toBe(Date.parse(date));
    expect(journaled[0]).toMatchObject({ partner: 'acme', route: 'GET /seq', kind: 'sequence', outcome: 'answered', source: 'partner' });
    expect(new Date(journaled[0].time).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a rate limit gives each client its burst, then 429 with Retry-After', async () => {
    const statuses = async (client: string, n: number) => {
      const out: Array<[number, string | null]> = [];
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${server.url}/limited`, { headers: { 'x-client-id': client } });
        await res.arrayBuffer();
        out.push([res.status, res.headers.get('retry-after')]);
      }
      return out;
    };
    const one = await statuses('one', 5);
    expect(one.map(([s]) => s)).toEqual([200, 200, 200, 429, 429]);
    expect(Number(one[3][1])).toBeGreaterThanOrEqual(1);
    expect(Number(one[3][1])).toBeLessThanOrEqual(5);
    expect((await statuses('two', 1))[0][0]).toBe(200);
  });

  it('the timeline decides: from t0 + 1h the route answers 503', async () => {
    expect((await fetch(`${server.url}/timeline`)).status).toBe(200);
    const late = await startPartnerServer(scalePartner(Partner.parse(ACME), 1), memoryJournal());
    try {
      late.startTimeline(Date.now() - 3_600_000);
      expect((await fetch(`${late.url}/timeline`)).status).toBe(503);
    } finally {
      await late.close();
    }
  });

  it('routes with parameters and the partner-wide fallback; the request body is hashed into the journal', async () => {
    const res = await fetch(`${server.url}/orders/17?x=1`, { method: 'POST', body: '{"qty":1}', headers: { 'idempotency-key': 'order-17' } });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ created: true });
    const fallback = await fetch(`${server.url}/anything/else`);
    expect(fallback.status).toBe(404);
    expect(await fallback.json()).toEqual({ error: 'no such thing' });
    const e = entriesFor('/orders/17')[0];
    expect(e).toMatchObject({ route: 'orders', method: 'POST', idempotencyKey: 'order-17', status: 201 });
    expect(e.bodyHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('latency over the wire', () => {
  it('a uniform 20–60 ms latency: no answer before 20 ms, spread across the range', async () => {
    const elapsed: number[] = [];
    for (let batch = 0; batch < 8; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          const t = performance.now();
          const res = await fetch(`${server.url}/uniform`);
          await res.arrayBuffer();
          elapsed.push(performance.now() - t);
        }),
      );
    }
    const sorted = [...elapsed].sort((a, b) => a - b);
    expect(sorted.length).toBe(160);
    expect(sorted[0]).toBeGreaterThanOrEqual(19); // a timer never fires much early
    // a distribution, not a fixed delay: the fastest tenth is well apart from the slowest tenth
    expect(sorted[144] - sorted[16]).toBeGreaterThan(15);
    // the server's own record of each answer time stays inside the range (+ scheduling)
    const answered = entriesFor('/uniform').map((e) => e.durationMs);
    expect(answered.length).toBe(160);
    expect(Math.min(...answered)).toBeGreaterThanOrEqual(19);
  });
});

describe('hang and socket faults over the wire', () => {
  it('a hang: no byte and no close while the client waits; only the client timeout ends it', async () => {
    const raw = await rawExchange(port(), '/hang', 400);
    expect(raw.ended).toBe('timeout');
    expect(raw.data.length).toBe(0);

    const t = performance.now();
    const err = await fetch(`${server.url}/hang`, { signal: AbortSignal.timeout(250) }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.name).toBe('TimeoutError');
    expect(performance.now() - t).toBeGreaterThanOrEqual(240);
    await new Promise((r) => setTimeout(r, 100));
    const hangs = entriesFor('/hang');
    expect(hangs.length).toBe(2);
    expect(hangs.every((e) => e.outcome === 'hang' && e.status === null)).toBe(true);
    expect(Math.min(...hangs.map((e) => e.durationMs))).toBeGreaterThanOrEqual(240);
  });

  it('reset: a real TCP RST — ECONNRESET for node:http, for fetch and for a raw socket', async () => {
    const viaHttp = await new Promise<NodeJS.ErrnoException>((resolve) => {
      http.get(`${server.url}/reset`, () => resolve(new Error('answered') as NodeJS.ErrnoException)).on('error', resolve);
    });
    expect(viaHttp.code).toBe('ECONNRESET');
    const viaFetch = await fetch(`${server.url}/reset`).then(
      () => null,
      (e: Error & { cause?: NodeJS.ErrnoException }) => e,
    );
    expect(viaFetch?.cause?.code).toBe('ECONNRESET');
    const raw = await rawExchange(port(), '/reset');
    expect(raw).toMatchObject({ ended: 'error', error: 'ECONNRESET' });
    expect(raw.data.length).toBe(0);
    expect(entriesFor('/reset').every((e) => e.outcome === 'reset' && e.status === null)).toBe(true);
  });

  it('close-mid-body: status and half the body (chunked), then the connection goes; the client cannot finish the body', async () => {
    const raw = await rawExchange(port(), '/close-mid-body');
    expect(raw.ended).not.toBe('timeout');
    const { head, body } = splitResponse(raw.data);
    expect(head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(body.includes(Buffer.from('\r\n0\r\n\r\n'))).toBe(false); // never the last chunk
    expect(body.length).toBeGreaterThan(BIG_TEXT.length * 0.4);
    expect(body.length).toBeLessThan(BIG_TEXT.length * 0.6);

    const res = await fetch(`${server.url}/close-mid-body`);
    expect(res.status).toBe(200);
    const err = await res.text().then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toBe('terminated');
  });

  it('truncated: Content-Length of the whole body, fewer bytes, then the end of the connection', async () => {
    const raw = await rawExchange(port(), '/truncated');
    expect(raw.ended).toBe('end');
    const { head, body } = splitResponse(raw.data);
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
    expect(length).toBe(Buffer.byteLength(BIG_TEXT));
    expect(body.length).toBe(Math.floor(length * 0.4));

    const res = await fetch(`${server.url}/truncated`);
    const err = await res.text().then(
      () => null,
      (e: Error & { cause?: { code?: string } }) => e,
    );
    expect(err).not.toBeNull();
    const viaHttp = await new Promise<string>((resolve) => {
      http.get(`${server.url}/truncated`, (r) => {
        r.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
        r.on('end', () => resolve(r.complete ? 'complete' : 'incomplete'));
        r.resume();
      });
    });
    expect(viaHttp).not.toBe('complete');
  });

  it('slow-dribble: the whole body, a few bytes at a time', async () => {
    const expected = JSON.stringify({ ok: true, padding: 'abcdefghij' });
    const raw = await rawExchange(port(), '/dribble');
    const { body } = splitResponse(raw.data);
    expect(body.toString()).toBe(expected);
    const pieces = Math.ceil(expected.length / 8);
    // headers first, then the body over several separate reads, spread over at least (pieces - 1) intervals
    expect(raw.chunks.length).toBeGreaterThanOrEqual(3);
    expect(raw.chunks[raw.chunks.length - 1].at - raw.chunks[0].at).toBeGreaterThanOrEqual((pieces - 1) * 30 - 5);

    const res = await fetch(`${server.url}/dribble`);
    expect(await res.json()).toEqual({ ok: true, padding: 'abcdefghij' });
  });

  it('malformed-json: 200, application/json, a body that does not parse', async () => {
    const res = await fetch(`${server.url}/malformed`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await res.text();
    expect(body).toBe(MALFORMED_JSON);
    expect(() => JSON.parse(body)).toThrow(SyntaxError);
  });
});

describe('control API', () => {
  const control = (path: string, init?: RequestInit) => fetch(`${server.controlUrl}${path}`, init).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const route = encodeURIComponent('GET /timeline');

  it('lists partners, routes and the behaviour each shows now', async () => {
    const { status, body } = await control('/partners');
    expect(status).toBe(200);
    const [acme] = body.partners as Array<{ name: string; url: string; routes: Array<{ name: string; active: { source: string; kind: string } }> }>;
    expect(acme.name).toBe('acme');
    expect(acme.url).toBe(server.url);
    expect(acme.routes.map((r) => r.name)).toContain('GET /seq');
    expect(acme.routes.at(-1)).toMatchObject({ name: '*', active: { source: 'timeline', kind: 'respond' } });
  });

  it('switches a route at runtime, and back to its timeline', async () => {
    const put = await control(`/partners/acme/routes/${route}`, { method: 'PUT', body: JSON.stringify({ status: 503, retryAfter: 7 }) });
    expect(put.status).toBe(200);
    expect(put.body.active).toMatchObject({ source: 'override', kind: 'respond' });
    const res = await fetch(`${server.url}/timeline`);
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '7']);
    expect(entriesFor('/timeline').at(-1)).toMatchObject({ status: 503, behaviour: -1 });

    expect((await control(`/partners/acme/routes/${route}`, { method: 'DELETE' })).body.active).toMatchObject({ source: 'timeline', index: 0 });
    expect((await fetch(`${server.url}/timeline`)).status).toBe(200);
  });

  it('an unknown partner or route is a 404 and the running behaviour is untouched', async () => {
    await control(`/partners/acme/routes/${route}`, { method: 'PUT', body: JSON.stringify({ status: 502 }) });
    const unknownRoute = await control(`/partners/acme/routes/${encodeURIComponent('GET /nope')}`, { method: 'PUT', body: JSON.stringify({ status: 500 }) });
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.error).toMatch(/no route "GET \/nope"/);
    const unknownPartner = await control(`/partners/globex/routes/${route}`, { method: 'PUT', body: JSON.stringify({ status: 500 }) });
    expect(unknownPartner.status).toBe(404);
    const invalid = await control(`/partners/acme/routes/${route}`, { method: 'PUT', body: JSON.stringify({ kind: 'teleport' }) });
    expect(invalid.status).toBe(400);
    expect((invalid.body.problems as string[])[0]).toMatch(/^kind: unknown behaviour kind/);
    expect((await control(`/partners/acme/routes/${route}`, { method: 'PUT', body: 'not json' })).status).toBe(400);
    // still the behaviour set before the bad requests
    expect((await fetch(`${server.url}/timeline`)).status).toBe(502);
    expect((await control(`/partners/acme/routes/${route}`)).body.active).toMatchObject({ source: 'override', behaviour: { status: 502 } });
    expect((await control('/reset', { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${server.url}/timeline`)).status).toBe(200);
    expect((await control('/nothing')).status).toBe(404);
  });
});

describe('several partners on one server', () => {
  it('serves each under /<name>, with one control API for all', async () => {
    const j = memoryJournal();
    const sim = await startSimulatorServer(
      [
        scalePartner(Partner.parse({ name: 'acme', behaviours: [{ status: 200, body: { who: 'acme' } }] }), 1),
        scalePartner(Partner.parse({ name: 'globex', routes: [{ path: '/ping', behaviours: [{ status: 202, body: { who: 'globex' } }] }] }), 1),
      ],
      j,
    );
    try {
      expect(sim.partners.map((p) => p.url)).toEqual([`${sim.url}/acme`, `${sim.url}/globex`]);
      expect(await (await fetch(`${sim.url}/acme/offers`)).json()).toEqual({ who: 'acme' });
      const g = await fetch(`${sim.url}/globex/ping`);
      expect([g.status, await g.json()]).toEqual([202, { who: 'globex' }]);
      expect((await fetch(`${sim.url}/globex/other`)).status).toBe(404);
      expect((await fetch(`${sim.url}/initech/x`)).status).toBe(404);
      const list = (await (await fetch(`${sim.controlUrl}/partners`)).json()) as { partners: Array<{ name: string }> };
      expect(list.partners.map((p) => p.name)).toEqual(['acme', 'globex']);
      expect(j.entries.map((e) => [e.partner, e.path, e.status])).toEqual([
        ['acme', '/offers', 200],
        ['globex', '/ping', 202],
        ['globex', '/other', 404],
      ]);
    } finally {
      await sim.close();
    }
  });

  it('closing ends hanging connections and journals them', async () => {
    const j = memoryJournal();
    const sim = await startPartnerServer(scalePartner(Partner.parse({ name: 'acme', behaviours: [{ kind: 'hang' }] }), 1), j);
    const pending = fetch(`${sim.url}/x`).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 100));
    await sim.close();
    expect(await pending).toBe('failed');
    expect(j.entries).toHaveLength(1);
    expect(j.entries[0]).toMatchObject({ outcome: 'hang', status: null });
  });
});
