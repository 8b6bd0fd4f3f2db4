// Webhook signing inside k6 (k6/crypto, k6/encoding): Standard Webhooks, Stripe, GitHub.
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import type { WebhookScheme } from './k6-plan.ts';

/** `whsec_<base64>` → the raw key bytes (Standard Webhooks decodes the part after the prefix). */
export function standardWebhooksKey(secret: string): ArrayBuffer {
  return encoding.b64decode(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'std');
}

/** Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function standardWebhooksHeaders(key: ArrayBuffer, id: string, timestampS: number, body: string): Record<string, string> {
  const signature = crypto.hmac('sha256', key, `${id}.${timestampS}.${body}`, 'base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': `v1,${signature}`,
  };
}

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, key = the secret string as is. */
export function stripeHeaders(secret: string, timestampS: number, body: string): Record<string, string> {
  const v1 = crypto.hmac('sha256', secret, `${timestampS}.${body}`, 'hex');
  return { 'content-type': 'application/json', 'stripe-signature': `t=${timestampS},v1=${v1}` };
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`; no timestamp. */
export function githubHeaders(secret: string, deliveryId: string, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': `sha256=${crypto.hmac('sha256', secret, body, 'hex')}`,
  };
}

/** A signer for one partner's scheme and secret, prepared once per VU. */
export function webhookSigner(scheme: WebhookScheme, secret: string): (id: string, timestampS: number, body: string) => Record<string, string> {
  if (scheme === 'stripe') return (_id, ts, body) => stripeHeaders(secret, ts, body);
  if (scheme === 'github') return (id, _ts, body) => githubHeaders(secret, id, body);
  const key = standardWebhooksKey(secret);
  return (id, ts, body) => standardWebhooksHeaders(key, id, ts, body);
}
