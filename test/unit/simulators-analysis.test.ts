import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseBackoff, analyseIdempotency, analyseRetryAfter, analyseWebhooks, callKey, groupCalls, mad } from '../../src/judge/journal-analysis.ts';
import { backoffBounds, backoffDelay, expoMs, parseRetryAfter, retryable } from '../../simulators/backoff.ts';
import { micros } from '../../simulators/exchange.ts';
import { JournalFileError, openJournal, readJournal, type JournalEntry } from '../../simulators/journal.ts';
import { seededRandom } from '../../simulators/random.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A journal entry at `mono` ms (wall clock T0 + mono). */
function entry(mono: number, over: Partial<JournalEntry> = {}): JournalEntry {
  return {
    time: new Date(T0 + Math.round(mono)).toISOString(),
    mono,
    source: 'partner',
    partner: 'acme',
    method: 'GET',
    path: '/offers',
    route: 'GET /offers',
    requestId: null,
    attempt: null,
    idempotencyKey: null,
    webhookId: null,
    callId: null,
    bodyHash: null,
    clientKey: null,
    status: 503,
    retryAfter: null,
    retryAfterUntil: null,
    behaviour: 0,
    kind: 'respond',
    outcome: 'answered',
    durationMs: 0,
    variant: null,
    error: null,
    ...over,
  };
}

describe('backoff definitions (AWS architecture blog)', () => {
  const p = { baseMs: 100, capMs: 1000 };
  it('expo = min(cap, base·2^k)', () => {
    expect([0, 1, 2, 3, 4, 5].map((k) => expoMs(p, k))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('each jitter stays inside its own bounds', () => {
    const random = seededRandom(9);
    for (const jitter of ['full', 'equal', 'decorrelated', 'none'] as const) {
      let prev = 100;
      for (let i = 0; i < 500; i++) {
        const k = i % 6;
        const d = backoffDelay({ ...p, jitter }, k, random, prev);
        const b = backoffBounds({ ...p, jitter }, k, prev);
        expect(d, `${jitter} ${k}`).toBeGreaterThanOrEqual(b.min);
        expect(d, `${jitter} ${k}`).toBeLessThanOrEqual(b.max);
        prev = d;
      }
    }
    expect(backoffBounds({ ...p, jitter: 'full' }, 2)).toEqual({ min: 0, max: 400 });
    expect(backoffBounds({ ...p, jitter: 'equal' }, 2)).toEqual({ min: 200, max: 400 });
    expect(backoffBounds({ ...p, jitter: 'decorrelated' }, 2, 150)).toEqual({ min: 100, max: 450 });
    expect(backoffBounds({ ...p, jitter: 'decorrelated' }, 2, 900)).toEqual({ min: 100, max: 1000 });
  });

  it('Retry-After: delay-seconds or an HTTP-date', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfter('120', now)).toEqual({ ms: 120_000, seconds: 120, untilMs: null });
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:02 GMT', now)).toEqual({ ms: 2000, seconds: 2, untilMs: now + 2000 });
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:00 GMT', now + 5000)).toMatchObject({ ms: 0 });
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect([429, 500, 503, 408, null, 400, 404, 200].map(retryable)).toEqual([true, true, true, true, true, false, false, false]);
  });
});

describe('grouping attempts into logical calls', () => {
  it('by the sender call id, x-request-id, idempotency-key, webhook-id, then body hash', () => {
    expect(callKey(entry(0, { callId: 'c', requestId: 'r' }))).toBe('c');
    expect(callKey(entry(0, { requestId: 'r', idempotencyKey: 'i' }))).toBe('r');
    expect(callKey(entry(0, { idempotencyKey: 'i', webhookId: 'w' }))).toBe('i');
    expect(callKey(entry(0, { webhookId: 'w', bodyHash: 'h' }))).toBe('w');
    expect(callKey(entry(0, { bodyHash: 'h' }))).toBe('h');
    const calls = groupCalls([entry(30, { bodyHash: 'h' }), entry(10, { bodyHash: 'h' }), entry(20), entry(40)]);
    expect(calls.map((c) => c.attempts.map((a) => a.mono))).toEqual([[10, 30], [20], [40]]);
  });

  it('MAD is blind to a few outliers', () => {
    expect(mad([100, 101, 99, 100, 400])).toBe(1);
  });
});

describe('analyseBackoff (synthetic journals)', () => {
  const policy = { baseMs: 100, capMs: 400, jitter: 'equal' as const };

  function journal(waits: number[][]): JournalEntry[] {
    const out: JournalEntry[] = [];
    waits.forEach((ws, c) => {
      let t = c * 10_000;
      out.push(entry(t, { requestId: `c${c}`, durationMs: 5 }));
      for (const w of ws) {
        t += 5 + w;
        out.push(entry(t, { requestId: `c${c}`, durationMs: 5 }));
      }
    });
    return out;
  }

  it('judges waits against the bounds of the policy (equal jitter: [expo/2, expo])', () => {
    const ok = journal([
      [60, 120, 300],
      [90, 190, 390],
      [55, 150, 210],
    ]);
    expect(analyseBackoff(ok, { policy, maxAttempts: 4, slackMs: 10 })).toMatchObject({ outOfBounds: 0, jitterPresent: true });
    const tooSoon = journal([
      [10, 120, 300],
      [90, 190, 390],
      [55, 150, 210],
    ]);
    const f = analyseBackoff(tooSoon, { policy, maxAttempts: 4, slackMs: 10 });
    expect(f).toMatchObject({ outOfBounds: 1, early: 1, late: 0 });
    expect(f.outOfBoundsSamples[0]).toMatchObject({ call: 'c0', retry: 0, waitMs: 10, minMs: 50, maxMs: 100 });
  });

  it('a retry later than the policy allows is a warning (a loaded machine, a slower client), or a failure with failLate', () => {
    const slow = journal([
      [60, 120, 900],
      [90, 190, 390],
      [55, 150, 210],
    ]);
    const f = analyseBackoff(slow, { policy, maxAttempts: 4, slackMs: 10 });
    expect(f).toMatchObject({ early: 0, late: 1, warnings: ['1 of 9 retries came later than equal-jitter backoff allows (+10 ms slack)'] });
  });

  it('leaves waits after a Retry-After answer to analyseRetryAfter', () => {
    const entries = [entry(0, { requestId: 'a', retryAfter: 2 }), entry(2_100, { requestId: 'a' }), entry(2_250, { requestId: 'a' })];
    expect(analyseBackoff(entries, { policy, maxAttempts: 4, minSamples: 1 })).toMatchObject({ waits: 1, outOfBounds: 0 });
  });
});

describe('analyseRetryAfter (synthetic journals)', () => {
  it('seconds count from when the answer was sent', () => {
    const early = [entry(0, { requestId: 'a', retryAfter: 1, durationMs: 50 }), entry(1_020, { requestId: 'a' })];
    expect(analyseRetryAfter(early)).toMatchObject({ violations: 1, samples: [{ form: 'seconds', earlyByMs: 30 }] });
    const onTime = [entry(0, { requestId: 'a', retryAfter: 1, durationMs: 50 }), entry(1_050, { requestId: 'a' })];
    expect(analyseRetryAfter(onTime)).toMatchObject({ honoured: 1 });
  });

  it('an HTTP-date is mapped onto the monotonic clock through the entry wall-clock time', () => {
    const until = T0 + 5_000 + 2_000; // the answer at mono 5000 said: not before T0 + 7 s
    const answer = entry(5_000, { requestId: 'a', retryAfter: 2, retryAfterUntil: until });
    expect(analyseRetryAfter([answer, entry(6_900, { requestId: 'a' })])).toMatchObject({ byDate: { checked: 1, violations: 1 } });
    expect(analyseRetryAfter([answer, entry(7_000, { requestId: 'a' })])).toMatchObject({ byDate: { checked: 1, violations: 0 } });
  });
});

describe('analyseIdempotency', () => {
  it('one key, several attempts, one side effect: pass; two side effects: fail', () => {
    const entries = [entry(0, { idempotencyKey: 'k1' }), entry(100, { idempotencyKey: 'k1' }), entry(200, { idempotencyKey: 'k2' })];
    expect(analyseIdempotency(entries, [{ key: 'k1' }, { key: 'k2' }])).toMatchObject({ keys: 2, keysWithRetries: 1, duplicated: 0 });
    const f = analyseIdempotency(entries, [{ key: 'k1' }, { key: 'k1' }, { key: 'k2' }, { key: 'zz' }]);
    expect(f).toMatchObject({ duplicated: 1, duplicates: [{ key: 'k1', attempts: 2, effects: 2 }], unknownEffects: 1 });
    expect(analyseIdempotency([], [])).toMatchObject({ keys: 0 });
  });
});

describe('analyseWebhooks', () => {
  const sent = (call: string, variant: string, status: number | null, attempt = 1, webhookId = call) =>
    entry(attempt * 10, { source: 'webhook-sender', callId: call, variant, status, attempt, webhookId, method: 'POST', path: '/webhooks/acme' });

  it('counts forged deliveries accepted and valid ones rejected, by their final answer', () => {
    const f = analyseWebhooks([
      sent('d1', 'valid', 429),
      sent('d1', 'valid', 200, 2),
      sent('d2', 'valid', 401),
      sent('d3', 'tampered-body', 401),
      sent('d4', 'wrong-secret', 200),
      sent('d5', 'valid', 503),
    ]);
    expect(f).toMatchObject({ deliveries: 5, forgedAccepted: 1, validRejected: 1, validUnresolved: 1 });
    expect(f.byVariant.valid).toEqual({ deliveries: 3, accepted: 1, rejected: 1, unresolved: 1 });
  });

  it('a replay answered 2xx counts as accepted only if it was applied twice', () => {
    const entries = [sent('d1', 'valid', 200, 1, 'msg_1'), sent('d2', 'replayed-id', 200, 1, 'msg_1')];
    expect(analyseWebhooks(entries)).toMatchObject({ replaysAnsweredOk: 1, warnings: [expect.stringMatching(/give the SUT's side effects/)] });
    expect(analyseWebhooks(entries, { sideEffects: [{ key: 'msg_1' }] })).toMatchObject({ forgedAccepted: 0 });
    expect(analyseWebhooks(entries, { sideEffects: [{ key: 'msg_1' }, { key: 'msg_1' }] })).toMatchObject({ forgedAccepted: 1 });
  });
});

describe('journal file', () => {
  it('times are kept to the microsecond', () => {
    expect(micros(1234.5678901)).toBe(1234.568);
    expect(micros(0.0004)).toBe(0);
  });

  it('writes NDJSON and reads it back validated; a bad line is named', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-journal-'));
    try {
      const file = path.join(dir, 'j.ndjson');
      const j = openJournal(file);
      j.record(entry(1, { requestId: 'a' }));
      j.record(entry(2, { requestId: 'b', status: null, outcome: 'reset' }));
      await j.close();
      expect(j.count).toBe(2);
      expect(readJournal(file).map((e) => [e.requestId, e.status, e.outcome])).toEqual([
        ['a', 503],
        ['b', null, 'reset'],
      ].map(([r, s, o]) => [r, s, o ?? 'answered']));
      // an entry of the original format (before routes) still reads, with defaults
      const old = path.join(dir, 'old.ndjson');
      fs.writeFileSync(old, `${JSON.stringify({ time: new Date(T0).toISOString(), mono: 1, partner: 'acme', method: 'GET', path: '/offers', requestId: 'r', attempt: 1, status: 200, retryAfter: null, behaviour: 0 })}\n`);
      expect(readJournal(old)[0]).toMatchObject({ source: 'partner', outcome: 'answered', route: null, durationMs: 0 });
      const bad = path.join(dir, 'bad.ndjson');
      fs.writeFileSync(bad, '{"time":"x"}\nnot json\n');
      expect(() => readJournal(bad)).toThrow(JournalFileError);
      expect(() => readJournal(bad)).toThrow(/line 1: mono: .*\n.*|line 2: not JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
