// The partner hub's defect switches against the healthy hub, each on real processes: the hub
// (node server.mjs) and a partner API of this test's own (node:http on 127.0.0.1) that records
// every attempt. Each defect must change what the partner or the client observes.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../examples/partner-hub/lib/circuit-breaker.mjs';
import { KNOWN_DEFECTS, parseDefects, zonesForDefects } from '../../examples/partner-hub/lib/defects.mjs';
import { backoffDelayMs, retryAfterMs } from '../../examples/partner-hub/lib/partner-client.mjs';
import { createRateLimiter } from '../../examples/partner-hub/lib/rate-limit.mjs';
import { signWebhook, startHub } from '../../examples/partner-hub/harness.mjs';
import { ownerMarker } from '../../src/platform/processes.ts';
import { tmpDir, waitFor } from '../helpers.ts';

const SECRET = 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu';
const OTHER_SECRET = 'whsec_' + Buffer.from('not the partner secret at all!!').toString('base64');

interface PartnerRequest {
  atMono: number;
  requestId: string;
  attempt: number;
}

interface Partner {
  url: string;
  behaviour: { status: number; retryAfter?: string };
  requests: PartnerRequest[];
  close(): Promise<void>;
}

/** The partner API: answers GET /offers with the current behaviour and records every attempt. */
async function startPartner(): Promise<Partner> {
  const partner: Partner = {
    url: '',
    behaviour: { status: 200 },
    requests: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    partner.requests.push({ atMono: performance.now(), requestId: String(req.headers['x-request-id']), attempt: Number(req.headers['x-attempt']) });
    const { status, retryAfter } = partner.behaviour;
    res.writeHead(status, { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) });
    res.end(JSON.stringify(status === 200 ? { offers: [{ id: 'o1', price: 100 }] } : { error: `status ${status}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  partner.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const close = partner.close;
  partner.close = () => {
    server.closeAllConnections();
    return close();
  };
  return partner;
}

type Hub = Awaited<ReturnType<typeof startHub>>;
const base = tmpDir('gameday-hub-defects');
const running: Hub[] = [];
const partners: Partner[] = [];

async function hub(env: Record<string, string>, partner?: Partner): Promise<Hub> {
  const dataDir = fs.mkdtempSync(path.join(base, 'data-'));
  const h = await startHub({
    dataDir,
    logFile: `${dataDir}.log`,
    env: {
      GAMEDAY_OWNER: ownerMarker(),
      GAMEDAY_RUN_ID: 'partner-hub-defects-test',
      WEBHOOK_SECRETS: JSON.stringify({ acme: SECRET }),
      PARTNER_URL: partner?.url ?? 'http://127.0.0.1:9',
      ...env,
    },
  });
  running.push(h);
  return h;
}

async function partner(): Promise<Partner> {
  const p = await startPartner();
  partners.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  await Promise.all(partners.splice(0).map((p) => p.close()));
});

afterAll(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

async function metrics(h: Hub): Promise<any> {
  return (await fetch(`${h.url}/metrics`)).json();
}

async function getOffers(h: Hub) {
  const res = await fetch(`${h.url}/offers`);
  return { status: res.status, source: res.headers.get('x-offers-source'), breaker: res.headers.get('x-circuit-breaker'), body: await res.text() };
}

interface RetryRecord {
  requestId: string;
  attempt: number;
  outcome: string;
  delayMs: number | null;
  basis: string;
}

/** The hub's own record of the retries it scheduled, grouped by the call (x-request-id). */
async function retrySchedule(h: Hub): Promise<Map<string, RetryRecord[]>> {
  const m = await metrics(h);
  const byCall = new Map<string, RetryRecord[]>();
  for (const r of m.partner.retries as RetryRecord[]) byCall.set(r.requestId, [...(byCall.get(r.requestId) ?? []), r]);
  return byCall;
}

/** Gaps (ms) between consecutive attempts of one call as the partner saw them, by attempt number. */
function partnerGaps(p: Partner, requestId: string): Map<number, number> {
  const attempts = p.requests.filter((r) => r.requestId === requestId).sort((a, b) => a.attempt - b.attempt);
  const gaps = new Map<number, number>();
  for (let i = 1; i < attempts.length; i++) gaps.set(attempts[i - 1].attempt, attempts[i].atMono - attempts[i - 1].atMono);
  return gaps;
}

// ---------------------------------------------------------------------------------------------

describe('partner hub pure parts', () => {
  it('parses DEFECTS and names every unknown switch', () => {
    expect([...parseDefects(' no-backoff, no-jitter ,')]).toEqual(['no-backoff', 'no-jitter']);
    expect(parseDefects(undefined).size).toBe(0);
    expect(() => parseDefects('no-backoff,no-such-thing,typo')).toThrow(/unknown defects in DEFECTS: no-such-thing, typo; known defects: no-backoff/);
    expect(KNOWN_DEFECTS).toEqual(
      expect.arrayContaining(['no-backoff', 'ignore-retry-after', 'no-jitter', 'no-signature-check', 'no-timestamp-tolerance', 'no-idempotency', 'no-key-retirement', 'no-circuit-breaker', 'single-zone', 'no-rate-limit', 'ack-before-persist', 'no-disk-handling']),
    );
    expect(zonesForDefects(['single-zone'], ['a', 'b', 'c'])).toEqual(['a']);
    expect(zonesForDefects([], ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('backoff: full jitter below the exponential ceiling; no-jitter = the ceiling; no-backoff = 0', () => {
    expect(backoffDelayMs(1, { random: () => 0.5 })).toBe(25);
    expect(backoffDelayMs(3, { random: () => 0.5 })).toBe(100);
    expect(backoffDelayMs(9, { random: () => 0.999 })).toBeLessThan(400);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, { jitter: false }))).toEqual([50, 100, 200, 400, 400]);
    expect(backoffDelayMs(3, { backoff: false })).toBe(0);
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs('soon')).toBeNull();
  });

  it('circuit breaker: opens after N failures, half-opens after the cool-down for one probe', () => {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => now });
    b.failure();
    b.failure();
    b.success(); // not consecutive
    b.failure();
    b.failure();
    expect(b.state).toBe('closed');
    b.failure();
    expect(b.state).toBe('open');
    expect(b.acquire().allowed).toBe(false);
    now = 1000;
    expect(b.acquire()).toEqual({ allowed: true, probe: true });
    expect(b.state).toBe('half-open');
    expect(b.acquire().allowed).toBe(false); // one probe at a time
    b.failure();
    expect(b.state).toBe('open');
    now = 2500;
    expect(b.acquire().probe).toBe(true);
    b.success();
    expect(b.state).toBe('closed');
    expect(b.snapshot().transitions.map((t) => t.to)).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    const off = new CircuitBreaker({ failureThreshold: 1, enabled: false });
    off.failure();
    off.failure();
    expect(off.acquire().allowed).toBe(true);
  });

  it('rate limiter: a bucket per client, refill over time, an optional global bucket', () => {
    let now = 0;
    const limiter = createRateLimiter({ perClientRps: 1, burst: 2, now: () => now });
    expect([1, 2, 3].map(() => limiter.check('attacker').allowed)).toEqual([true, true, false]);
    expect(limiter.check('attacker')).toEqual({ allowed: false, retryAfterS: 1, scope: 'client' });
    expect(limiter.check('someone-else').allowed).toBe(true);
    now = 1000;
    expect(limiter.check('attacker').allowed).toBe(true);
    const global = createRateLimiter({ perClientRps: 100, burst: 100, globalRps: 1, globalBurst: 2, now: () => now });
    expect(['a', 'b', 'c'].map((k) => global.check(k).allowed)).toEqual([true, true, false]);
    expect(global.check('d')).toMatchObject({ allowed: false, scope: 'global' });
    const off = createRateLimiter({ perClientRps: 1, burst: 1, enabled: false, now: () => now });
    expect([1, 2, 3].map(() => off.check('x').allowed)).toEqual([true, true, true]);
  });
});

describe('partner hub defect switches on real processes', () => {
  it('refuses to start with an unknown defect, naming it and the known ones', async () => {
    const dataDir = fs.mkdtempSync(path.join(base, 'data-'));
    const h = await startHub({ dataDir, logFile: `${dataDir}.log`, waitHealthy: false, env: { DEFECTS: 'no-backoff,no-such-defect', GAMEDAY_OWNER: ownerMarker() } });
    running.push(h);
    const exit = await h.exited;
    expect(exit.code).toBe(2);
    expect(h.log()).toMatch(/cannot start: unknown defect in DEFECTS: no-such-defect; known defects: no-backoff, ignore-retry-after/);
  });

  it('healthy: retries a failing partner with full-jitter backoff and really waits', async () => {
    const p = await partner();
    p.behaviour = { status: 500 };
    const h = await hub({ BREAKER_FAILURES: '1000' }, p);
    for (let i = 0; i < 3; i++) expect((await getOffers(h)).status).toBe(503);
    const schedule = await retrySchedule(h);
    expect(schedule.size).toBe(3);
    const firstDelays: number[] = [];
    let gapsChecked = 0;
    for (const [requestId, records] of schedule) {
      const waited = records.filter((r) => r.delayMs !== null);
      expect(waited.length).toBeGreaterThan(0);
      for (const r of waited) {
        expect(r.basis).toBe('full-jitter');
        expect(r.outcome).toBe('http 500');
        expect(r.delayMs!).toBeGreaterThanOrEqual(0);
        expect(r.delayMs!).toBeLessThan(Math.min(400, 50 * 2 ** (r.attempt - 1)));
        // the partner saw the next attempt no earlier than the scheduled delay (timers may fire ~1 ms
        // early); a late timer on a busy machine may leave no budget for that attempt
        const gap = partnerGaps(p, requestId).get(r.attempt);
        if (gap === undefined) continue;
        expect(gap).toBeGreaterThanOrEqual(r.delayMs! - 2);
        gapsChecked++;
      }
      firstDelays.push(records[0].delayMs!);
    }
    expect(gapsChecked).toBeGreaterThan(0);
    // full jitter: not the deterministic ceiling, and not the same for every call
    expect(firstDelays.some((d) => d !== 50)).toBe(true);
    expect(new Set(firstDelays).size).toBeGreaterThan(1);
  });

  it('no-backoff: the next attempt is scheduled with no pause at all', async () => {
    const p = await partner();
    p.behaviour = { status: 500 };
    const h = await hub({ BREAKER_FAILURES: '1000', DEFECTS: 'no-backoff' }, p);
    for (let i = 0; i < 3; i++) expect((await getOffers(h)).status).toBe(503);
    const schedule = await retrySchedule(h);
    expect(schedule.size).toBe(3);
    for (const [requestId, records] of schedule) {
      const waited = records.filter((r) => r.delayMs !== null);
      expect(waited.length).toBeGreaterThan(0);
      for (const r of waited) expect(r).toMatchObject({ basis: 'no-backoff', delayMs: 0 });
      expect(p.requests.filter((r) => r.requestId === requestId).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('no-jitter: every call retries on the same deterministic schedule (50, 100, 200 ms)', async () => {
    const p = await partner();
    p.behaviour = { status: 500 };
    const h = await hub({ BREAKER_FAILURES: '1000', DEFECTS: 'no-jitter' }, p);
    for (let i = 0; i < 3; i++) expect((await getOffers(h)).status).toBe(503);
    const schedule = await retrySchedule(h);
    expect(schedule.size).toBe(3);
    for (const [requestId, records] of schedule) {
      for (const r of records.filter((x) => x.delayMs !== null)) {
        expect(r.basis).toBe('no-jitter');
        expect(r.delayMs).toBe([50, 100, 200][r.attempt - 1]);
        const gap = partnerGaps(p, requestId).get(r.attempt);
        if (gap !== undefined) expect(gap).toBeGreaterThanOrEqual(r.delayMs! - 2);
      }
      expect(records[0].delayMs).toBe(50);
    }
  });

  it("healthy: Retry-After holds back this call's retries and later calls; ignore-retry-after: the next attempt comes long before it", async () => {
    const p = await partner();
    p.behaviour = { status: 429, retryAfter: '30' };
    const healthy = await hub({}, p);
    for (let i = 0; i < 4; i++) expect((await getOffers(healthy)).status).toBe(503);
    expect(p.requests).toHaveLength(1); // one attempt; 30 s have not passed
    const m = await metrics(healthy);
    expect(m.partner.heldBackByRetryAfter).toBeGreaterThanOrEqual(3);
    expect(Date.parse(m.partner.retryAfterUntil)).toBeGreaterThan(Date.now() + 20_000);
    expect(m.partner.retries[0]).toMatchObject({ attempt: 1, outcome: 'http 429', delayMs: null });

    const q = await partner();
    q.behaviour = { status: 429, retryAfter: '30' };
    const defect = await hub({ DEFECTS: 'ignore-retry-after' }, q);
    expect((await getOffers(defect)).status).toBe(503);
    expect((await getOffers(defect)).status).toBe(503);
    expect(q.requests.length).toBeGreaterThanOrEqual(3);
    const first = q.requests[0];
    const second = q.requests[1];
    expect(second.requestId).toBe(first.requestId); // retried within the same call
    expect(second.atMono - first.atMono).toBeLessThan(30_000);
    expect((await metrics(defect)).partner.retryAfterUntil).toBeNull();
  });

  it('healthy: the circuit breaker opens, serves the cache without calling the partner, half-opens for one probe, closes', async () => {
    const p = await partner();
    const h = await hub({ BREAKER_FAILURES: '3', BREAKER_COOLDOWN_MS: '3000' }, p);
    expect(await getOffers(h)).toMatchObject({ status: 200, source: 'partner', breaker: 'closed' });
    p.behaviour = { status: 500 };
    // 3 consecutive failed attempts open it (within the first call, or the next)
    await waitFor('the breaker to open', async () => {
      await getOffers(h);
      return (await metrics(h)).breaker.state === 'open';
    }, 20_000, 0);
    const opened = await metrics(h);
    expect(opened.breaker).toMatchObject({ opened: 1, halfOpened: 0 });
    expect(opened.breaker.probeInMs).toBeGreaterThan(0);
    const calls = p.requests.length;
    for (let i = 0; i < 3; i++) expect(await getOffers(h)).toMatchObject({ status: 200, source: 'cache', breaker: 'open' });
    const stillOpen = await metrics(h);
    expect(stillOpen.breaker).toMatchObject({ state: 'open', opened: 1, halfOpened: 0 });
    expect(stillOpen.breaker.rejected).toBeGreaterThanOrEqual(3);
    expect(p.requests.length).toBe(calls); // open: the partner was not called

    // after the cool-down one probe goes out; it fails: open again, no retries
    await waitFor('the cool-down', async () => (await metrics(h)).breaker.probeInMs === 0, 10_000, 50);
    expect(await getOffers(h)).toMatchObject({ status: 200, source: 'cache', breaker: 'open' });
    expect(p.requests.length).toBe(calls + 1);
    expect((await metrics(h)).breaker).toMatchObject({ state: 'open', opened: 2, halfOpened: 1 });

    // the partner recovers; the next probe succeeds and closes the breaker
    p.behaviour = { status: 200 };
    await waitFor('the cool-down', async () => (await metrics(h)).breaker.probeInMs === 0, 10_000, 50);
    expect(await getOffers(h)).toMatchObject({ status: 200, source: 'partner', breaker: 'closed' });
    expect(p.requests.length).toBe(calls + 2);
    const closed = (await metrics(h)).breaker;
    expect(closed).toMatchObject({ state: 'closed', opened: 2, halfOpened: 2, closed: 1 });
    expect(closed.transitions.map((t: { to: string }) => t.to)).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('no-circuit-breaker: a failing partner keeps being called on every request', async () => {
    const p = await partner();
    const h = await hub({ BREAKER_FAILURES: '3', DEFECTS: 'no-circuit-breaker' }, p);
    expect((await getOffers(h)).source).toBe('partner');
    p.behaviour = { status: 500 };
    for (let i = 0; i < 4; i++) {
      const before = p.requests.length;
      expect(await getOffers(h)).toMatchObject({ status: 200, source: 'cache', breaker: 'closed' });
      expect(p.requests.length).toBeGreaterThan(before);
    }
    const m = await metrics(h);
    expect(m.breaker).toMatchObject({ enabled: false, state: 'closed', opened: 0 });
    expect(m.breaker.failures).toBeGreaterThanOrEqual(6); // well past the threshold of 3
  });

  it('healthy: forged signatures and stale timestamps are refused; no-signature-check / no-timestamp-tolerance accept them', async () => {
    const healthy = await hub({});
    const noSig = await hub({ DEFECTS: 'no-signature-check' });
    const noTs = await hub({ DEFECTS: 'no-timestamp-tolerance' });
    const body = JSON.stringify({ type: 'booking.created', id: 'b1' });
    const forged = (id: string) => signWebhook(OTHER_SECRET, { id, body });
    const stale = (id: string) => signWebhook(SECRET, { id, body, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const post = (h: Hub, headers: Record<string, string>) => fetch(`${h.url}/webhooks/acme`, { method: 'POST', headers, body });
    const applied = async (h: Hub, id: string) => ((await (await fetch(`${h.url}/webhooks/acme/${id}`)).json()) as { applied: number }).applied;

    expect((await post(healthy, forged('f1'))).status).toBe(401);
    expect(await applied(healthy, 'f1')).toBe(0);
    expect((await post(healthy, stale('s1'))).status).toBe(401);
    expect(await applied(healthy, 's1')).toBe(0);
    expect((await post(healthy, signWebhook(SECRET, { id: 'ok1', body }))).status).toBe(200);

    expect((await post(noSig, forged('f1'))).status).toBe(200);
    expect(await applied(noSig, 'f1')).toBe(1);
    expect((await post(noSig, stale('s1'))).status).toBe(401); // only the signature check is gone

    expect((await post(noTs, stale('s1'))).status).toBe(200);
    expect(await applied(noTs, 's1')).toBe(1);
    expect((await post(noTs, forged('f1'))).status).toBe(401); // only the tolerance is gone
  });

  it('key rotation: the previous key alone before it, both during the overlap, the new one alone after; no-key-retirement keeps the old one', async () => {
    // the run's timeline through T0_FILE: rotation at 1.5 s, overlap until 3 s (from t0)
    const dir = fs.mkdtempSync(path.join(base, 'rotation-'));
    const t0File = path.join(dir, 't0.json');
    const env = { WEBHOOK_ROTATIONS: JSON.stringify({ acme: { previous: OTHER_SECRET, at: 1500, end: 3000 } }), T0_FILE: t0File };
    const healthy = await hub(env);
    const mutant = await hub({ ...env, DEFECTS: 'no-key-retirement' });
    const body = JSON.stringify({ type: 'booking.created', id: 'b3' });
    let n = 0;
    const post = async (h: Hub, secret: string) => (await fetch(`${h.url}/webhooks/acme`, { method: 'POST', headers: signWebhook(secret, { id: `k${n++}`, body }), body })).status;
    const both = async (secret: string) => [await post(healthy, secret), await post(mutant, secret)];

    // the timeline has not started: before the rotation
    expect(await both(OTHER_SECRET)).toEqual([200, 200]);
    expect(await both(SECRET)).toEqual([401, 401]);
    const t0 = Date.now();
    fs.writeFileSync(t0File, JSON.stringify({ t0 }));
    expect(await both(OTHER_SECRET)).toEqual([200, 200]);
    expect(await both(SECRET)).toEqual([401, 401]);
    await new Promise((r) => setTimeout(r, t0 + 1700 - Date.now())); // the overlap: both keys
    expect(await both(OTHER_SECRET)).toEqual([200, 200]);
    expect(await both(SECRET)).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, t0 + 3200 - Date.now())); // retired: the new key only, unless the defect keeps the old one
    expect(await both(SECRET)).toEqual([200, 200]);
    expect(await both(OTHER_SECRET)).toEqual([401, 200]);
  });

  it('refuses a rotation it cannot place on the run timeline', async () => {
    const dataDir = fs.mkdtempSync(path.join(base, 'data-'));
    const h = await startHub({ dataDir, logFile: `${dataDir}.log`, waitHealthy: false, env: { WEBHOOK_SECRETS: JSON.stringify({ acme: SECRET }), WEBHOOK_ROTATIONS: JSON.stringify({ acme: { previous: OTHER_SECRET, at: 1, end: 2 } }) } });
    expect((await h.exited).code).toBe(2);
    expect(h.log()).toMatch(/give T0_FILE/);
  });

  it('healthy: a replayed delivery is applied once; no-idempotency applies it twice', async () => {
    const body = JSON.stringify({ type: 'booking.created', id: 'b2' });
    for (const [env, expected] of [[{}, 1], [{ DEFECTS: 'no-idempotency' }, 2]] as const) {
      const h = await hub(env);
      const headers = signWebhook(SECRET, { id: 'replayed-1', body });
      const first = await fetch(`${h.url}/webhooks/acme`, { method: 'POST', headers, body });
      const second = await fetch(`${h.url}/webhooks/acme`, { method: 'POST', headers, body });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(await second.json()).toEqual(expected === 1 ? { duplicate: true } : { accepted: true });
      expect(await (await fetch(`${h.url}/webhooks/acme/replayed-1`)).json()).toEqual({ applied: expected });
    }
  });

  it('healthy: a credential-stuffing source gets 429 + Retry-After while another client logs in; no-rate-limit never answers 429', async () => {
    const login = (h: Hub, client: string, password: string) =>
      fetch(`${h.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-client-id': client }, body: JSON.stringify({ username: 'alice', password }) });
    const env = { RATE_LIMIT_PER_CLIENT: '1', RATE_LIMIT_BURST: '3' };
    for (const defect of [false, true]) {
      const h = await hub(defect ? { ...env, DEFECTS: 'no-rate-limit' } : env);
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 20; i++) {
        const res = await login(h, 'botnet-1', `guess-${i}`);
        statuses.push(res.status);
        if (res.status === 429) retryAfter ??= res.headers.get('retry-after');
        await res.arrayBuffer();
      }
      const legit = await login(h, 'alice-laptop', 'wonderland');
      expect(legit.status).toBe(200);
      expect(await legit.json()).toEqual({ ok: true, user: 'alice' });
      const m = await metrics(h);
      if (defect) {
        expect(statuses.every((s) => s === 401)).toBe(true);
        expect(m.rateLimit).toMatchObject({ enabled: false, limited: 0 });
      } else {
        // at most the burst plus one refill per second got through to the password check
        expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
        expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
        expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
        expect(m.login.limited).toBe(statuses.filter((s) => s === 429).length);
        expect(m.rateLimit.limitedBy).toEqual({ 'id:botnet-1': m.login.limited });
      }
    }
  });

  it('a global login limit refuses every client once the shared bucket is empty', async () => {
    const h = await hub({ RATE_LIMIT_PER_CLIENT: '100', RATE_LIMIT_BURST: '100', RATE_LIMIT_GLOBAL: '0.2', RATE_LIMIT_GLOBAL_BURST: '2' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${h.url}/login`, { method: 'POST', headers: { 'x-client-id': `client-${i}` }, body: JSON.stringify({ username: 'bob', password: 'builder' }) });
      statuses.push(res.status);
      if (res.status === 429) expect(await res.json()).toMatchObject({ scope: 'global' });
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toEqual([429, 429]);
  });

  it('RATE_LIMIT_SCOPE=all limits every route per client but /healthz and /metrics', async () => {
    const p = await partner();
    const h = await hub({ RATE_LIMIT_SCOPE: 'all', RATE_LIMIT_PER_CLIENT: '0.1', RATE_LIMIT_BURST: '2' }, p);
    const get = async (route: string, client: string) => {
      const res = await fetch(`${h.url}${route}`, { headers: { 'x-client-id': client } });
      await res.arrayBuffer();
      return res.status;
    };
    expect([await get('/offers', 'k6'), await get('/offers', 'k6'), await get('/offers', 'k6')]).toEqual([200, 200, 429]);
    expect(await get('/webhooks/acme/x', 'k6')).toBe(429);
    expect([await get('/healthz', 'k6'), await get('/metrics', 'k6')]).toEqual([200, 200]);
    expect(await get('/offers', 'another-client')).toBe(200);
    expect(p.requests.length).toBe(3); // the refused request never reached the partner
  });

  it('single-zone: the replica reports zone a whatever ZONE says', async () => {
    const normal = await hub({ ZONE: 'b' });
    const single = await hub({ ZONE: 'b', DEFECTS: 'single-zone' });
    expect(await (await fetch(`${normal.url}/healthz`)).json()).toMatchObject({ zone: 'b', defects: [] });
    const res = await fetch(`${single.url}/healthz`);
    expect(res.headers.get('x-zone')).toBe('a');
    expect(await res.json()).toMatchObject({ zone: 'a', defects: ['single-zone'] });
    expect(single.log()).toMatch(/single-zone: reporting zone a, not ZONE=b/);
  });
});
