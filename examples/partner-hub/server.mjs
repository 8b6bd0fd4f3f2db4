#!/usr/bin/env node
// Partner hub: the demo system under test, modelled on APP2 of the product documents.
// One replica of a small HTTP service:
//   POST /webhooks/:partner  Standard Webhooks signature checked (HMAC-SHA256, 300 s tolerance),
//                            duplicate deliveries (same webhook-id) applied once, across replicas;
//                            persisted before it is acknowledged; a full disk answers 503 + Retry-After
//   GET  /offers             offers from the partner API: per-attempt timeout, exponential
//                            backoff with full jitter, Retry-After honoured, circuit breaker;
//                            serves the last good offers when the partner cannot answer in time
//   GET  /webhooks/:partner/:id   {"applied": n}: how many times that delivery was applied
//   POST /login              {"username","password"} against a small user table; token bucket
//                            per client (x-client-id, else the remote address): 429 + Retry-After
//   GET  /metrics            JSON figures: backlog, offlineQueue, consumed, published, breaker, ...;
//                            Prometheus text (http_requests_total{code,route}, http_request_duration_seconds
//                            histogram, hub_* counters) when the Accept header asks for text/plain or openmetrics
//   GET  /ws                 WebSocket echo (each text message is sent back)
//   GET  /healthz
// Configuration (environment): PORT, HOST (listen address, default 127.0.0.1; 0.0.0.0 in its container image), PARTNER_URL, WEBHOOK_SECRETS (JSON {partner: "whsec_..."}),
// DATA_DIR (shared by replicas), REPLICA, ZONE, and (all optional):
//   DEFECTS                  comma-separated defect switches (lib/defects.mjs); unknown → exit 2
//   RATE_LIMIT_PER_CLIENT    tokens/s per client (default 5); RATE_LIMIT_BURST (default 10)
//   RATE_LIMIT_GLOBAL        tokens/s shared by all clients (default 0 = off); RATE_LIMIT_GLOBAL_BURST
//   RATE_LIMIT_SCOPE         "login" (default) or "all" (every route but /healthz and /metrics)
//   TRUST_FORWARDED_FOR      1: without x-client-id, the client is the first X-Forwarded-For address
//   BREAKER_FAILURES         consecutive partner failures that open the breaker (default 5)
//   BREAKER_COOLDOWN_MS      open → half-open after this long (default 5000)
//   USERS                    JSON {name: password} for /login (default: lib/users.mjs DEMO_USERS)
//   NATS_URL                 enables the JetStream event queue (lib/event-queue.mjs)
//   KAFKA_URL                kafka://H:P,H:P: the event log on Kafka instead (lib/event-log-kafka.mjs);
//                            KAFKA_TOPIC (hub-events), KAFKA_GROUP (hub-applier)
//   NATS_STREAM (HUB_EVENTS), NATS_SUBJECT (hub.events), NATS_CONSUMER (hub-applier),
//   CONSUME (1; 0 = this replica publishes but does not consume), PUBLISH_TIMEOUT_MS (2000)
//   IDEMPOTENCY_STORE        redis-sentinel://H:P,H:P/NAME: deliveries deduplicated in Redis (SET NX on the
//                            primary Sentinel names; lib/idempotency-redis.mjs) instead of the shared DATA_DIR
//   WRITE_BEHIND_MS          flush interval of the ack-before-persist defect (default 1000)
//   WEBHOOK_ROTATIONS        JSON {partner: {previous: "whsec_...", at: ms, end: ms}}: the partner's secret
//                            was rotated from `previous` to its WEBHOOK_SECRETS one; before `at` only the
//                            previous key is accepted, until `end` both, from `end` only the new one
//                            (ms from the run's t0, read from T0_FILE; before that file exists, before `at`)
//   T0_FILE                  JSON {"t0": epoch ms} written when the drill's timeline starts (needed by rotations)
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { CircuitBreaker } from './lib/circuit-breaker.mjs';
import { parseDefects } from './lib/defects.mjs';
import { createPartnerClient } from './lib/partner-client.mjs';
import { createRateLimiter } from './lib/rate-limit.mjs';
import { isDiskFull, sweepTemp, writeCarelessly, writeDurably } from './lib/store.mjs';
import { DEMO_USERS, createUserTable } from './lib/users.mjs';

const log = (line) => process.stderr.write(`partner-hub[${process.env.REPLICA ?? '0'}] ${line}\n`);

function fail(problem) {
  log(`cannot start: ${problem}`);
  process.exit(2);
}

/** @type {ReadonlySet<string>} */
let DEFECTS;
try {
  DEFECTS = parseDefects(process.env.DEFECTS);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

function numberEnv(name, fallback, { min = 0, integer = false } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    fail(`${name}=${raw} is not ${integer ? 'an integer' : 'a number'} >= ${min}`);
  }
  return value;
}

function jsonEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  try {
    return JSON.parse(raw);
  } catch (err) {
    return fail(`${name} is not valid JSON: ${err instanceof Error ? err.message : err}`);
  }
}

const PORT = Number(process.env.PORT ?? 8080);
const HOST = process.env.HOST ?? '127.0.0.1';
const PARTNER_URL = process.env.PARTNER_URL ?? 'http://127.0.0.1:9090';
const SECRETS = jsonEnv('WEBHOOK_SECRETS', {});
const ROTATIONS = jsonEnv('WEBHOOK_ROTATIONS', {});
for (const [name, r] of Object.entries(ROTATIONS)) {
  if (typeof r?.previous !== 'string' || !r.previous || !Number.isFinite(r.at) || !Number.isFinite(r.end) || r.end < r.at) {
    fail(`WEBHOOK_ROTATIONS.${name} needs {previous: "whsec_...", at: ms, end: ms} with end >= at`);
  }
  if (!SECRETS[name]) fail(`WEBHOOK_ROTATIONS.${name}: the partner has no current secret in WEBHOOK_SECRETS`);
}
const T0_FILE = process.env.T0_FILE ?? '';
if (Object.keys(ROTATIONS).length && !T0_FILE) fail('WEBHOOK_ROTATIONS are moments of the run: give T0_FILE');
const DATA_DIR = process.env.DATA_DIR ?? path.join(process.cwd(), '.partner-hub-data');
const REPLICA = process.env.REPLICA ?? '0';
// single-zone: the hub cannot move itself; it reports zone a (the environment places it there)
const ZONE = DEFECTS.has('single-zone') ? 'a' : (process.env.ZONE ?? 'a');
const RATE_LIMIT_SCOPE = process.env.RATE_LIMIT_SCOPE ?? 'login';
if (RATE_LIMIT_SCOPE !== 'login' && RATE_LIMIT_SCOPE !== 'all') fail(`RATE_LIMIT_SCOPE=${RATE_LIMIT_SCOPE}: use "login" or "all"`);
const TRUST_FORWARDED_FOR = process.env.TRUST_FORWARDED_FOR === '1';
const WRITE_BEHIND_MS = numberEnv('WRITE_BEHIND_MS', 1000, { min: 1 });

const TOLERANCE_S = 300;

const webhookDir = path.join(DATA_DIR, 'webhooks');
const appliedDir = path.join(DATA_DIR, 'applied');
fs.mkdirSync(webhookDir, { recursive: true });
fs.mkdirSync(appliedDir, { recursive: true });
sweepTemp(webhookDir);
sweepTemp(appliedDir);

const deliveryKey = (partner, id) => crypto.createHash('sha256').update(`${partner}\0${id}`).digest('hex');
/** complete-or-nothing writes; the no-disk-handling defect writes in place */
const persist = DEFECTS.has('no-disk-handling') ? writeCarelessly : writeDurably;

const breaker = new CircuitBreaker({
  failureThreshold: numberEnv('BREAKER_FAILURES', 5, { min: 1, integer: true }),
  cooldownMs: numberEnv('BREAKER_COOLDOWN_MS', 5000, { min: 1 }),
  enabled: !DEFECTS.has('no-circuit-breaker'),
});
// each replica is its own client of the partner (its Retry-After memory is its own)
const partner = createPartnerClient({ partnerUrl: PARTNER_URL, defects: DEFECTS, breaker, clientId: `partner-hub-r${process.env.REPLICA ?? '0'}` });
const perClientRps = numberEnv('RATE_LIMIT_PER_CLIENT', 5, { min: 0.001 });
const globalRps = numberEnv('RATE_LIMIT_GLOBAL', 0);
const limiter = createRateLimiter({
  perClientRps,
  burst: numberEnv('RATE_LIMIT_BURST', 10, { min: 1 }),
  globalRps: globalRps > 0 ? globalRps : undefined,
  globalBurst: numberEnv('RATE_LIMIT_GLOBAL_BURST', Math.max(1, globalRps), { min: 1 }),
  enabled: !DEFECTS.has('no-rate-limit'),
});
const users = createUserTable(jsonEnv('USERS', DEMO_USERS));

const counters = {
  webhooks: { accepted: 0, duplicates: 0, rejected: 0, failedDisk: 0, failedOther: 0, lostBeforePersist: 0 },
  login: { ok: 0, failed: 0, limited: 0, badRequest: 0 },
  offers: { partner: 0, cache: 0, unavailable: 0 },
};
const disk = { full: false, since: null, lastError: null, recoveredAt: null };

function diskWritten() {
  if (disk.full) {
    disk.full = false;
    disk.recoveredAt = new Date().toISOString();
    log('DATA_DIR writable again');
  }
}

function diskFailed(err) {
  disk.lastError = `${err?.code ?? ''} ${err instanceof Error ? err.message : err}`.trim();
  if (isDiskFull(err) && !disk.full) {
    disk.full = true;
    disk.since = new Date().toISOString();
    log(`DATA_DIR is full (${err.code}): answering 503 + Retry-After until space returns`);
  }
}

/** @type {ReturnType<typeof import('./lib/idempotency-redis.mjs').startRedisIdempotency> | null} */
let idempotency = null;
if (process.env.IDEMPOTENCY_STORE) {
  const { startRedisIdempotency } = await import('./lib/idempotency-redis.mjs');
  try {
    idempotency = startRedisIdempotency(process.env.IDEMPOTENCY_STORE);
  } catch (err) {
    fail(err.message);
  }
}

/** What the NATS queue and the Kafka log share: how a failed apply is handled. */
const onApplyError = (err) => {
  if (isDiskFull(err)) diskFailed(err);
  return DEFECTS.has('no-disk-handling') ? 'crash' : 'retry';
};

/** @type {ReturnType<typeof import('./lib/event-queue.mjs').startEventQueue> | ReturnType<typeof import('./lib/event-log-kafka.mjs').startKafkaEventLog> | null} */
let queue = null;
if (process.env.NATS_URL && process.env.KAFKA_URL) fail('NATS_URL and KAFKA_URL are both set: give the hub one event queue');
if (process.env.NATS_URL) {
  const { startEventQueue } = await import('./lib/event-queue.mjs');
  queue = startEventQueue({
    url: process.env.NATS_URL,
    stream: process.env.NATS_STREAM ?? 'HUB_EVENTS',
    subjectPrefix: process.env.NATS_SUBJECT ?? 'hub.events',
    durable: process.env.NATS_CONSUMER ?? 'hub-applier',
    offlineDir: path.join(DATA_DIR, 'offline'),
    replica: REPLICA,
    consume: process.env.CONSUME !== '0',
    publishTimeoutMs: numberEnv('PUBLISH_TIMEOUT_MS', 2000, { min: 1 }),
    apply: applyEvent,
    onApplyError,
    log,
  });
} else if (process.env.KAFKA_URL) {
  const { startKafkaEventLog } = await import('./lib/event-log-kafka.mjs');
  try {
    queue = startKafkaEventLog({
      url: process.env.KAFKA_URL,
      topic: process.env.KAFKA_TOPIC ?? 'hub-events',
      group: process.env.KAFKA_GROUP ?? 'hub-applier',
      offlineDir: path.join(DATA_DIR, 'offline'),
      replica: REPLICA,
      consume: process.env.CONSUME !== '0',
      publishTimeoutMs: numberEnv('PUBLISH_TIMEOUT_MS', 2000, { min: 1 }),
      apply: applyEvent,
      onApplyError,
      log,
    });
  } catch (err) {
    fail(err.message);
  }
}

/** The consumer's side effect: one line per application, once per delivery unless no-idempotency. */
function applyEvent({ partner: p, id }) {
  const file = path.join(appliedDir, deliveryKey(p, id));
  if (DEFECTS.has('no-idempotency')) {
    fs.appendFileSync(file, '1\n');
  } else {
    try {
      persist(file, '1\n', { exclusive: true });
    } catch (err) {
      if (err?.code === 'EEXIST') return; // a redelivery: applied already
      throw err;
    }
  }
  diskWritten();
}

async function offers(res) {
  const fresh = await partner.fetchOffers();
  const breakerHeader = { 'x-circuit-breaker': breaker.state };
  if (fresh !== null) {
    lastOffers = { body: fresh, at: Date.now() };
    counters.offers.partner++;
    return send(res, 200, fresh, { 'x-offers-source': 'partner', ...breakerHeader });
  }
  if (lastOffers) {
    counters.offers.cache++;
    return send(res, 200, lastOffers.body, { 'x-offers-source': 'cache', 'x-offers-age-ms': String(Date.now() - lastOffers.at), ...breakerHeader });
  }
  counters.offers.unavailable++;
  return send(res, 503, JSON.stringify({ error: 'partner unavailable and no cached offers' }), { 'retry-after': '1', ...breakerHeader });
}
/** @type {{ body: string, at: number } | null} */
let lastOffers = null;

/** @type {number | null} epoch ms of the run's t = 0, once T0_FILE says it */
let runT0 = null;
/** ms since the run's t = 0; null while the timeline has not started */
function runClock() {
  if (runT0 === null && T0_FILE) {
    try {
      const t0 = JSON.parse(fs.readFileSync(T0_FILE, 'utf8')).t0;
      if (Number.isFinite(t0)) runT0 = t0;
    } catch {
      // not written yet
    }
  }
  return runT0 === null ? null : Date.now() - runT0;
}

/** The keys a partner's webhooks may be signed with now: its rotation decides (no-key-retirement never retires the old one). */
function secretsOf(partnerName) {
  const current = SECRETS[partnerName];
  const rotation = ROTATIONS[partnerName];
  if (!current || !rotation) return current ? [current] : [];
  const t = runClock();
  if (t === null || t < rotation.at) return [rotation.previous];
  if (t < rotation.end || DEFECTS.has('no-key-retirement')) return [current, rotation.previous];
  return [current];
}

function verifyStandardWebhook(secrets, headers, rawBody) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return { ok: false, status: 400, error: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  const ts = Number(timestamp);
  if (!DEFECTS.has('no-timestamp-tolerance') && (!Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > TOLERANCE_S)) {
    return { ok: false, status: 401, error: 'timestamp outside tolerance' };
  }
  if (DEFECTS.has('no-signature-check')) return { ok: true, id };
  for (const secret of secrets) {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
    for (const entry of String(signatures).split(' ')) {
      const [version, sig] = entry.split(',');
      if (version !== 'v1' || !sig) continue;
      const given = Buffer.from(sig, 'base64');
      if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) return { ok: true, id };
    }
  }
  return { ok: false, status: 401, error: 'no valid signature' };
}

/** The body, or null after answering 413 when it is larger than `limit`. */
async function readBody(req, res, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) {
      send(res, 413, JSON.stringify({ error: 'body too large' }));
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A write to DATA_DIR failed: 503 + Retry-After (the sender retries), or — no-disk-handling — a 500. */
function writeFailed(res, err, what) {
  if (DEFECTS.has('no-disk-handling')) throw err;
  diskFailed(err);
  counters.webhooks[isDiskFull(err) ? 'failedDisk' : 'failedOther']++;
  return send(res, 503, JSON.stringify({ error: `${what}: ${err?.code ?? err}` }), { 'retry-after': '1' });
}

async function webhook(req, res, partnerName) {
  const secrets = secretsOf(partnerName);
  if (!secrets.length) return send(res, 404, JSON.stringify({ error: `unknown partner ${partnerName}` }));
  const raw = await readBody(req, res, 1 << 20);
  if (raw === null) return;
  const check = verifyStandardWebhook(secrets, req.headers, raw);
  if (!check.ok) {
    counters.webhooks.rejected++;
    return send(res, check.status, JSON.stringify({ error: check.error }));
  }
  const delivery = { partner: partnerName, id: String(check.id), key: deliveryKey(partnerName, check.id), raw };
  if (DEFECTS.has('ack-before-persist')) {
    // the regression: acknowledged first, persisted (or published) later from memory
    counters.webhooks.accepted++;
    writeBehind.push(delivery);
    return send(res, 200, JSON.stringify({ accepted: true }));
  }
  if (queue) return acceptQueued(res, delivery);
  return idempotency ? acceptClaimed(res, delivery) : acceptDirect(res, delivery);
}

/** With a Redis idempotency store: claim (SET NX), then persist and apply. */
async function acceptClaimed(res, { key, raw }) {
  if (!DEFECTS.has('no-idempotency')) {
    let first;
    try {
      first = await idempotency.claim(key);
    } catch (err) {
      counters.webhooks.failedOther++;
      return send(res, 503, JSON.stringify({ error: `idempotency store unavailable: ${err?.message ?? err}` }), { 'retry-after': '1' });
    }
    if (!first) {
      counters.webhooks.duplicates++;
      return send(res, 200, JSON.stringify({ duplicate: true }));
    }
  }
  try {
    persist(path.join(webhookDir, key), raw, { exclusive: false });
    fs.appendFileSync(path.join(appliedDir, key), '1\n');
  } catch (err) {
    await idempotency.release(key);
    return writeFailed(res, err, 'cannot apply webhook');
  }
  diskWritten();
  counters.webhooks.accepted++;
  return send(res, 200, JSON.stringify({ accepted: true }));
}

/** Without a broker: persist (exclusive create = the dedupe, across replicas), then apply. */
function acceptDirect(res, { key, raw }) {
  const file = path.join(webhookDir, key);
  try {
    persist(file, raw, { exclusive: !DEFECTS.has('no-idempotency') });
  } catch (err) {
    if (err?.code === 'EEXIST') {
      counters.webhooks.duplicates++;
      return send(res, 200, JSON.stringify({ duplicate: true }));
    }
    return writeFailed(res, err, 'cannot persist webhook');
  }
  try {
    // the side effect: one line per application of this delivery
    fs.appendFileSync(path.join(appliedDir, key), '1\n');
  } catch (err) {
    // not applied: forget the delivery so that the sender's retry is not taken for a duplicate
    if (!DEFECTS.has('no-disk-handling')) fs.rmSync(file, { force: true });
    return writeFailed(res, err, 'cannot apply webhook');
  }
  diskWritten();
  counters.webhooks.accepted++;
  return send(res, 200, JSON.stringify({ accepted: true }));
}

function eventOf({ partner: p, id, key, raw }) {
  return {
    subject: `${process.env.NATS_SUBJECT ?? 'hub.events'}.${p}`,
    // the broker deduplicates a republished delivery by msgID; no-idempotency drops it
    msgId: DEFECTS.has('no-idempotency') ? null : key,
    headers: { 'Hub-Partner': p, 'Hub-Webhook-Id': id, 'Hub-Replica': REPLICA, 'Hub-Accepted-At': new Date().toISOString() },
    body: raw.toString('base64'),
  };
}

/** With a broker: persist, then publish (PubAck) or queue offline on disk, then acknowledge. */
async function acceptQueued(res, delivery) {
  const file = path.join(webhookDir, delivery.key);
  let duplicate = false;
  try {
    persist(file, delivery.raw, { exclusive: !DEFECTS.has('no-idempotency') });
  } catch (err) {
    if (err?.code !== 'EEXIST') return writeFailed(res, err, 'cannot persist webhook');
    duplicate = true;
    counters.webhooks.duplicates++;
    // applied already: nothing to do. Otherwise the first delivery may have died between
    // persisting and publishing: publish again (the broker and the consumer deduplicate).
    if (fs.existsSync(path.join(appliedDir, delivery.key))) return send(res, 200, JSON.stringify({ duplicate: true }));
  }
  let where;
  try {
    where = await queue.enqueue(eventOf(delivery));
  } catch (err) {
    if (!duplicate && !DEFECTS.has('no-disk-handling')) fs.rmSync(file, { force: true });
    return writeFailed(res, err, 'cannot queue webhook');
  }
  diskWritten();
  if (duplicate) return send(res, 200, JSON.stringify({ duplicate: true }));
  counters.webhooks.accepted++;
  return send(res, 200, JSON.stringify({ accepted: true, queued: where }));
}

/** The ack-before-persist defect's memory: flushed every WRITE_BEHIND_MS, gone when the process dies. */
const writeBehind = [];
function flushWriteBehind() {
  while (writeBehind.length > 0) {
    const d = writeBehind.shift();
    try {
      persist(path.join(webhookDir, d.key), d.raw, { exclusive: true });
    } catch (err) {
      if (err?.code !== 'EEXIST') counters.webhooks.lostBeforePersist++;
      continue;
    }
    try {
      if (queue) queue.enqueueVolatile(eventOf(d));
      else fs.appendFileSync(path.join(appliedDir, d.key), '1\n');
    } catch {
      counters.webhooks.lostBeforePersist++;
    }
  }
}
if (DEFECTS.has('ack-before-persist')) setInterval(flushWriteBehind, WRITE_BEHIND_MS).unref();

function applied(res, partnerName, id) {
  let count = 0;
  try {
    count = fs.readFileSync(path.join(appliedDir, deliveryKey(partnerName, id)), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    count = 0;
  }
  return send(res, 200, JSON.stringify({ applied: count }));
}

/** Who is asking, for rate limiting: x-client-id, else (trusted proxy) X-Forwarded-For, else the peer. */
function clientKey(req) {
  const id = req.headers['x-client-id'];
  if (typeof id === 'string' && id) return `id:${id.slice(0, 128)}`;
  const xff = req.headers['x-forwarded-for'];
  if (TRUST_FORWARDED_FOR && typeof xff === 'string' && xff) return `ip:${xff.split(',')[0].trim()}`;
  return `ip:${req.socket.remoteAddress ?? 'unknown'}`;
}

/** true when the request may go on; otherwise 429 + Retry-After has been sent */
function admit(req, res) {
  const verdict = limiter.check(clientKey(req));
  if (verdict.allowed) return true;
  if (req.method === 'POST' && req.url?.startsWith('/login')) counters.login.limited++;
  send(res, 429, JSON.stringify({ error: 'too many requests', scope: verdict.scope }), { 'retry-after': String(verdict.retryAfterS) });
  return false;
}

async function login(req, res) {
  if (RATE_LIMIT_SCOPE === 'login' && !admit(req, res)) return;
  const raw = await readBody(req, res, 16 * 1024);
  if (raw === null) return;
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    body = null;
  }
  if (!body || typeof body.username !== 'string' || typeof body.password !== 'string') {
    counters.login.badRequest++;
    return send(res, 400, JSON.stringify({ error: 'send JSON {"username": "...", "password": "..."}' }));
  }
  if (await users.verify(body.username, body.password)) {
    counters.login.ok++;
    return send(res, 200, JSON.stringify({ ok: true, user: body.username }));
  }
  counters.login.failed++;
  return send(res, 401, JSON.stringify({ error: 'invalid credentials' }));
}

const startedAt = Date.now();
async function metrics(res) {
  const q = queue ? await queue.metrics() : null;
  const body = {
    replica: REPLICA,
    zone: ZONE,
    defects: [...DEFECTS],
    uptimeMs: Date.now() - startedAt,
    // the queue figures a drill watches (null/0 without NATS_URL)
    broker: q ? q.broker : 'disabled',
    idempotencyStore: idempotency ? idempotency.status() : 'disabled',
    backlog: q ? q.backlog : null,
    offlineQueue: q ? q.offlineQueue : 0,
    consumed: q ? q.consumed : 0,
    published: q ? q.published : 0,
    queue: q,
    webhooks: { ...counters.webhooks, pendingInMemory: writeBehind.length + (q?.volatileQueue ?? 0) },
    offers: { ...counters.offers, lastGoodAgeMs: lastOffers ? Date.now() - lastOffers.at : null },
    partner: partner.snapshot(),
    breaker: breaker.snapshot(),
    login: counters.login,
    rateLimit: limiter.snapshot(),
    disk,
    websockets: sockets.clients.size,
  };
  return send(res, 200, JSON.stringify(body));
}

// Prometheus text exposition of the HTTP traffic, for a scraping Prometheus (telemetry.prometheus.managed):
// http_requests_total{code,route} and the http_request_duration_seconds histogram per route
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const httpTotals = new Map(); // `${route}\t${code}` -> count
const httpDurations = new Map(); // route -> { buckets: number[], sum, count }
function routeLabel(pathname) {
  if (/^\/webhooks\/[a-z0-9-]+$/.test(pathname)) return '/webhooks/:partner';
  if (/^\/webhooks\/[a-z0-9-]+\/[^/]+$/.test(pathname)) return '/webhooks/:partner/:id';
  return ['/healthz', '/offers', '/login', '/metrics', '/ws'].includes(pathname) ? pathname : 'other';
}
function observeHttp(route, code, seconds) {
  const key = `${route}\t${code}`;
  httpTotals.set(key, (httpTotals.get(key) ?? 0) + 1);
  let h = httpDurations.get(route);
  if (!h) httpDurations.set(route, (h = { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 }));
  DURATION_BUCKETS.forEach((le, i) => { if (seconds <= le) h.buckets[i]++; });
  h.sum += seconds;
  h.count++;
}
function prometheusText() {
  const labels = `replica="${REPLICA}",zone="${ZONE}"`;
  const lines = ['# HELP http_requests_total HTTP requests answered, by status code and route.', '# TYPE http_requests_total counter'];
  for (const [key, n] of httpTotals) {
    const [route, code] = key.split('\t');
    lines.push(`http_requests_total{${labels},route="${route}",code="${code}"} ${n}`);
  }
  lines.push('# HELP http_request_duration_seconds Time to answer an HTTP request, by route.', '# TYPE http_request_duration_seconds histogram');
  for (const [route, h] of httpDurations) {
    DURATION_BUCKETS.forEach((le, i) => lines.push(`http_request_duration_seconds_bucket{${labels},route="${route}",le="${le}"} ${h.buckets[i]}`));
    lines.push(`http_request_duration_seconds_bucket{${labels},route="${route}",le="+Inf"} ${h.count}`);
    lines.push(`http_request_duration_seconds_sum{${labels},route="${route}"} ${h.sum}`);
    lines.push(`http_request_duration_seconds_count{${labels},route="${route}"} ${h.count}`);
  }
  lines.push('# HELP hub_webhooks_total Webhook deliveries by outcome.', '# TYPE hub_webhooks_total counter');
  for (const [outcome, n] of Object.entries(counters.webhooks)) if (typeof n === 'number') lines.push(`hub_webhooks_total{${labels},outcome="${outcome}"} ${n}`);
  lines.push('# HELP hub_login_total Login attempts by outcome.', '# TYPE hub_login_total counter');
  for (const [outcome, n] of Object.entries(counters.login)) if (typeof n === 'number') lines.push(`hub_login_total{${labels},outcome="${outcome}"} ${n}`);
  lines.push('# HELP hub_websockets Open WebSocket connections.', '# TYPE hub_websockets gauge', `hub_websockets{${labels}} ${sockets.clients.size}`);
  return lines.join('\n') + '\n';
}
/** Prometheus asks for text (openmetrics or text/plain); everyone else keeps the JSON figures. */
function wantsPrometheusText(req) {
  const accept = String(req.headers.accept ?? '');
  return /openmetrics-text|text\/plain/.test(accept) && !/application\/json/.test(accept);
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-replica': REPLICA, 'x-zone': ZONE, ...headers });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://local');
  const route = url.pathname.match(/^\/webhooks\/([a-z0-9-]+)$/);
  const appliedRoute = url.pathname.match(/^\/webhooks\/([a-z0-9-]+)\/([^/]+)$/);
  const exempt = url.pathname === '/healthz' || url.pathname === '/metrics';
  const started = process.hrtime.bigint();
  res.on('finish', () => observeHttp(routeLabel(url.pathname), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
  if (RATE_LIMIT_SCOPE === 'all' && !exempt && !admit(req, res)) return;
  const handle =
    req.method === 'GET' && url.pathname === '/healthz'
      ? () => send(res, 200, JSON.stringify({ ok: true, replica: REPLICA, zone: ZONE, defects: [...DEFECTS] }))
      : req.method === 'GET' && url.pathname === '/offers'
        ? () => offers(res)
        : req.method === 'POST' && route
          ? () => webhook(req, res, route[1])
          : req.method === 'GET' && appliedRoute
            ? () => applied(res, appliedRoute[1], decodeURIComponent(appliedRoute[2]))
            : req.method === 'POST' && url.pathname === '/login'
              ? () => login(req, res)
              : req.method === 'GET' && url.pathname === '/metrics' && wantsPrometheusText(req)
                ? () => send(res, 200, prometheusText(), { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
              : req.method === 'GET' && url.pathname === '/metrics'
                ? () => metrics(res)
                : () => send(res, 404, JSON.stringify({ error: 'not found' }));
  Promise.resolve(handle()).catch((err) => {
    if (!res.headersSent) send(res, 500, JSON.stringify({ error: String(err) }));
  });
});
server.keepAliveTimeout = 10_000;
const sockets = new WebSocketServer({ server, path: '/ws' });
sockets.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.listen(PORT, HOST, () => {
  log(`listening on ${HOST}:${PORT}, zone ${ZONE}${DEFECTS.size ? `, DEFECTS=${[...DEFECTS].join(',')}` : ''}${queue ? `, queue on ${process.env.NATS_URL ?? process.env.KAFKA_URL}` : ''}`);
  if (DEFECTS.has('single-zone') && process.env.ZONE && process.env.ZONE !== 'a') log(`single-zone: reporting zone a, not ZONE=${process.env.ZONE}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const ws of sockets.clients) ws.close(1001, 'shutting down');
    void queue?.close();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
