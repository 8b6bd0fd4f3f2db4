// The webhook sender against real receivers on 127.0.0.1: a throttling receiver (429 and 503
// with Retry-After), a naive receiver that applies replays twice, and the demo SUT (the partner
// hub, a real process verifying Standard Webhooks).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitHealthy } from '../../src/platform/processes.ts';
import { analyseIdempotency, analyseRetryAfter, analyseWebhooks, groupCalls, type SideEffect } from '../../src/judge/journal-analysis.ts';
import { memoryJournal } from '../../simulators/journal.ts';
import { seededRandom } from '../../simulators/random.ts';
import { sendWebhooks } from '../../simulators/webhook-sender.ts';
import { retryAfterDate } from '../../simulators/decide.ts';
import { verifyStandardWebhooks, WEBHOOK_VARIANTS, type WebhookVariant } from '../../simulators/webhooks.ts';

const SECRET = 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu';
const PREVIOUS = 'whsec_ZnRxjYSamUlXfAHgRzcgLslJfscncBOurmVIiWJsuUA=';
/** a rotation already over: old-key-after-rotation is forged with the retired PREVIOUS from the first delivery */
const RETIRED = { previousSecret: PREVIOUS, switchAt: 0, retiredAt: 0 };
const ROOT = path.resolve(import.meta.dirname, '../..');

/** A receiver of the test's own on a free loopback port. */
async function receiver(handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/acme`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('retries', () => {
  it('retries on 429 and 503 honouring Retry-After, as seconds and as an HTTP-date', async () => {
    // each delivery: 429 Retry-After: 1, then 503 Retry-After: <date 1 s ahead>, then 200
    const seen = new Map<string, number[]>();
    const sut = await receiver((req, _body, res) => {
      const id = String(req.headers['webhook-id']);
      const times = seen.get(id) ?? [];
      times.push(Date.now());
      seen.set(id, times);
      if (times.length === 1) return res.writeHead(429, { 'retry-after': '1' }).end();
      if (times.length === 2) return res.writeHead(503, { 'retry-after': retryAfterDate(Date.now(), 1).header }).end();
      res.writeHead(200).end('{"accepted":true}');
    });
    const journal = memoryJournal();
    try {
      const report = await sendWebhooks({ url: sut.url, partner: 'acme', scheme: 'standard-webhooks', secret: SECRET, count: 4, rate: 20, maxDurationMs: 20_000, journal, retry: { maxAttempts: 5 } });
      expect(report).toMatchObject({ deliveries: 4, attempts: 12, byVariant: { valid: { deliveries: 4, attempts: 12, accepted: 4, rejected: 0, unresolved: 0 } } });
    } finally {
      await sut.close();
    }
    // the receiver's own clock: never a retry before the Retry-After it gave
    for (const times of seen.values()) {
      expect(times).toHaveLength(3);
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(995);
    }
    const byCall = groupCalls(journal.entries);
    expect(byCall).toHaveLength(4);
    expect(byCall[0].attempts.map((e) => [e.attempt, e.status, e.variant, e.source])).toEqual([
      [1, 429, 'valid', 'webhook-sender'],
      [2, 503, 'valid', 'webhook-sender'],
      [3, 200, 'valid', 'webhook-sender'],
    ]);
    expect(byCall[0].attempts[1].retryAfterUntil).not.toBeNull();
    const ra = analyseRetryAfter(journal.entries);
    expect(ra).toMatchObject({ bySeconds: { checked: 4, violations: 0 }, byDate: { checked: 4, violations: 0 } });
  });

  it('stops after maxAttempts on a receiver that never recovers, with capped backoff between attempts', async () => {
    let hits = 0;
    const sut = await receiver((_req, _body, res) => {
      hits++;
      res.writeHead(500).end();
    });
    const journal = memoryJournal();
    try {
      const report = await sendWebhooks({ url: sut.url, partner: 'acme', scheme: 'standard-webhooks', secret: SECRET, count: 3, rate: 50, maxDurationMs: 10_000, journal, retry: { maxAttempts: 3, baseMs: 20, capMs: 40 } });
      expect(report.byVariant.valid).toMatchObject({ deliveries: 3, attempts: 9, unresolved: 3 });
    } finally {
      await sut.close();
    }
    expect(hits).toBe(9);
    for (const c of groupCalls(journal.entries)) expect(c.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(analyseWebhooks(journal.entries)).toMatchObject({ validUnresolved: 3, validRejected: 0 });
  });

  it('is bounded in time: nothing is in flight after maxDurationMs', async () => {
    const sut = await receiver((_req, _body, res) => res.writeHead(429, { 'retry-after': '30' }).end());
    const journal = memoryJournal();
    const t = Date.now();
    try {
      await sendWebhooks({ url: sut.url, partner: 'acme', scheme: 'standard-webhooks', secret: SECRET, count: 1000, rate: 10, maxDurationMs: 600, journal });
    } finally {
      await sut.close();
    }
    expect(Date.now() - t).toBeLessThan(5_000);
    expect(journal.entries.length).toBeLessThanOrEqual(8);
    expect(journal.entries.every((e) => e.attempt === 1)).toBe(true); // a 30 s Retry-After does not fit in the bound: no retry
  });
});

describe('forged and valid webhooks', () => {
  const mix = Object.fromEntries(WEBHOOK_VARIANTS.map((v) => [v, v === 'valid' ? 4 : 1])) as Record<WebhookVariant, number>;

  it('a naive receiver that verifies signatures but applies replays twice is caught', async () => {
    const effects: SideEffect[] = [];
    const sut = await receiver((req, body, res) => {
      const v = verifyStandardWebhooks(SECRET, req.headers, body);
      if (!v.ok) return res.writeHead(401).end();
      effects.push({ key: v.id! }); // no dedupe: every verified delivery is applied
      res.writeHead(200).end();
    });
    const journal = memoryJournal();
    try {
      await sendWebhooks({ url: sut.url, partner: 'acme', scheme: 'standard-webhooks', secret: SECRET, rotation: RETIRED, count: 60, rate: 200, maxDurationMs: 20_000, journal, mix, random: seededRandom(5) });
    } finally {
      await sut.close();
    }
    const f = analyseWebhooks(journal.entries, { sideEffects: effects });
    expect(f.byVariant['replayed-id']?.deliveries).toBeGreaterThan(0);
    expect(f.forgedAccepted).toBe(f.byVariant['replayed-id']!.accepted);
    expect(analyseIdempotency(journal.entries, effects).duplicated).toBeGreaterThan(0);
  });

  it('refuses old-key-after-rotation without a rotation: there is no retired key to sign with', async () => {
    await expect(sendWebhooks({ url: 'http://127.0.0.1:9/webhooks/acme', partner: 'acme', scheme: 'standard-webhooks', secret: SECRET, count: 1, rate: 1, maxDurationMs: 1000, journal: memoryJournal(), mix })).rejects.toThrow(
      /old-key-after-rotation signs with a retired secret/,
    );
  });

  it('a key rotation: the previous key signs until the switch, the new one after; old-key forgeries only once the old key is retired', async () => {
    const t0 = Date.now();
    const rotation = { previousSecret: PREVIOUS, switchAt: t0 + 600, retiredAt: t0 + 1200 };
    const seen: Array<{ at: number; id: string; by: string[] }> = [];
    const sut = await receiver((req, body, res) => {
      const by = [['previous', PREVIOUS], ['current', SECRET]].filter(([, k]) => verifyStandardWebhooks(k, req.headers, body).ok).map(([n]) => n);
      seen.push({ at: Date.now(), id: String(req.headers['webhook-id']), by });
      res.writeHead(by.length ? 200 : 401).end();
    });
    const journal = memoryJournal();
    try {
      await sendWebhooks({ url: sut.url, partner: 'acme', scheme: 'standard-webhooks', secret: SECRET, rotation, count: 36, rate: 20, maxDurationMs: 5000, journal, mix: { valid: 1, 'old-key-after-rotation': 1 }, random: seededRandom(3) });
    } finally {
      await sut.close();
    }
    const variantOf = new Map(journal.entries.map((e) => [e.webhookId, e.variant]));
    const margin = 150; // a delivery is signed a little before it arrives
    for (const d of seen) {
      const variant = variantOf.get(d.id);
      if (variant === 'old-key-after-rotation') {
        expect(d.at, 'forged only after the retirement').toBeGreaterThanOrEqual(rotation.retiredAt);
        expect(d.by).toEqual(['previous']);
      } else if (d.at < rotation.switchAt) expect(d.by, `valid at +${d.at - t0} ms`).toEqual(['previous']);
      else if (d.at > rotation.switchAt + margin) expect(d.by, `valid at +${d.at - t0} ms`).toEqual(['current']);
    }
    const kinds = seen.map((d) => `${variantOf.get(d.id)}:${d.by.join('+')}`);
    expect(kinds).toContain('valid:previous');
    expect(kinds).toContain('valid:current');
    expect(kinds).toContain('old-key-after-rotation:previous');
  });

  describe('the demo SUT (partner hub, a real process)', () => {
    let hub: ChildProcess;
    let url: string;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-sender-'));
      const port = await freePort();
      hub = spawn(process.execPath, [path.join(ROOT, 'examples/partner-hub/server.mjs')], {
        env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, WEBHOOK_SECRETS: JSON.stringify({ acme: SECRET }), PARTNER_URL: 'http://127.0.0.1:9', DEFECTS: '' },
        stdio: 'ignore',
      });
      url = `http://127.0.0.1:${port}`;
      await waitHealthy(`${url}/healthz`, 10_000);
    });
    afterAll(async () => {
      if (hub && hub.exitCode === null) {
        const gone = new Promise((r) => hub.once('exit', r));
        hub.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('rejects every forged variant and accepts every valid delivery, each applied once', async () => {
      const journal = memoryJournal();
      const report = await sendWebhooks({ url: `${url}/webhooks/acme`, partner: 'acme', scheme: 'standard-webhooks', secret: SECRET, rotation: RETIRED, count: 80, rate: 100, maxDurationMs: 30_000, journal, mix, random: seededRandom(11) });
      expect(report.deliveries).toBe(80);
      // every variant was sent
      expect(Object.keys(report.byVariant).sort()).toEqual([...WEBHOOK_VARIANTS].sort());
      // the hub's side effects: one file per applied webhook-id (sha256 of "partner\0id")
      const applied = new Set(fs.readdirSync(path.join(dataDir, 'webhooks')));
      const effects: SideEffect[] = [...new Set(journal.entries.map((e) => e.webhookId!))]
        .filter((id) => applied.has(createHash('sha256').update(`acme\0${id}`).digest('hex')))
        .map((key) => ({ key }));
      const f = analyseWebhooks(journal.entries, { sideEffects: effects });
      expect(f).toMatchObject({ forgedAccepted: 0, validRejected: 0, validUnresolved: 0 });
      for (const v of WEBHOOK_VARIANTS.filter((x) => x !== 'valid' && x !== 'replayed-id')) {
        expect(f.byVariant[v]?.rejected, v).toBe(f.byVariant[v]?.deliveries);
      }
      // replays are answered 200 (duplicate) but not applied again
      expect(f.byVariant['replayed-id']?.accepted).toBe(f.byVariant['replayed-id']?.deliveries);
      expect(effects.length).toBe(f.byVariant.valid!.deliveries);
      expect(analyseIdempotency(journal.entries, effects)).toMatchObject({ duplicated: 0 });
    });
  });
});
