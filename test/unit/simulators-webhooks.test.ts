import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXPECTED_FAILURE,
  forgeDelivery,
  githubSignature,
  parseJsonLossless,
  reserializeJson,
  SIGNATURE_HEADERS,
  signDelivery,
  signGitHub,
  signStandardWebhooks,
  signStripe,
  tamperJson,
  TOLERANCE_S,
  variantApplies,
  verifyDelivery,
  verifyGitHub,
  verifyStandardWebhooks,
  verifyStripe,
  WEBHOOK_SCHEMES,
  WEBHOOK_VARIANTS,
  wrongSecretFor,
  type Delivery,
  type JsonNode,
  type WebhookScheme,
} from '../../simulators/webhooks.ts';

describe('known signature vectors', () => {
  it('GitHub: the vector from the GitHub docs', () => {
    const d = signGitHub("It's a Secret to Everybody", { id: 'd-1', body: 'Hello, World!' });
    expect(d.headers['x-hub-signature-256']).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    expect(verifyGitHub("It's a Secret to Everybody", d.headers, 'Hello, World!')).toMatchObject({ ok: true, id: 'd-1' });
  });

  it('Standard Webhooks: the published example (whsec_MfKQ…, msg_p5jX…, 1614265330)', () => {
    const body = '{"test": 2432232314}';
    const d = signStandardWebhooks('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestampS: 1614265330, body });
    expect(d.headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(verifyStandardWebhooks('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', d.headers, body, { nowS: 1614265330 })).toEqual({ ok: true, id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestampS: 1614265330 });
  });

  it('Standard Webhooks: matches the algorithm computed here with node:crypto (key = base64 after whsec_)', () => {
    const rawKey = Buffer.from('a 24-byte test key.....!');
    const secret = `whsec_${rawKey.toString('base64')}`;
    const body = '{"type":"offer.updated","data":{"price":129}}';
    const expected = createHmac('sha256', rawKey).update(`msg_1.1700000000.${body}`).digest('base64');
    expect(signStandardWebhooks(secret, { id: 'msg_1', timestampS: 1_700_000_000, body }).headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('Stripe: matches the algorithm computed here with node:crypto (key = the whole secret as UTF-8, hex)', () => {
    const secret = 'whsec_test_secret_not_decoded';
    const body = '{"id":"evt_1","object":"event"}';
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`1700000000.${body}`).digest('hex');
    const d = signStripe(secret, { timestampS: 1_700_000_000, body });
    expect(d.headers['stripe-signature']).toBe(`t=1700000000,v1=${expected}`);
    expect(verifyStripe(secret, d.headers, body, { nowS: 1_700_000_100 })).toMatchObject({ ok: true, id: 'evt_1', timestampS: 1_700_000_000 });
  });

  it('accepts header names in any case (as a framework may hand them over)', () => {
    const body = '{"a":1}';
    const d = signStripe('sk', { timestampS: 1000, body });
    expect(verifyStripe('sk', { 'Stripe-Signature': d.headers['stripe-signature'] }, body, { nowS: 1000 }).ok).toBe(true);
  });
});

describe('key rotation', () => {
  const oldSecret = `whsec_${Buffer.from('old key old key old key!').toString('base64')}`;
  const newSecret = `whsec_${Buffer.from('new key new key new key!').toString('base64')}`;
  const p = { id: 'msg_r', timestampS: 1_700_000_000, body: '{"x":1}' };

  it('Standard Webhooks: a delivery signed with both keys carries two space-separated signatures and verifies with either', () => {
    const d = signStandardWebhooks([newSecret, oldSecret], p);
    const parts = d.headers['webhook-signature'].split(' ');
    expect(parts).toHaveLength(2);
    expect(parts.every((s) => s.startsWith('v1,'))).toBe(true);
    expect(verifyStandardWebhooks(newSecret, d.headers, p.body, { nowS: p.timestampS }).ok).toBe(true);
    expect(verifyStandardWebhooks(oldSecret, d.headers, p.body, { nowS: p.timestampS }).ok).toBe(true);
  });

  it('Stripe: several v1= entries, any one matching', () => {
    const d = signStripe(['sk_new', 'sk_old'], p);
    expect(d.headers['stripe-signature'].match(/v1=/g)).toHaveLength(2);
    expect(verifyStripe('sk_old', d.headers, p.body, { nowS: p.timestampS }).ok).toBe(true);
    expect(verifyStripe('sk_other', d.headers, p.body, { nowS: p.timestampS })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });
});

describe('verification', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = '{"id":"evt_9","type":"offer.updated"}';
  const now = 1_700_000_000;

  it.each(WEBHOOK_SCHEMES.filter((s) => s !== 'github'))('%s: 300 s tolerance both ways, inclusive', (scheme) => {
    const at = (ts: number) => verifyDelivery(scheme, secret, signDelivery(scheme, secret, { id: 'm', timestampS: ts, body }), { nowS: now });
    expect(TOLERANCE_S).toBe(300);
    expect(at(now - 300).ok).toBe(true);
    expect(at(now + 300).ok).toBe(true);
    expect(at(now - 301)).toMatchObject({ ok: false, reason: 'timestamp-too-old' });
    expect(at(now + 301)).toMatchObject({ ok: false, reason: 'timestamp-in-future' });
  });

  it('rejects malformed headers for what they are', () => {
    expect(verifyStandardWebhooks(secret, { 'webhook-id': 'm', 'webhook-timestamp': 'yesterday', 'webhook-signature': 'v1,xx' }, body)).toMatchObject({ reason: 'malformed-header' });
    expect(verifyStripe(secret, { 'stripe-signature': 'v1=abc' }, body)).toMatchObject({ reason: 'malformed-header' });
    expect(verifyGitHub(secret, { 'x-hub-signature-256': 'sha1=abc' }, body)).toMatchObject({ reason: 'malformed-header' });
  });

  it('ignores signature entries of other versions and signatures of the wrong length', () => {
    const d = signStandardWebhooks(secret, { id: 'm', timestampS: now, body });
    const good = d.headers['webhook-signature'];
    const headers = { ...d.headers, 'webhook-signature': `v2,${good.slice(3)} v1,AAAA` };
    expect(verifyStandardWebhooks(secret, headers, body, { nowS: now })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(verifyStandardWebhooks(secret, { ...d.headers, 'webhook-signature': `v1,AAAA ${good}` }, body, { nowS: now }).ok).toBe(true);
  });
});

// --- as strict as the official verifiers (standardwebhooks, stripe-node, @octokit/webhooks-methods)
// Each compares the signature as text with the one it computes; each leniency below was accepted here before.

describe('no more lenient than the official verifiers', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
  const body = '{"id":"evt_9","type":"offer.updated"}';
  const now = 1_700_000_000;
  /** a Standard Webhooks delivery whose signature has "+" or "/" and padding in it, so that re-encodings differ */
  const swDelivery = () => {
    for (let i = 0; ; i++) {
      const d = signStandardWebhooks(secret, { id: `msg_${i}`, timestampS: now, body });
      const sig = d.headers['webhook-signature'].slice(3);
      if (/[+/]/.test(sig) && sig.endsWith('=')) return { d, sig };
    }
  };
  const sw = (d: Delivery, sig: string) => verifyStandardWebhooks(secret, { ...d.headers, 'webhook-signature': `v1,${sig}` }, body, { nowS: now });

  it('Standard Webhooks: the signature as the reference signs it verifies', () => {
    const { d, sig } = swDelivery();
    expect(sw(d, sig)).toMatchObject({ ok: true });
  });

  it('Standard Webhooks: an unpadded signature is refused', () => {
    const { d, sig } = swDelivery();
    expect(sw(d, sig.replace(/=+$/, ''))).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('Standard Webhooks: a base64url signature is refused', () => {
    const { d, sig } = swDelivery();
    expect(sw(d, sig.replace(/\+/g, '-').replace(/\//g, '_'))).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('Standard Webhooks: trailing bytes after the padding are refused', () => {
    const { d, sig } = swDelivery();
    expect(Buffer.from(`${sig}AAAA`, 'base64').equals(Buffer.from(sig, 'base64'))).toBe(true); // what a byte comparison saw
    expect(sw(d, `${sig}AAAA`)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it.each(['standard-webhooks', 'stripe'] as const)('%s: a timestamp with a leading zero is signed as the number it is, not as the text', (scheme) => {
    // signed over "01700000000": the reference computes over "1700000000" and finds no match
    const padded = scheme === 'stripe'
      ? { 'stripe-signature': `t=0${now},v1=${createHmac('sha256', secret).update(`0${now}.${body}`).digest('hex')}` }
      : { 'webhook-id': 'm', 'webhook-timestamp': `0${now}`, 'webhook-signature': `v1,${createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`m.0${now}.${body}`).digest('base64')}` };
    expect(verifyDelivery(scheme, secret, { headers: padded, body }, { nowS: now })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    // signed over the number, as the reference does, it verifies there and here
    const canonical = signDelivery(scheme, secret, { id: 'm', timestampS: now, body }).headers;
    const zeroed = scheme === 'stripe' ? { 'stripe-signature': canonical['stripe-signature'].replace(`t=${now}`, `t=0${now}`) } : { ...canonical, 'webhook-timestamp': `0${now}` };
    expect(verifyDelivery(scheme, secret, { headers: zeroed, body }, { nowS: now })).toMatchObject({ ok: true });
  });

  it('Stripe: upper-case hex in v1= is refused', () => {
    const h = signStripe(secret, { timestampS: now, body }).headers['stripe-signature'];
    const upper = h.replace(/v1=([0-9a-f]+)/, (_, hex: string) => `v1=${hex.toUpperCase()}`);
    expect(upper).not.toBe(h);
    expect(verifyStripe(secret, { 'stripe-signature': upper }, body, { nowS: now })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('Stripe: two t= entries are malformed (stripe-node would take the last)', () => {
    const h = signStripe(secret, { timestampS: now, body }).headers['stripe-signature'];
    expect(verifyStripe(secret, { 'stripe-signature': `t=${now - 1000},${h}` }, body, { nowS: now })).toMatchObject({ ok: false, reason: 'malformed-header' });
  });

  it('GitHub: upper-case hex is refused', () => {
    const sig = githubSignature(secret, body);
    expect(verifyGitHub(secret, { 'x-hub-signature-256': `sha256=${sig.slice(7).toUpperCase()}` }, body)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('GitHub: an upper-case SHA256= prefix is refused', () => {
    const sig = githubSignature(secret, body);
    expect(verifyGitHub(secret, { 'x-hub-signature-256': sig }, body)).toMatchObject({ ok: true });
    expect(verifyGitHub(secret, { 'x-hub-signature-256': sig.replace('sha256=', 'SHA256=') }, body)).toMatchObject({ ok: false, reason: 'malformed-header' });
  });

  it('stays stricter where it was: a future timestamp is refused (the references differ: stripe-node accepts it)', () => {
    const d = signStripe(secret, { timestampS: now + 301, body });
    expect(verifyStripe(secret, d.headers, body, { nowS: now })).toMatchObject({ ok: false, reason: 'timestamp-in-future' });
  });
});

// --- forged variants: each differs from the valid delivery in exactly one intended way -----

const SECRETS: Record<WebhookScheme, string> = {
  'standard-webhooks': `whsec_${Buffer.from('standard webhooks test secret!!!').toString('base64')}`,
  stripe: 'whsec_stripe_style_secret_used_as_utf8',
  github: "It's a Secret to Everybody",
};
const NOW = 1_700_000_000;
const BODY = JSON.stringify({ id: 'evt_42', type: 'offer.updated', data: { offer: 'offer-1', price: 129, currency: 'EUR' } });

/** the secrets a rotation retired: valid secrets of each scheme (a whsec_ one decodes as base64) */
const PREVIOUS: Record<WebhookScheme, string> = {
  'standard-webhooks': `whsec_${Buffer.from('the previous standard webhooks key').toString('base64')}`,
  stripe: 'whsec_previous_stripe_style_secret',
  github: 'the previous GitHub secret',
};

function input(scheme: WebhookScheme) {
  return { scheme, secret: SECRETS[scheme], oldSecret: PREVIOUS[scheme], id: 'msg_42', timestampS: NOW, body: BODY };
}

/** Header names whose values differ between two deliveries (absent counts as different). */
function changedHeaders(a: Delivery, b: Delivery): string[] {
  const names = new Set([...Object.keys(a.headers), ...Object.keys(b.headers)]);
  return [...names].filter((n) => a.headers[n] !== b.headers[n]).sort();
}

const signatureHeader: Record<WebhookScheme, string> = { 'standard-webhooks': 'webhook-signature', stripe: 'stripe-signature', github: 'x-hub-signature-256' };

describe.each(WEBHOOK_SCHEMES)('forged %s deliveries', (scheme) => {
  const valid = forgeDelivery('valid', input(scheme));
  const verify = (d: Delivery, opts: Parameters<typeof verifyDelivery>[3] = {}) => verifyDelivery(scheme, SECRETS[scheme], d, { nowS: NOW, ...opts });

  it('valid: verifies', () => {
    expect(verify(valid)).toMatchObject({ ok: true });
    expect(valid.body).toBe(BODY);
  });

  it('wrong-secret: only the signature differs, and it is a real signature under another key', () => {
    const f = forgeDelivery('wrong-secret', input(scheme));
    expect(f.body).toBe(valid.body);
    expect(changedHeaders(valid, f)).toEqual([signatureHeader[scheme]]);
    expect(verify(f)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(verifyDelivery(scheme, wrongSecretFor(SECRETS[scheme]), f, { nowS: NOW }).ok).toBe(true);
  });

  it('old-key-after-rotation: only the signature differs, made with the previous secret', () => {
    const f = forgeDelivery('old-key-after-rotation', input(scheme));
    expect(f.body).toBe(valid.body);
    expect(changedHeaders(valid, f)).toEqual([signatureHeader[scheme]]);
    expect(verify(f)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(verifyDelivery(scheme, input(scheme).oldSecret, f, { nowS: NOW }).ok).toBe(true);
    expect(f).toEqual(signDelivery(scheme, PREVIOUS[scheme], { id: 'msg_42', timestampS: NOW, body: BODY }));
  });

  if (scheme === 'standard-webhooks') {
    it('a whsec_ secret the reference library cannot decode is refused, not signed with (the old derived "previous" key was one)', () => {
      const derived = wrongSecretFor(`old:${SECRETS[scheme]}`); // what old-key-after-rotation used to sign with
      expect(derived.startsWith('whsec_')).toBe(false);
      for (const bad of [derived, 'whsec_', 'whsec_abc', 'whsec_AAAA=AAA', 'whsec_AA-_']) {
        expect(() => signStandardWebhooks(bad, { id: 'm', timestampS: NOW, body: BODY }), bad).toThrow(/not a Standard Webhooks secret/);
      }
    });
  }

  it('old-key-after-rotation: without the retired secret there is nothing to forge (no key the SUT never held)', () => {
    expect(() => forgeDelivery('old-key-after-rotation', { ...input(scheme), oldSecret: undefined })).toThrow(/retired/);
    expect(() => forgeDelivery('old-key-after-rotation', { ...input(scheme), oldSecret: SECRETS[scheme] })).toThrow(/current/);
  });

  it('tampered-body: same headers, one value of the body changed', () => {
    const f = forgeDelivery('tampered-body', input(scheme));
    expect(f.headers).toEqual(valid.headers);
    expect(f.body).not.toBe(valid.body);
    const [a, b] = [JSON.parse(valid.body), JSON.parse(f.body)];
    expect(b).toEqual({ ...a, data: { ...a.data, price: -a.data.price } });
    expect(verify(f)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('reserialized-json: same headers, the same JSON value in other bytes', () => {
    const f = forgeDelivery('reserialized-json', input(scheme));
    expect(f.headers).toEqual(valid.headers);
    expect(f.body).not.toBe(valid.body);
    expect(JSON.parse(f.body)).toEqual(JSON.parse(valid.body));
    expect(verify(f)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('missing-headers: the signature headers removed, nothing else changed', () => {
    const f = forgeDelivery('missing-headers', input(scheme));
    expect(f.body).toBe(valid.body);
    expect(changedHeaders(valid, f)).toEqual([...SIGNATURE_HEADERS[scheme]].sort());
    for (const h of SIGNATURE_HEADERS[scheme]) expect(f.headers[h]).toBeUndefined();
    expect(verify(f)).toMatchObject({ ok: false, reason: 'missing-headers' });
  });

  it('replayed-id: byte for byte an earlier delivery; caught by the id already seen', () => {
    const earlier = forgeDelivery('valid', { ...input(scheme), timestampS: NOW - 60 });
    const f = forgeDelivery('replayed-id', { ...input(scheme), replayOf: earlier });
    expect(f).toEqual(earlier);
    expect(f).not.toBe(earlier);
    expect(verify(f)).toMatchObject({ ok: true }); // the bytes are genuine ...
    const seen = new Set([scheme === 'stripe' ? 'evt_42' : 'msg_42']);
    expect(verify(f, { seen: (id) => seen.has(id) })).toMatchObject({ ok: false, reason: 'replayed' }); // ... the id is not new
  });

  if (scheme === 'github') {
    it('stale-timestamp and future-timestamp do not apply: GitHub signs no timestamp', () => {
      expect(variantApplies('github', 'stale-timestamp')).toBe(false);
      expect(variantApplies('github', 'future-timestamp')).toBe(false);
      expect(() => forgeDelivery('stale-timestamp', input(scheme))).toThrow(/no timestamp/);
    });
  } else {
    it.each([
      ['stale-timestamp', -(TOLERANCE_S + 60), 'timestamp-too-old'],
      ['future-timestamp', TOLERANCE_S + 60, 'timestamp-in-future'],
    ] as const)('%s: correctly signed for a timestamp %d s away; only the timestamp (and so the signature) differs', (variant, offset, reason) => {
      const f = forgeDelivery(variant, input(scheme));
      expect(f.body).toBe(valid.body);
      const expected = scheme === 'stripe' ? ['stripe-signature'] : ['webhook-signature', 'webhook-timestamp'];
      expect(changedHeaders(valid, f)).toEqual(expected);
      expect(verify(f)).toMatchObject({ ok: false, reason });
      // the signature itself is genuine: at that time it would verify
      expect(verifyDelivery(scheme, SECRETS[scheme], f, { nowS: NOW + offset }).ok).toBe(true);
      expect(signDelivery(scheme, SECRETS[scheme], { id: 'msg_42', timestampS: NOW + offset, body: BODY })).toEqual(f);
    });
  }

  it('every applicable variant fails verification for its intended reason, and only valid passes', () => {
    const earlierId = scheme === 'stripe' ? 'evt_42' : 'msg_42';
    for (const variant of WEBHOOK_VARIANTS.filter((v) => variantApplies(scheme, v))) {
      const f = forgeDelivery(variant, input(scheme));
      const r = verify(f, variant === 'replayed-id' ? { seen: (id) => id === earlierId } : {});
      const expected = EXPECTED_FAILURE[variant];
      if (expected === null) expect(r.ok, variant).toBe(true);
      else expect(r, variant).toMatchObject({ ok: false, reason: expected });
    }
  });
});

describe('body rewriting helpers', () => {
  it('reserializeJson keeps the value for nested objects and arrays, and always changes the bytes', () => {
    const body = '{"a":[1,{"b":2,"c":[3]}],"d":"x"}';
    expect(JSON.parse(reserializeJson(body))).toEqual(JSON.parse(body));
    expect(reserializeJson(body)).not.toBe(body);
    expect(reserializeJson('1')).not.toBe('1');
    expect(JSON.parse(reserializeJson('1'))).toBe(1);
  });

  it('tamperJson changes exactly one value: the first number negated, else a string, a literal, an empty container', () => {
    expect(JSON.parse(tamperJson('{"a":1,"b":2}'))).toEqual({ a: -1, b: 2 });
    expect(JSON.parse(tamperJson('{"a":"x"}'))).toEqual({ a: 'xx' });
  });

  // the bodies the issue found untouched: adding 1 was lost, or the marker field was already there
  it.each([
    ['{"amount":9007199254740992}', '{"amount":-9007199254740992}'],
    ['{"v":1e+300}', '{"v":-1e+300}'],
    ['{"tampered":true}', '{"tampered":false}'],
    ['{"a":0}', '{"a":1}'],
    ['{"a":-0}', '{"a":1}'],
    ['{"a":1e-400}', '{"a":1}'],
    ['{"a":1,"a":2}', '{"a":1,"a":-2}'],
    ['{}', '{"tampered":true}'],
    ['[[],{}]', '[[0],{}]'],
    ['null', '0'],
    ['"s"', '"sx"'],
  ])('tamperJson(%s) = %s', (body, tampered) => {
    expect(tamperJson(body)).toBe(tampered);
    expect(JSON.parse(tamperJson(body))).not.toEqual(JSON.parse(body));
  });

  it('reserializeJson keeps every number as written (no round trip through a double)', () => {
    const body = '{"big":12345678901234567890,"v":1e+300,"tiny":1e-400,"z":-0.0}';
    const out = reserializeJson(body);
    for (const raw of ['12345678901234567890', '1e+300', '1e-400', '-0.0']) expect(out).toContain(raw);
    expect(reserializeJson('{"a":1,"a":2}')).toBe('{\n  "a": 1,\n  "a": 2\n}'); // equal keys: the order decides, kept
  });
});

// --- property: for any JSON body, each forgery differs from the valid delivery exactly as intended

/** JSON texts with what JSON.parse loses: integers past 2^53, exponents out of a double's range, -0, equal keys, the marker key. */
const rawJson = fc.letrec<{ value: string }>((tie) => {
  const ws = fc.constantFrom('', '', ' ', '\n  ');
  const number = fc.oneof(
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
    fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -400, max: 400 })).map(([m, e]) => `${m}e${e >= 0 ? '+' : ''}${e}`),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
    fc.constantFrom('9007199254740992', '1e+300', '-0', '0.0', '1e-400', '1E400'),
  );
  const string = fc.string({ unit: 'binary', maxLength: 6 }).map((x) => JSON.stringify(x));
  const key = fc.oneof(fc.constantFrom('"tampered"', '"a"', '"__proto__"'), string);
  return {
    value: fc.oneof(
      { depthSize: 'small' },
      number,
      string,
      fc.constantFrom('true', 'false', 'null'),
      fc.tuple(ws, fc.array(tie('value'), { maxLength: 4 })).map(([w, xs]) => `[${w}${xs.join(`,${w}`)}]`),
      fc.tuple(ws, fc.array(fc.tuple(key, tie('value')), { maxLength: 4 })).map(([w, kv]) => `{${w}${kv.map(([k, v]) => `${k}${w}:${v}`).join(',')}}`),
    ),
  };
}).value;
const anyJsonBody = fc.oneof(fc.json(), rawJson);

/** (path, raw token) of every value a receiver sees — equal keys resolved as JSON.parse does; empty containers as tokens. */
function leaves(body: string): string[] {
  const out: string[] = [];
  const walk = (n: JsonNode, at: string) => {
    if (n.kind === 'array') return n.items.length ? n.items.forEach((x, i) => walk(x, `${at}/${i}`)) : out.push(`${at}=[]`);
    if (n.kind === 'object') {
      const keys = n.entries.map((e) => JSON.parse(e.key) as string);
      const live = n.entries.filter((_, i) => keys.indexOf(keys[i], i + 1) < 0);
      return live.length ? live.forEach((e) => walk(e.value, `${at}/${JSON.stringify(JSON.parse(e.key))}`)) : out.push(`${at}={}`);
    }
    out.push(`${at}=${n.kind === 'string' ? JSON.stringify(JSON.parse(n.raw)) : n.raw}`);
  };
  walk(parseJsonLossless(body), '');
  return out;
}

describe('forgeries of any JSON body (property-based)', () => {
  const RUNS = 1000;

  it(`tamperJson: the bytes change, exactly one value a receiver sees changes, and JSON.parse sees it (${RUNS} bodies)`, () => {
    fc.assert(
      fc.property(anyJsonBody, (body) => {
        const t = tamperJson(body);
        expect(t).not.toBe(body);
        const [a, b] = [leaves(body), leaves(t)];
        expect(b).toHaveLength(a.length);
        expect(a.filter((x, i) => x !== b[i])).toHaveLength(1);
        expect(JSON.parse(t)).not.toEqual(JSON.parse(body));
      }),
      { numRuns: RUNS },
    );
  });

  it(`reserializeJson: other bytes, the same values token for token (${RUNS} bodies)`, () => {
    fc.assert(
      fc.property(anyJsonBody, (body) => {
        const r = reserializeJson(body);
        expect(r).not.toBe(body);
        expect(leaves(r).sort()).toEqual(leaves(body).sort());
        expect(JSON.parse(r)).toEqual(JSON.parse(body));
      }),
      { numRuns: RUNS },
    );
  });

  it(`forgeDelivery: for every scheme and body, each variant changes only what it names and fails for its reason (${RUNS} bodies)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...WEBHOOK_SCHEMES), anyJsonBody, (scheme, body) => {
        const base = { ...input(scheme), body };
        const valid = forgeDelivery('valid', base);
        const verify = (d: Delivery) => verifyDelivery(scheme, SECRETS[scheme], d, { nowS: NOW });
        expect(verify(valid)).toMatchObject({ ok: true });
        for (const variant of ['wrong-secret', 'old-key-after-rotation'] as const) {
          const f = forgeDelivery(variant, base);
          expect(f.body).toBe(valid.body);
          expect(changedHeaders(valid, f)).toEqual([signatureHeader[scheme]]);
          expect(verify(f)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
        }
        for (const variant of ['tampered-body', 'reserialized-json'] as const) {
          const f = forgeDelivery(variant, base);
          expect(f.headers).toEqual(valid.headers);
          expect(f.body).not.toBe(valid.body);
          expect(verify(f)).toMatchObject({ ok: false, reason: 'signature-mismatch' });
        }
      }),
      { numRuns: RUNS },
    );
  });
});
