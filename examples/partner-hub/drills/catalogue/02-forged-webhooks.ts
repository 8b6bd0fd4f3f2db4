// Forged webhooks after a credential leak (APP2, 2023). The partner's webhook sender delivers
// valid webhooks mixed with forged ones — signed with a wrong or the rotated-out key, bodies
// tampered with or re-serialized after signing, timestamps outside the 300 s tolerance, headers
// missing — and redeliveries of ids already applied, while ordinary traffic runs. The leaked key
// is really rotated during the run: until 40 s the hub holds only the old key and the partner
// signs with it, from 40 s to 80 s the hub holds both (the partner switches at 60 s), from 80 s
// the old key is retired and deliveries signed with it are forgeries. Not one forged delivery may
// be accepted, not one valid one rejected, and no redelivery applied twice (the hub's
// GET /webhooks/acme/{id} says how often each was applied). Full length 240 s; `--time-scale 0.1`
// runs it in 24 s.
//
// Catches: no-signature-check and no-timestamp-tolerance (forged-accepted), no-idempotency
// (idempotency-violations), no-key-retirement (forged-accepted: old-key-after-rotation).
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'forged-webhooks',
  app: 'APP2',
  description: 'Valid partner webhooks mixed with forged, stale, tampered and replayed ones: zero forged accepted, zero valid rejected, nothing applied twice',
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: {
        PARTNER_URL: '{{partners.acme.url}}',
        WEBHOOK_SECRETS: '{{webhookSecrets}}',
        // the rotation, as the hub is configured with it: the old key and when it stops being valid
        WEBHOOK_ROTATIONS: '{"acme":{"previous":"{{partners.acme.previousWebhookSecret}}","at":{{partners.acme.rotationAt}},"end":{{partners.acme.rotationEnd}}}}',
        T0_FILE: '{{t0File}}',
      },
    },
  },
  load: {
    requests: [
      { name: 'offers', path: '/offers', weight: 1, expect: [200] },
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 1, webhook: { partner: 'acme' } },
    ],
    profiles: [{ profile: 'baseline', rate: 10, duration: '240s' }],
  },
  partners: [
    {
      name: 'acme',
      // the leaked key is rotated out during the run; after the overlap the sender's
      // old-key-after-rotation variant signs with it
      webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu',
      previousWebhookSecret: 'whsec_ZnRxjYSamUlXfAHgRzcgLslJfscncBOurmVIiWJsuUA=',
      rotation: { at: '40s', overlap: '40s' },
      routes: [{ method: 'GET', path: '/offers', behaviours: [{ at: '0s', status: 200, latency: '10ms' }] }],
    },
  ],
  senders: [
    {
      name: 'acme-webhooks',
      partner: 'acme',
      path: '/webhooks/acme',
      at: '10s',
      duration: '220s',
      rate: 8,
      // about half valid; every forgery the Standard Webhooks scheme can be handed
      mix: {
        valid: 8,
        'wrong-secret': 1,
        // sent as valid deliveries until the old key is retired at 80 s, forged after
        'old-key-after-rotation': 2,
        'tampered-body': 1,
        'reserialized-json': 1,
        'stale-timestamp': 1,
        'future-timestamp': 1,
        'missing-headers': 1,
        'replayed-id': 2,
      },
      appliedPath: '/webhooks/acme/{id}',
    },
  ],
  slos: [
    { name: 'forged-accepted', kind: 'journal', figure: 'forged-accepted', partner: 'acme', atMost: 0 },
    { name: 'valid-rejected', kind: 'journal', figure: 'valid-rejected', partner: 'acme', atMost: 0 },
    { name: 'replays-applied-twice', kind: 'journal', figure: 'idempotency-violations', partner: 'acme', atMost: 0 },
    { name: 'webhook-acceptance-p95', kind: 'latency', request: 'webhook', percentile: 95, below: '1500ms' },
    { name: 'errors', kind: 'error-rate', below: '1%' },
  ],
});
