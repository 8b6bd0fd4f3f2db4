// Idempotency store failover (APP2's Redis-backed idempotency store for signed webhooks). The hub
// claims every delivery with SET NX in Redis, whose primary Sentinel names (two replicas, three
// sentinels, down-after-milliseconds 2 s). Under webhook load with redeliveries the primary is SIGKILLed: Sentinel must promote
// a replica quickly, no acknowledged claim may be lost (a sequence-numbered write probe counts
// them: a lost claim would let a redelivery be applied twice), webhooks are accepted again soon
// after the switch, and no delivery is applied twice. Full length 160 s; `--time-scale 0.1` runs it in 16 s.
//
// Catches: no-idempotency (a redelivery applied again: replays-applied-twice).
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'idempotency-store-failover',
  app: 'APP2',
  description: "The idempotency store's Redis primary killed under webhook load: Sentinel's failover time, no acknowledged claim lost, webhooks accepted again, nothing applied twice",
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: { PARTNER_URL: '{{partners.acme.url}}', WEBHOOK_SECRETS: '{{webhookSecrets}}', IDEMPOTENCY_STORE: '{{broker.url}}' },
    },
    broker: { kind: 'redis-sentinel', name: 'idempotency', replicas: 2, sentinels: 3, downAfter: '2s' },
  },
  load: {
    requests: [
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 3, webhook: { partner: 'acme' }, expect: [200] },
      { name: 'offers', path: '/offers', weight: 1, expect: [200] },
    ],
    profiles: [{ profile: 'baseline', rate: 25, duration: '160s', preAllocatedVUs: 30 }],
  },
  partners: [
    {
      name: 'acme',
      webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      routes: [{ method: 'GET', path: '/offers', behaviours: [{ at: '0s', status: 200, latency: '10ms' }] }],
    },
  ],
  senders: [
    {
      name: 'acme-webhooks',
      partner: 'acme',
      path: '/webhooks/acme',
      at: '5s',
      duration: '150s',
      rate: 4,
      mix: { valid: 3, 'replayed-id': 1 },
      appliedPath: '/webhooks/acme/{id}',
    },
  ],
  faults: [{ name: 'primary-killed', driver: 'broker', action: 'broker-failover', target: 'idempotency', at: '60s', duration: '50s' }],
  slos: [
    { name: 'failover-time', kind: 'chaos', figure: 'broker-failover-time', fault: 'primary-killed', within: '10s' },
    { name: 'no-claim-lost', kind: 'chaos', figure: 'message-loss', fault: 'primary-killed', atMost: 0 },
    { name: 'webhooks-accepted-when-steady', kind: 'error-rate', request: 'webhook', phase: 'steady', below: '1%' },
    { name: 'webhooks-accepted-again', kind: 'recovery-time', fault: 'primary-killed', sli: { metric: 'error-rate', below: '1%' }, within: '10s', hold: '2s' },
    { name: 'valid-webhooks-rejected', kind: 'journal', figure: 'valid-rejected', partner: 'acme', atMost: 0 },
    { name: 'replays-applied-twice', kind: 'journal', figure: 'idempotency-violations', partner: 'acme', atMost: 0 },
  ],
});
