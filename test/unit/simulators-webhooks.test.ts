import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EXPECTED_FAILURE,
  forgeDelivery,
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

// --- forged variants: each differs from the valid delivery in exactly one intended way -----

const SECRETS: Record<WebhookScheme, string> = {
  'standard-webhooks': `whsec_${Buffer.from('standard webhooks test secret!!!').toString('base64')}`,
  stripe: 'whsec_stripe_style_secret_used_as_utf8',
  github: "It's a Secret to Everybody",
};
const NOW = 1_700_000_000;
const BODY = JSON.stringify({ id: 'evt_42', type: 'offer.updated', data: { offer: 'offer-1', price: 129, currency: 'EUR' } });

function input(scheme: WebhookScheme) {
  return { scheme, secret: SECRETS[scheme], oldSecret: wrongSecretFor(`previous:${SECRETS[scheme]}`), id: 'msg_42', timestampS: NOW, body: BODY };
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
  });

  it('tampered-body: same headers, one value of the body changed', () => {
    const f = forgeDelivery('tampered-body', input(scheme));
    expect(f.headers).toEqual(valid.headers);
    expect(f.body).not.toBe(valid.body);
    const [a, b] = [JSON.parse(valid.body), JSON.parse(f.body)];
    expect(b).toEqual({ ...a, data: { ...a.data, price: a.data.price + 1 } });
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

  it('tamperJson changes exactly one value (or adds a field when there is no number)', () => {
    expect(JSON.parse(tamperJson('{"a":1,"b":2}'))).toEqual({ a: 2, b: 2 });
    expect(JSON.parse(tamperJson('{"a":"x"}'))).toEqual({ a: 'x', tampered: true });
  });
});
