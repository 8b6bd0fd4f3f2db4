// The journal analysis judges real clients: small retrying clients run against the real
// simulator (node:http on 127.0.0.1) through an outage and a throttling partner; their journals
// are then analysed. A well-behaved client passes; fixed delays, no jitter, ignoring Retry-After
// and retrying without limit each fail, for their own reason.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scalePartner } from '../../src/plan/plan.ts';
import { Partner } from '../../src/schema/partner.ts';
import { analyseBackoff, analyseRetryAfter, groupCalls, type BackoffExpectation } from '../../src/judge/journal-analysis.ts';
import { backoffDelay, parseRetryAfter, type BackoffPolicy } from '../../simulators/backoff.ts';
import { memoryJournal, type JournalEntry } from '../../simulators/journal.ts';
import { startPartnerServer, type PartnerServer } from '../../simulators/partner-server.ts';
import { seededRandom } from '../../simulators/random.ts';

const POLICY: BackoffPolicy = { baseMs: 200, capMs: 800, jitter: 'full' };
const FAST: BackoffPolicy = { baseMs: 50, capMs: 200, jitter: 'full' };
const MAX_ATTEMPTS = 4;
const CALLS = 16;
/** no client goes beyond this, whatever it is told (the tests stay bounded) */
const HARD_CAP_ATTEMPTS = 12;

const partner = Partner.parse({
  name: 'acme',
  routes: [
    // an outage: every call sees six 503s (no Retry-After), then 200
    { method: 'GET', path: '/outage', behaviours: [{ kind: 'sequence', scope: 'call', steps: [503, 503, 503, 503, 503, 503, 200] }] },
    // throttling: 429 with Retry-After 1 (seconds), 503 with Retry-After 1 s as an HTTP-date, then 200
    { method: 'GET', path: '/warm-up', behaviours: [{ status: 200 }] },
    { method: 'GET', path: '/throttled', behaviours: [{ kind: 'sequence', scope: 'call', steps: [{ status: 429, retryAfter: 1 }, { status: 503, retryAfter: 1, retryAfterDate: true }, 200] }] },
  ],
});

interface Client {
  name: string;
  maxAttempts: number;
  honoursRetryAfter: boolean;
  /** the wait before retry number `retry` (0-based) */
  wait(retry: number, random: () => number): number;
}

const CLIENTS: Record<string, Client> = {
  good: { name: 'good', maxAttempts: MAX_ATTEMPTS, honoursRetryAfter: true, wait: (k, r) => backoffDelay(POLICY, k, r) },
  fixed: { name: 'fixed', maxAttempts: MAX_ATTEMPTS, honoursRetryAfter: true, wait: () => 100 },
  'no-jitter': { name: 'no-jitter', maxAttempts: MAX_ATTEMPTS, honoursRetryAfter: true, wait: (k, r) => backoffDelay({ ...POLICY, jitter: 'none' }, k, r) },
  // its own backoff is fine (full jitter, base 50 ms), but it never looks at Retry-After
  'ignores-retry-after': { name: 'ignores-retry-after', maxAttempts: MAX_ATTEMPTS, honoursRetryAfter: false, wait: (k, r) => backoffDelay(FAST, k, r) },
  unlimited: { name: 'unlimited', maxAttempts: HARD_CAP_ATTEMPTS, honoursRetryAfter: true, wait: (k, r) => backoffDelay(POLICY, k, r) },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One logical call with retries, as an HTTP client library would make it. */
async function call(url: string, client: Client, requestId: string, random: () => number): Promise<void> {
  for (let attempt = 1; attempt <= Math.min(client.maxAttempts, HARD_CAP_ATTEMPTS); attempt++) {
    const res = await fetch(url, { headers: { 'x-request-id': requestId, 'x-attempt': String(attempt), 'x-client-id': client.name }, signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    if (res.ok) return;
    const ra = client.honoursRetryAfter ? parseRetryAfter(res.headers.get('retry-after'), Date.now()) : null;
    await sleep(ra ? ra.ms : client.wait(attempt - 1, random));
  }
}

const journals = new Map<string, JournalEntry[]>();
const servers: PartnerServer[] = [];

beforeAll(async () => {
  const started = performance.now();
  // one client at a time (each with its own simulator and journal): a loaded machine delays timers,
  // and the fewer requests share this process, the less the waits measure the machine
  for (const [c, client] of Object.values(CLIENTS).entries()) {
    const journal = memoryJournal();
    const server = await startPartnerServer(scalePartner(partner, 1), journal);
    servers.push(server);
    server.startTimeline(Date.now());
    const random = seededRandom(1000 + c);
    // warm up (fetch's first use, connections, JIT) so that the first waits measure the client, not the start
    for (let w = 0; w < 20; w++) await (await fetch(`${server.url}/warm-up`)).arrayBuffer();
    // calls start 25 ms apart, as requests arrive at a service: they do not all wake at once
    await Promise.all(
      Array.from({ length: CALLS }, async (_, i) => {
        await sleep(i * 25);
        await Promise.all([call(`${server.url}/outage`, client, `${client.name}-outage-${i}`, random), call(`${server.url}/throttled`, client, `${client.name}-throttled-${i}`, random)]);
      }),
    );
    journals.set(client.name, journal.entries);
  }
  expect(performance.now() - started).toBeLessThan(90_000); // bounded
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const outage = (name: string) => journals.get(name)!.filter((e) => e.path === '/outage');
const throttled = (name: string) => journals.get(name)!.filter((e) => e.path === '/throttled');
// generous slack for timers on a loaded machine: what is judged here is jitter, limits and Retry-After
const EXPECT: BackoffExpectation = { policy: POLICY, maxAttempts: MAX_ATTEMPTS, slackMs: 250 };

describe('journal of real clients', () => {
  it('groups the attempts of each logical call by x-request-id', () => {
    const calls = groupCalls(outage('good'));
    expect(calls).toHaveLength(CALLS);
    expect(calls.every((c) => c.attempts.length === MAX_ATTEMPTS)).toBe(true);
    expect(calls[0].attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
  });
});

describe('backoff compliance', () => {
  it('passes a client with capped exponential backoff, full jitter and a limit', () => {
    const f = analyseBackoff(outage('good'), EXPECT);
    expect(f).toMatchObject({ calls: CALLS, retriedCalls: CALLS, waits: CALLS * 3, early: 0, jitterPresent: true, maxAttemptsObserved: 4, callsOverMaxAttempts: 0 });
    expect(f.byRetry.map((r) => [r.retry, r.samples, r.expoMs])).toEqual([
      [0, CALLS, 200],
      [1, CALLS, 400],
      [2, CALLS, 800],
    ]);
    expect(f.peakRetryRate).toBeGreaterThan(0);
  });

  it('fails a client with fixed delays: no jitter', () => {
    const f = analyseBackoff(outage('fixed'), EXPECT);
    expect(f.jitterPresent).toBe(false);
    expect(f.warnings.join('\n')).toMatch(/waits do not grow/);
  });

  it('fails a client with exponential backoff but no jitter', () => {
    const f = analyseBackoff(outage('no-jitter'), EXPECT);
    expect(f.jitterPresent).toBe(false);
    expect(f.early).toBe(0); // it never retries too soon: the lack of jitter is what fails it
  });

  it('fails a client that retries without limit', () => {
    const f = analyseBackoff(outage('unlimited'), EXPECT);
    expect(f.callsOverMaxAttempts).toBe(CALLS);
    expect(f.maxAttemptsObserved).toBe(7);
  });

  it('measures the peak retry rate in the outage window, and fails above a limit', () => {
    const entries = outage('unlimited');
    const window = { fromMono: Math.min(...entries.map((e) => e.mono)), toMono: Math.max(...entries.map((e) => e.mono)) };
    const f = analyseBackoff(entries, { ...EXPECT, maxAttempts: HARD_CAP_ATTEMPTS, outage: window, maxRetryRate: 1 });
    expect(f.peakRetryRate).toBeGreaterThan(1);
    const none = analyseBackoff(entries, { ...EXPECT, maxAttempts: HARD_CAP_ATTEMPTS, outage: { fromMono: window.fromMono - 10_000, toMono: window.fromMono - 5_000 } });
    expect(none.peakRetryRate).toBe(0);
  });
});

describe('Retry-After honoured', () => {
  it('passes a client that waits as told, in both forms', () => {
    const f = analyseRetryAfter(throttled('good'));
    expect(f).toMatchObject({ checked: CALLS * 2, violations: 0, bySeconds: { checked: CALLS, violations: 0 }, byDate: { checked: CALLS, violations: 0 } });
  });

  it('fails a client that ignores Retry-After, in both forms', () => {
    const f = analyseRetryAfter(throttled('ignores-retry-after'));
    // it retries within 50–200 ms of a 1 s Retry-After: only a stall of most of a second could hide that
    expect(f.bySeconds.checked).toBe(CALLS);
    expect(f.byDate.checked).toBe(CALLS);
    expect(f.bySeconds.violations).toBeGreaterThan(CALLS / 2);
    expect(f.byDate.violations).toBeGreaterThan(CALLS / 2);
    expect(f.samples[0].earlyByMs).toBeGreaterThan(0);
    // ... although its backoff alone is fine, judged by its own policy
    expect(analyseBackoff(outage('ignores-retry-after'), { ...EXPECT, policy: FAST })).toMatchObject({ jitterPresent: true });
  });

  it('no answer with Retry-After is no evidence, not a pass', () => {
    expect(analyseRetryAfter(outage('good'))).toMatchObject({ checked: 0 });
    expect(analyseBackoff([], EXPECT)).toMatchObject({ retriedCalls: 0 });
  });
});
