// Webhook signing inside k6 (k6/crypto, k6/encoding): Standard Webhooks.
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';

/** `whsec_<base64>` → the raw key bytes (Standard Webhooks decodes the part after the prefix). */
export function standardWebhooksKey(secret: string): ArrayBuffer {
  return encoding.b64decode(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'std');
}

/** Headers of a Standard Webhooks delivery: signature = base64 HMAC-SHA256 of "id.timestamp.body". */
export function standardWebhooksHeaders(key: ArrayBuffer, id: string, timestampS: number, body: string): Record<string, string> {
  const signature = crypto.hmac('sha256', key, `${id}.${timestampS}.${body}`, 'base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': `v1,${signature}`,
  };
}
