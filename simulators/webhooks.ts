// Webhook signatures — Standard Webhooks, Stripe, GitHub — signed, verified and forged. Pure
// (node:crypto only): no clock unless the caller leaves `nowS` out.
//
//   Standard Webhooks  webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256("id.timestamp.body")>
//                      key = base64-decoded secret after "whsec_"; space-separated signatures during key rotation
//   Stripe             Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256("t.body")>; key = the secret string (UTF-8)
//   GitHub             X-Hub-Signature-256: sha256=<hex HMAC-SHA256(body)>; key = the secret (UTF-8); no timestamp
//
// Verification compares in constant time and, where the scheme has a timestamp, allows 300 s
// either way. (stripe-node itself only rejects old timestamps; this verifier also rejects ones
// more than the tolerance in the future, which is what a SUT should do.)
//
// It is as strict as the official verifiers, never more lenient (read from their source:
// standardwebhooks 1.0.1 `Webhook.verify`, stripe-node `Webhooks.constructEvent`,
// @octokit/webhooks-methods `verify`). Each compares the signature *as text* with the one it
// computes — padded standard base64 for Standard Webhooks, lower-case hex for Stripe, the whole
// "sha256=<lower-case hex>" for GitHub — so an unpadded, base64url, upper-case or otherwise
// re-encoded signature never matches, however the bytes decode. Both timestamp schemes sign the
// timestamp as the number they parsed (parseInt), so "01700000000" is signed as "1700000000".
// Stricter than they are: a timestamp must be digits only (parseInt also takes "17e8x"), future
// timestamps are refused, a Stripe header with two t= is malformed (stripe-node keeps the last).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_VARIANTS, type WebhookVariant } from '../src/schema/vocabulary.ts';

export { WEBHOOK_VARIANTS, type WebhookVariant };

export const WEBHOOK_SCHEMES = ['standard-webhooks', 'stripe', 'github'] as const;
export type WebhookScheme = (typeof WEBHOOK_SCHEMES)[number];

export const TOLERANCE_S = 300;

/** One delivery as it goes over the wire: lower-case headers and the exact body bytes (UTF-8). */
export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

export type VerifyFailure = 'missing-headers' | 'malformed-header' | 'timestamp-too-old' | 'timestamp-in-future' | 'signature-mismatch' | 'replayed';
export type Verification = { ok: true; id: string | null; timestampS: number | null } | { ok: false; reason: VerifyFailure; detail: string };

export interface VerifyOptions {
  /** now, unix seconds (default: the clock) */
  nowS?: number;
  toleranceS?: number;
  /** ids already delivered: a delivery with one of them is a replay */
  seen?: (id: string) => boolean;
}

type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === name) ?? ''];
  return Array.isArray(v) ? v[0] : v;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Constant-time comparison of two byte strings of any length. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(b, b); // same work either way
    return false;
  }
  return timingSafeEqual(a, b);
}

function checkTimestamp(timestampS: number, opts: VerifyOptions): Verification | null {
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceS ?? TOLERANCE_S;
  if (timestampS < now - tolerance) return { ok: false, reason: 'timestamp-too-old', detail: `timestamp ${now - timestampS} s old, tolerance ${tolerance} s` };
  if (timestampS > now + tolerance) return { ok: false, reason: 'timestamp-in-future', detail: `timestamp ${timestampS - now} s ahead, tolerance ${tolerance} s` };
  return null;
}

const mismatch = (detail = 'no signature matches'): Verification => ({ ok: false, reason: 'signature-mismatch', detail });

// --- Standard Webhooks ---------------------------------------------------------------------

/**
 * `whsec_<base64>` → the key bytes. Decoded as strictly as the reference library does
 * (@stablelib/base64: standard alphabet, padded, nothing after the padding, not empty): a secret
 * it refuses is refused here, rather than signing with whatever Buffer.from makes of it.
 */
export function standardWebhooksKey(secret: string): Buffer {
  const b64 = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  if (!b64 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(b64)) {
    throw new Error('not a Standard Webhooks secret: write "whsec_" and the key in padded standard base64');
  }
  return Buffer.from(b64, 'base64');
}

export function standardWebhooksSignature(secret: string, id: string, timestampS: number, body: string): string {
  return hmac(standardWebhooksKey(secret), `${id}.${timestampS}.${body}`).toString('base64');
}

/** Signs with every secret given (key rotation: the new one and the old one). */
export function signStandardWebhooks(secrets: string | string[], p: { id: string; timestampS: number; body: string }): Delivery {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  return {
    headers: {
      'content-type': 'application/json',
      'webhook-id': p.id,
      'webhook-timestamp': String(p.timestampS),
      'webhook-signature': list.map((s) => `v1,${standardWebhooksSignature(s, p.id, p.timestampS, p.body)}`).join(' '),
    },
    body: p.body,
  };
}

export function verifyStandardWebhooks(secret: string, headers: HeaderBag, body: string, opts: VerifyOptions = {}): Verification {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sigs = header(headers, 'webhook-signature');
  if (!id || !ts || !sigs) return { ok: false, reason: 'missing-headers', detail: 'webhook-id, webhook-timestamp and webhook-signature are required' };
  if (!/^\d+$/.test(ts)) return { ok: false, reason: 'malformed-header', detail: 'webhook-timestamp is not unix seconds' };
  const timestampS = Number(ts);
  const late = checkTimestamp(timestampS, opts);
  if (late) return late;
  // the signature as the reference library writes it: standard base64, padded; compared as text
  const expected = Buffer.from(hmac(standardWebhooksKey(secret), `${id}.${timestampS}.${body}`).toString('base64'));
  let matched = false;
  for (const entry of sigs.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    if (safeEqual(Buffer.from(entry.slice(comma + 1)), expected)) matched = true;
  }
  if (!matched) return mismatch();
  if (opts.seen?.(id)) return { ok: false, reason: 'replayed', detail: `webhook-id ${id} was delivered before` };
  return { ok: true, id, timestampS };
}

// --- Stripe --------------------------------------------------------------------------------

export function stripeSignature(secret: string, timestampS: number, body: string): string {
  return hmac(secret, `${timestampS}.${body}`).toString('hex');
}

export function signStripe(secrets: string | string[], p: { timestampS: number; body: string }): Delivery {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  return {
    headers: { 'content-type': 'application/json', 'stripe-signature': [`t=${p.timestampS}`, ...list.map((s) => `v1=${stripeSignature(s, p.timestampS, p.body)}`)].join(',') },
    body: p.body,
  };
}

/** The event id in a Stripe body ({"id": "evt_..."}), for replay checks. */
function stripeEventId(body: string): string | null {
  try {
    const v = JSON.parse(body) as { id?: unknown };
    return typeof v?.id === 'string' ? v.id : null;
  } catch {
    return null;
  }
}

export function verifyStripe(secret: string, headers: HeaderBag, body: string, opts: VerifyOptions = {}): Verification {
  const h = header(headers, 'stripe-signature');
  if (!h) return { ok: false, reason: 'missing-headers', detail: 'Stripe-Signature is required' };
  const pairs = h.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const);
  const ts = pairs.filter(([k]) => k === 't').map(([, v]) => v);
  const v1 = pairs.filter(([k]) => k === 'v1').map(([, v]) => v);
  if (ts.length !== 1 || !/^\d+$/.test(ts[0]) || !v1.length) return { ok: false, reason: 'malformed-header', detail: 'Stripe-Signature needs one t=<unix> and v1=<hex>' };
  const timestampS = Number(ts[0]);
  const late = checkTimestamp(timestampS, opts);
  if (late) return late;
  // lower-case hex, compared as text, as stripe-node does
  const expected = Buffer.from(hmac(secret, `${timestampS}.${body}`).toString('hex'));
  let matched = false;
  for (const sig of v1) if (safeEqual(Buffer.from(sig), expected)) matched = true;
  if (!matched) return mismatch();
  const id = stripeEventId(body);
  if (id && opts.seen?.(id)) return { ok: false, reason: 'replayed', detail: `event ${id} was delivered before` };
  return { ok: true, id, timestampS };
}

// --- GitHub --------------------------------------------------------------------------------

export function githubSignature(secret: string, body: string): string {
  return `sha256=${hmac(secret, body).toString('hex')}`;
}

export function signGitHub(secret: string, p: { id: string; body: string }): Delivery {
  return { headers: { 'content-type': 'application/json', 'x-github-delivery': p.id, 'x-hub-signature-256': githubSignature(secret, p.body) }, body: p.body };
}

export function verifyGitHub(secret: string, headers: HeaderBag, body: string, opts: VerifyOptions = {}): Verification {
  const sig = header(headers, 'x-hub-signature-256');
  if (!sig) return { ok: false, reason: 'missing-headers', detail: 'X-Hub-Signature-256 is required' };
  if (!sig.startsWith('sha256=')) return { ok: false, reason: 'malformed-header', detail: 'X-Hub-Signature-256 is sha256=<64 lower-case hex digits>' };
  // the whole header as text against "sha256=<lower-case hex>", as @octokit/webhooks-methods does
  if (!safeEqual(Buffer.from(sig), Buffer.from(githubSignature(secret, body)))) return mismatch();
  const id = header(headers, 'x-github-delivery') ?? null;
  if (id && opts.seen?.(id)) return { ok: false, reason: 'replayed', detail: `delivery ${id} was delivered before` };
  return { ok: true, id, timestampS: null };
}

// --- any scheme ----------------------------------------------------------------------------

export interface SignInput {
  id: string;
  timestampS: number;
  body: string;
}

export function signDelivery(scheme: WebhookScheme, secrets: string | string[], p: SignInput): Delivery {
  if (scheme === 'stripe') return signStripe(secrets, p);
  if (scheme === 'github') return signGitHub(Array.isArray(secrets) ? secrets[0] : secrets, p);
  return signStandardWebhooks(secrets, p);
}

export function verifyDelivery(scheme: WebhookScheme, secret: string, delivery: { headers: HeaderBag; body: string }, opts: VerifyOptions = {}): Verification {
  if (scheme === 'stripe') return verifyStripe(secret, delivery.headers, delivery.body, opts);
  if (scheme === 'github') return verifyGitHub(secret, delivery.headers, delivery.body, opts);
  return verifyStandardWebhooks(secret, delivery.headers, delivery.body, opts);
}

/** The id a scheme gives a delivery (webhook-id, x-github-delivery, the Stripe event id). */
export function deliveryId(scheme: WebhookScheme, d: Delivery): string | null {
  if (scheme === 'stripe') return stripeEventId(d.body);
  return d.headers[scheme === 'github' ? 'x-github-delivery' : 'webhook-id'] ?? null;
}

/** Headers that carry a scheme's signature (what missing-headers removes). */
export const SIGNATURE_HEADERS: Record<WebhookScheme, string[]> = {
  'standard-webhooks': ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  stripe: ['stripe-signature'],
  github: ['x-hub-signature-256'],
};

// --- forging -------------------------------------------------------------------------------


/** Why a verifier must reject each variant (null: it must accept it). */
export const EXPECTED_FAILURE: Record<WebhookVariant, VerifyFailure | null> = {
  valid: null,
  'wrong-secret': 'signature-mismatch',
  'tampered-body': 'signature-mismatch',
  'reserialized-json': 'signature-mismatch',
  'stale-timestamp': 'timestamp-too-old',
  'future-timestamp': 'timestamp-in-future',
  'replayed-id': 'replayed',
  'missing-headers': 'missing-headers',
  'old-key-after-rotation': 'signature-mismatch',
};

/** GitHub signs no timestamp; Stripe puts no id in its headers (a replay is caught by the event id in the body). */
export function variantApplies(scheme: WebhookScheme, variant: WebhookVariant): boolean {
  if (scheme === 'github' && (variant === 'stale-timestamp' || variant === 'future-timestamp')) return false;
  return true;
}

/** A secret of the same form that is not `secret` (deterministic). */
export function wrongSecretFor(secret: string): string {
  const bytes = createHash('sha256').update(`gameday-wrong-secret:${secret}`).digest();
  return secret.startsWith('whsec_') ? `whsec_${bytes.toString('base64')}` : `wrong_${bytes.toString('hex')}`;
}

// --- JSON bodies, read without losing a byte ----------------------------------------------
// JSON.parse turns 9007199254740993 into 9007199254740992 and 1e400 into Infinity, and keeps the
// last of two equal keys: rewriting a body through it can change (or fail to change) the value a
// receiver sees. The forgeries below work on the tokens instead: every number, string and literal
// keeps its exact text unless it is the one meant to change.

export type JsonNode =
  | { kind: 'number' | 'string' | 'literal'; raw: string; start: number; end: number }
  | { kind: 'array'; items: JsonNode[]; start: number; end: number }
  | { kind: 'object'; entries: Array<{ key: string; value: JsonNode }>; start: number; end: number };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

/** A JSON text as a tree of its tokens (raw text and position of each); throws on anything JSON.parse refuses. */
export function parseJsonLossless(text: string): JsonNode {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`not JSON: ${what} at offset ${i}`);
  };
  const token = (re: RegExp, kind: 'number' | 'string'): { kind: 'number' | 'string'; raw: string; start: number; end: number } => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return fail(`a malformed ${kind}`);
    const start = i;
    i += m[0].length;
    return { kind, raw: m[0], start, end: i };
  };
  const value = (): JsonNode => {
    ws();
    const c = text[i];
    const start = i;
    if (c === '{') {
      i++;
      const entries: Array<{ key: string; value: JsonNode }> = [];
      ws();
      if (text[i] === '}') return (i++, { kind: 'object', entries, start, end: i });
      for (;;) {
        ws();
        if (text[i] !== '"') fail('a key expected');
        const key = token(STRING, 'string').raw;
        ws();
        if (text[i++] !== ':') fail('":" expected');
        entries.push({ key, value: value() });
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return (i++, { kind: 'object', entries, start, end: i });
        else fail('"," or "}" expected');
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') return (i++, { kind: 'array', items, start, end: i });
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return (i++, { kind: 'array', items, start, end: i });
        else fail('"," or "]" expected');
      }
    }
    if (c === '"') return token(STRING, 'string');
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) return (i += lit.length, { kind: 'literal', raw: lit, start, end: i });
    }
    return token(NUMBER, 'number');
  };
  const root = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return root;
}

/** The entries of an object that count: of two equal keys JSON.parse keeps the last. */
function liveEntries(entries: Array<{ key: string; value: JsonNode }>): Array<{ key: string; value: JsonNode }> {
  const keys = entries.map((e) => JSON.parse(e.key) as string);
  return entries.filter((_, i) => keys.indexOf(keys[i], i + 1) < 0);
}

/** Every value a receiver sees, in document order (containers before their contents). */
function nodesOf(node: JsonNode): JsonNode[] {
  if (node.kind === 'array') return [node, ...node.items.flatMap(nodesOf)];
  if (node.kind === 'object') return [node, ...liveEntries(node.entries).flatMap((e) => nodesOf(e.value))];
  return [node];
}

/**
 * The same JSON value in other bytes: the keys of each object in reverse order (unless it holds
 * a key twice, where the order decides which one counts), indented by two spaces, every number,
 * string and literal written exactly as it was; a newline added when that changes nothing (a
 * bare number, string or literal, an empty object or array).
 */
export function reserializeJson(body: string): string {
  const emit = (n: JsonNode, indent: string): string => {
    const inner = `${indent}  `;
    if (n.kind === 'array') return n.items.length ? `[\n${n.items.map((x) => inner + emit(x, inner)).join(',\n')}\n${indent}]` : '[]';
    if (n.kind === 'object') {
      if (!n.entries.length) return '{}';
      const keys = new Set(n.entries.map((e) => JSON.parse(e.key) as string));
      const entries = keys.size === n.entries.length ? [...n.entries].reverse() : n.entries;
      return `{\n${entries.map((e) => `${inner}${e.key}: ${emit(e.value, inner)}`).join(',\n')}\n${indent}}`;
    }
    return n.raw;
  };
  const out = emit(parseJsonLossless(body), '');
  return out === body ? `${out}\n` : out;
}

/**
 * The body with exactly one value changed, every other byte kept: the first number negated (0,
 * or a number too small for a double, becomes 1: adding 1 is lost on 9007199254740992 and
 * 1e+300), else the first string with "x" appended, else the first true/false flipped, else the
 * first null made 0, else the first empty array or object given one member ([0],
 * {"tampered":true}) — a value JSON.parse keeps, not one shadowed by a later equal key. Whatever
 * the body, its bytes change and a receiver that parses it sees another value.
 */
export function tamperJson(body: string): string {
  const nodes = nodesOf(parseJsonLossless(body));
  const first = (p: (n: JsonNode) => boolean) => nodes.find(p);
  const leaf = (kind: JsonNode['kind'], raw?: (r: string) => boolean) => first((n) => n.kind === kind && 'raw' in n && (!raw || raw(n.raw)));
  const replace = (n: JsonNode, text: string) => body.slice(0, n.start) + text + body.slice(n.end);
  const num = leaf('number');
  if (num && 'raw' in num) return replace(num, Number(num.raw) === 0 ? '1' : num.raw.startsWith('-') ? num.raw.slice(1) : `-${num.raw}`);
  const str = leaf('string');
  if (str && 'raw' in str) return replace(str, `${str.raw.slice(0, -1)}x"`);
  const bool = leaf('literal', (r) => r !== 'null');
  if (bool && 'raw' in bool) return replace(bool, bool.raw === 'true' ? 'false' : 'true');
  const nul = leaf('literal');
  if (nul) return replace(nul, '0');
  const empty = first((n) => (n.kind === 'array' && !n.items.length) || (n.kind === 'object' && !n.entries.length))!;
  return replace(empty, empty.kind === 'array' ? '[0]' : '{"tampered":true}');
}

export interface ForgeInput {
  scheme: WebhookScheme;
  secret: string;
  /** the secret retired by the last rotation, which the SUT held before it (old-key-after-rotation needs it) */
  oldSecret?: string;
  id: string;
  timestampS: number;
  /** the body of the valid delivery, as it would be sent (compact JSON) */
  body: string;
  toleranceS?: number;
  /** replayed-id: the earlier delivery to send again (default: the valid delivery of this input) */
  replayOf?: Delivery;
}

/**
 * A delivery of `variant`: the valid delivery of `input`, changed in exactly one way — the key
 * (wrong-secret, old-key-after-rotation), the body bytes (tampered-body, reserialized-json), the
 * signed timestamp (stale/future-timestamp, re-signed), the signature headers (missing-headers),
 * or nothing at all but being sent again (replayed-id).
 */
export function forgeDelivery(variant: WebhookVariant, input: ForgeInput): Delivery {
  const { scheme, secret } = input;
  const tolerance = input.toleranceS ?? TOLERANCE_S;
  const sign = (secrets: string | string[], p: Partial<SignInput> = {}) => signDelivery(scheme, secrets, { id: input.id, timestampS: input.timestampS, body: input.body, ...p });
  const valid = sign(secret);
  switch (variant) {
    case 'valid':
      return valid;
    case 'wrong-secret':
      return sign(wrongSecretFor(secret));
    case 'old-key-after-rotation':
      // a key the SUT never held would be one more wrong secret: only a really retired one tests rotation
      if (!input.oldSecret) throw new Error('old-key-after-rotation signs with the secret a rotation retired: give oldSecret');
      if (input.oldSecret === secret) throw new Error('old-key-after-rotation: the retired secret is the current one');
      return sign(input.oldSecret);
    case 'tampered-body':
      return { headers: valid.headers, body: tamperJson(input.body) };
    case 'reserialized-json':
      return { headers: valid.headers, body: reserializeJson(input.body) };
    case 'stale-timestamp':
      if (scheme === 'github') throw new Error('GitHub signatures carry no timestamp: stale-timestamp does not apply');
      return sign(secret, { timestampS: input.timestampS - tolerance - 60 });
    case 'future-timestamp':
      if (scheme === 'github') throw new Error('GitHub signatures carry no timestamp: future-timestamp does not apply');
      return sign(secret, { timestampS: input.timestampS + tolerance + 60 });
    case 'replayed-id':
      return structuredClone(input.replayOf ?? valid);
    case 'missing-headers': {
      const headers = { ...valid.headers };
      for (const h of SIGNATURE_HEADERS[scheme]) delete headers[h];
      return { headers, body: valid.body };
    }
  }
}
