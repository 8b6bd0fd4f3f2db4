// Figures a run computes from evidence other than k6: the journal (client-scope Retry-After,
// webhooks, backoff) and the SUT's metrics endpoint.
import { describe, expect, it } from 'vitest';
import { analyseRetryAfter } from '../../src/judge/journal-analysis.ts';
import type { JournalEntry } from '../../simulators/journal.ts';
import { readMetric } from '../../src/run/sut-metrics.ts';
import { Drill, type Slo } from '../../src/schema/drill.ts';
import { journalFigure } from '../../src/judge/journal-figures.ts';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

function entry(mono: number, over: Partial<JournalEntry> = {}): JournalEntry {
  return {
    time: new Date(T0 + Math.round(mono)).toISOString(),
    mono,
    source: 'partner',
    partner: 'acme',
    method: 'GET',
    path: '/offers',
    route: null,
    requestId: null,
    attempt: 1,
    idempotencyKey: null,
    webhookId: null,
    callId: null,
    bodyHash: null,
    clientKey: 'hub-r0',
    status: 200,
    retryAfter: null,
    retryAfterUntil: null,
    behaviour: 0,
    kind: 'respond',
    outcome: 'answered',
    durationMs: 1,
    variant: null,
    error: null,
    ...over,
  };
}

function journalSlo(s: Record<string, unknown>): Extract<Slo, { kind: 'journal' }> {
  const drill = Drill.parse({
    name: 'd',
    app: 'A',
    target: { kind: 'process', service: { name: 'svc', command: ['node', 'x.mjs'] } },
    load: { requests: [{ name: 'r', path: '/' }], profiles: [{ profile: 'baseline', rate: 1, duration: '10s' }] },
    partners: [{ name: 'acme', webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', behaviours: [{ at: '0s', status: 200 }] }],
    slos: [{ name: 's', kind: 'journal', partner: 'acme', ...s }],
  });
  return drill.slos[0] as Extract<Slo, { kind: 'journal' }>;
}

describe('Retry-After in client scope', () => {
  it('a new call of the same client before the Retry-After ends is a violation; a call of another client is not', () => {
    const entries = [
      entry(0, { requestId: 'c1', status: 429, retryAfter: 1 }),
      entry(300, { requestId: 'c2', clientKey: 'hub-r1' }), // another client: fine
      entry(500, { requestId: 'c3' }), // same client, 499 ms into a 1 s Retry-After
    ];
    const f = analyseRetryAfter(entries, { scope: 'client', toleranceMs: 50 });
    expect(f).toMatchObject({ checked: 1, violations: 1, honoured: 0 });
    // per call, nothing was retried: no evidence at all
    expect(analyseRetryAfter(entries).checked).toBe(0);
  });

  it('the next request after the Retry-After is honoured; one already on its way when the answer was sent is not judged', () => {
    const f = analyseRetryAfter(
      [entry(0, { requestId: 'c1', status: 429, retryAfter: 1 }), entry(20, { requestId: 'c2' }), entry(1005, { requestId: 'c3' })],
      { scope: 'client', toleranceMs: 50 },
    );
    expect(f).toMatchObject({ checked: 1, honoured: 1, violations: 0 });
  });

  it('without any later request of that client there is no evidence', () => {
    const f = analyseRetryAfter([entry(0, { status: 429, retryAfter: 1 })], { scope: 'client' });
    expect(f.checked).toBe(0);
  });
});

describe('journal figures of a run', () => {
  it('retry-after-honoured is the share of honoured Retry-After answers, null without evidence', () => {
    const slo = journalSlo({ figure: 'retry-after-honoured', atLeast: '99%' });
    const good = [entry(0, { status: 429, retryAfter: 1 }), entry(1100)];
    expect(journalFigure(slo, good, null).value).toBe(1);
    expect(journalFigure(slo, [entry(0)], null).value).toBeNull();
    // another partner's journal does not count
    expect(journalFigure(slo, good.map((e) => ({ ...e, partner: 'globex' })), null).value).toBeNull();
  });

  it('forged-accepted needs forged deliveries to have been sent; valid-rejected needs valid ones', () => {
    const forged = journalSlo({ figure: 'forged-accepted', atMost: 0 });
    const rejected = journalSlo({ figure: 'valid-rejected', atMost: 0 });
    const send = (variant: string, status: number, i: number) => entry(i * 10, { source: 'webhook-sender', method: 'POST', path: '/webhooks/acme', callId: `d${i}`, webhookId: `msg_${i}`, variant, status });
    const onlyValid = [send('valid', 200, 1), send('valid', 200, 2)];
    expect(journalFigure(forged, onlyValid, null).value).toBeNull();
    expect(journalFigure(rejected, onlyValid, null).value).toBe(0);
    const mixed = [...onlyValid, send('wrong-secret', 200, 3), send('stale-timestamp', 401, 4), send('valid', 401, 5)];
    expect(journalFigure(forged, mixed, null).value).toBe(1);
    expect(journalFigure(rejected, mixed, null).value).toBe(1);
  });

  it('idempotency-violations counts replayed ids the SUT applied more than once; null without side effects', () => {
    const slo = journalSlo({ figure: 'idempotency-violations', atMost: 0 });
    const replay = (id: string, mono: number) => entry(mono, { source: 'webhook-sender', method: 'POST', callId: `r${mono}`, webhookId: id, variant: 'replayed-id' });
    const entries = [replay('msg_a', 0), replay('msg_b', 10)];
    expect(journalFigure(slo, entries, null).value).toBeNull();
    expect(journalFigure(slo, entries, [{ key: 'msg_a' }, { key: 'msg_b' }]).value).toBe(0);
    expect(journalFigure(slo, entries, [{ key: 'msg_a' }, { key: 'msg_a' }, { key: 'msg_b' }]).value).toBe(1);
  });

  it('backoff-compliance and backoff-jitter judge waits against the declared policy', () => {
    const backoff = { base: '50ms', cap: '400ms', jitter: 'full', maxAttempts: 4 };
    const compliance = journalSlo({ figure: 'backoff-compliance', atLeast: '95%', backoff });
    const jitter = journalSlo({ figure: 'backoff-jitter', atLeast: 1, backoff });
    // calls that fail with 503 and retry at once (no backoff at all is within full jitter's [0, 50] at the first retry)
    // but come back 300 ms later at the second (above expo(1) = 100 ms + slack): late, not early
    const calls: JournalEntry[] = [];
    for (let c = 0; c < 10; c++) {
      const t = c * 5000;
      calls.push(entry(t, { requestId: `c${c}`, attempt: 1, status: 503 }), entry(t + 1 + (c % 5) * 9, { requestId: `c${c}`, attempt: 2, status: 503 }), entry(t + 300, { requestId: `c${c}`, attempt: 3, status: 200 }));
    }
    expect(journalFigure(compliance, calls, null).value).toBe(1);
    // five attempts where at most four are allowed: every such call counts against compliance
    const overlong = [entry(0, { requestId: 'x', status: 503 }), entry(10, { requestId: 'x', status: 503 }), entry(20, { requestId: 'x', status: 503 }), entry(30, { requestId: 'x', status: 503 }), entry(40, { requestId: 'x', status: 503 })];
    expect(journalFigure(compliance, overlong, null).value).toBeLessThan(1);
    expect(journalFigure(jitter, [], null).value).toBeNull();
    expect(journalFigure(compliance, [], null).value).toBeNull();
  });

  it('a backoff figure without the policy is rejected when the drill is read', () => {
    expect(() => journalSlo({ figure: 'backoff-compliance', atLeast: '99%' })).toThrow(/backoff \{base, cap, jitter, maxAttempts\}/);
  });
});

describe('readMetric (SUT metrics endpoint)', () => {
  it('reads a top-level number of a JSON document', () => {
    expect(readMetric('{"backlog": 12, "offlineQueue": 0, "nested": {"x": 1}}', 'backlog')).toBe(12);
    expect(readMetric('{"backlog": null}', 'backlog')).toBeNull();
    expect(readMetric('{"backlog": "12"}', 'backlog')).toBeNull();
    expect(readMetric('{"other": 1}', 'backlog')).toBeNull();
  });

  it('sums the Prometheus samples of a metric across labels, ignoring comments and other metrics', () => {
    const text = ['# HELP queue_depth depth', '# TYPE queue_depth gauge', 'queue_depth{partition="0"} 3', 'queue_depth{partition="1"} 4.5', 'queue_depth_max 99', 'other 1'].join('\n');
    expect(readMetric(text, 'queue_depth')).toBe(7.5);
    expect(readMetric(text, 'missing')).toBeNull();
  });
});

describe('accepted-not-applied', () => {
  const send = (id: string, mono: number, status: number | null, variant = 'valid', callId = `c-${id}`) =>
    entry(mono, { source: 'webhook-sender', method: 'POST', path: '/webhooks/acme', callId, webhookId: id, variant, status });

  it('counts valid deliveries acknowledged with 2xx that the SUT never applied; a retried one counts by its final answer', () => {
    const slo = journalSlo({ figure: 'accepted-not-applied', atMost: 0 });
    const entries = [
      send('msg_a', 0, 200),
      send('msg_b', 10, 503),
      send('msg_b', 300, 200), // retried, then accepted
      send('msg_c', 20, 401), // rejected: not this figure's business
      send('msg_d', 30, 200),
    ];
    expect(journalFigure(slo, entries, [{ key: 'msg_a' }, { key: 'msg_b' }, { key: 'msg_d' }]).value).toBe(0);
    const lost = journalFigure(slo, entries, [{ key: 'msg_a' }, { key: 'msg_b' }]);
    expect(lost.value).toBe(1);
    expect(lost.detail).toMatchObject({ accepted: 3, lost: 1 });
    expect(journalFigure(slo, entries, null).value).toBeNull();
    expect(journalFigure(slo, [send('msg_x', 0, 503)], []).value).toBeNull();
  });

  it('reads the side effects of replayed ids and accepted valid ones, each id once', async () => {
    const { idsToRead } = await import('../../src/run/senders.ts');
    const ids = idsToRead(
      [send('msg_a', 0, 200), send('msg_a', 50, 200, 'replayed-id', 'r1'), send('msg_b', 10, 401), send('msg_c', 20, 200, 'wrong-secret'), send('msg_d', 30, 200), { ...send('msg_e', 40, 200), partner: 'globex' }],
      'acme',
    );
    expect(ids.sort()).toEqual(['msg_a', 'msg_d']);
  });
});
