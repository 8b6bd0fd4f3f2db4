#!/usr/bin/env node
// Partner hub: the demo system under test, modelled on APP2 of the product documents.
// One replica of a small HTTP service:
//   POST /webhooks/:partner  Standard Webhooks signature checked (HMAC-SHA256, 300 s tolerance),
//                            duplicate deliveries (same webhook-id) applied once, across replicas
//   GET  /offers             offers from the partner API: per-attempt timeout, exponential
//                            backoff with full jitter, Retry-After honoured; serves the last
//                            good offers when the partner cannot answer in time
//   GET  /webhooks/:partner/:id   {"applied": n}: how many times that delivery was applied
//   GET  /ws                 WebSocket echo (each text message is sent back)
//   GET  /healthz
// Configuration (environment): PORT, PARTNER_URL, WEBHOOK_SECRETS (JSON {partner: "whsec_..."}),
// DATA_DIR (shared by replicas), REPLICA, ZONE.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer } from 'ws';

const PORT = Number(process.env.PORT ?? 8080);
const PARTNER_URL = process.env.PARTNER_URL ?? 'http://127.0.0.1:9090';
const SECRETS = JSON.parse(process.env.WEBHOOK_SECRETS ?? '{}');
const DATA_DIR = process.env.DATA_DIR ?? path.join(process.cwd(), '.partner-hub-data');
const REPLICA = process.env.REPLICA ?? '0';
const ZONE = process.env.ZONE ?? 'a';

const TOLERANCE_S = 300;
const ATTEMPT_TIMEOUT_MS = 400;
const CALL_BUDGET_MS = 900;
const MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 400;

const webhookDir = path.join(DATA_DIR, 'webhooks');
const appliedDir = path.join(DATA_DIR, 'applied');
fs.mkdirSync(webhookDir, { recursive: true });
fs.mkdirSync(appliedDir, { recursive: true });

const deliveryKey = (partner, id) => crypto.createHash('sha256').update(`${partner}\0${id}`).digest('hex');

/** @type {{ body: string, at: number } | null} */
let lastOffers = null;
/** the partner asked us (Retry-After) not to call before this time */
let partnerBlockedUntil = 0;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Retry-After: delay-seconds or an HTTP-date (RFC 9110) → ms from now, or null. */
function retryAfterMs(value) {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

async function fetchOffers() {
  const deadline = Date.now() + CALL_BUDGET_MS;
  const requestId = crypto.randomUUID();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    if (Date.now() < partnerBlockedUntil) return null;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return null;
    let wait;
    try {
      const res = await fetch(`${PARTNER_URL}/offers`, {
        headers: { 'x-request-id': requestId, 'x-attempt': String(attempt) },
        signal: AbortSignal.timeout(Math.min(ATTEMPT_TIMEOUT_MS, remaining)),
      });
      const body = await res.text();
      if (res.ok) return body;
      const ra = retryAfterMs(res.headers.get('retry-after'));
      if (ra !== null) {
        partnerBlockedUntil = Math.max(partnerBlockedUntil, Date.now() + ra);
        wait = ra;
      } else if (res.status < 500 && res.status !== 429) {
        return null; // a client error will not get better by retrying
      }
    } catch {
      // timeout or connection error: retry with backoff
    }
    // exponential backoff with full jitter, unless the partner told us how long to wait
    wait ??= Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    if (Date.now() + wait >= deadline) return null;
    await sleep(wait);
  }
  return null;
}

async function offers(res) {
  const fresh = await fetchOffers();
  if (fresh !== null) {
    lastOffers = { body: fresh, at: Date.now() };
    return send(res, 200, fresh, { 'x-offers-source': 'partner' });
  }
  if (lastOffers) return send(res, 200, lastOffers.body, { 'x-offers-source': 'cache', 'x-offers-age-ms': String(Date.now() - lastOffers.at) });
  return send(res, 503, JSON.stringify({ error: 'partner unavailable and no cached offers' }), { 'retry-after': '1' });
}

function verifyStandardWebhook(secret, headers, rawBody) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return { ok: false, status: 400, error: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > TOLERANCE_S) return { ok: false, status: 401, error: 'timestamp outside tolerance' };
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
  for (const entry of String(signatures).split(' ')) {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || !sig) continue;
    const given = Buffer.from(sig, 'base64');
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) return { ok: true, id };
  }
  return { ok: false, status: 401, error: 'no valid signature' };
}

async function webhook(req, res, partner) {
  const secret = SECRETS[partner];
  if (!secret) return send(res, 404, JSON.stringify({ error: `unknown partner ${partner}` }));
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 1 << 20) return send(res, 413, JSON.stringify({ error: 'body too large' }));
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  const check = verifyStandardWebhook(secret, req.headers, raw);
  if (!check.ok) return send(res, check.status, JSON.stringify({ error: check.error }));
  // exclusive create: atomic across replicas sharing DATA_DIR, so a redelivery is applied once
  const key = deliveryKey(partner, check.id);
  try {
    fs.writeFileSync(path.join(webhookDir, key), raw, { flag: 'wx' });
    // the side effect: one line per application of this delivery
    fs.appendFileSync(path.join(appliedDir, key), '1\n');
  } catch (err) {
    if (err.code === 'EEXIST') return send(res, 200, JSON.stringify({ duplicate: true }));
    return send(res, 503, JSON.stringify({ error: `cannot persist webhook: ${err.code}` }), { 'retry-after': '1' });
  }
  return send(res, 200, JSON.stringify({ accepted: true }));
}

function applied(res, partner, id) {
  let count = 0;
  try {
    count = fs.readFileSync(path.join(appliedDir, deliveryKey(partner, id)), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    count = 0;
  }
  return send(res, 200, JSON.stringify({ applied: count }));
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-replica': REPLICA, 'x-zone': ZONE, ...headers });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://local');
  const route = url.pathname.match(/^\/webhooks\/([a-z0-9-]+)$/);
  const appliedRoute = url.pathname.match(/^\/webhooks\/([a-z0-9-]+)\/([^/]+)$/);
  const handle =
    req.method === 'GET' && url.pathname === '/healthz'
      ? () => send(res, 200, JSON.stringify({ ok: true, replica: REPLICA, zone: ZONE }))
      : req.method === 'GET' && url.pathname === '/offers'
        ? () => offers(res)
        : req.method === 'POST' && route
          ? () => webhook(req, res, route[1])
          : req.method === 'GET' && appliedRoute
            ? () => applied(res, appliedRoute[1], decodeURIComponent(appliedRoute[2]))
            : () => send(res, 404, JSON.stringify({ error: 'not found' }));
  Promise.resolve(handle()).catch((err) => {
    if (!res.headersSent) send(res, 500, JSON.stringify({ error: String(err) }));
  });
});
server.keepAliveTimeout = 10_000;
const sockets = new WebSocketServer({ server, path: '/ws' });
sockets.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.listen(PORT, '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const ws of sockets.clients) ws.close(1001, 'shutting down');
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
