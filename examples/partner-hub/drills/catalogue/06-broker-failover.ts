// Broker failover (APP4 MSK, APP1 Kafka billing ESB). The hub publishes every accepted webhook
// to a 3-node NATS JetStream cluster (stream HUB_EVENTS, R3) and applies it from a shared durable
// consumer. Under load the stream's leader is SIGKILLed; a new leader must take over quickly, no
// acknowledged message may be lost (a sequence-numbered probe on the same stream counts them),
// the consumer's lag must drain once the node is back, webhooks keep being accepted, and no
// delivery — redelivered by the partner, or republished by the hub after a lost PubAck — may be
// applied twice. Full length 240 s; `--time-scale 0.1` runs it in 24 s.
//
// Catches: no-idempotency (a redelivery applied again: replays-applied-twice).
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'broker-failover',
  app: 'APP4',
  description: "The event stream's leader killed under load: failover time, no message lost, consumer lag drained, webhooks accepted, nothing applied twice",
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: { PARTNER_URL: '{{partners.acme.url}}', WEBHOOK_SECRETS: '{{webhookSecrets}}', NATS_URL: '{{broker.url}}' },
    },
    broker: { kind: 'nats', nodes: 3, streams: [{ name: 'HUB_EVENTS', subjects: ['hub.events.>'] }] },
  },
  load: {
    requests: [
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 3, webhook: { partner: 'acme' }, expect: [200] },
      { name: 'offers', path: '/offers', weight: 1, expect: [200] },
    ],
    profiles: [{ profile: 'baseline', rate: 25, duration: '240s', preAllocatedVUs: 30 }],
  },
  partners: [
    {
      name: 'acme',
      webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu',
      routes: [{ method: 'GET', path: '/offers', behaviours: [{ at: '0s', status: 200, latency: '10ms' }] }],
    },
  ],
  senders: [
    {
      name: 'acme-webhooks',
      partner: 'acme',
      path: '/webhooks/acme',
      at: '10s',
      duration: '200s',
      rate: 4,
      mix: { valid: 3, 'replayed-id': 1 },
      appliedPath: '/webhooks/acme/{id}',
    },
  ],
  faults: [{ name: 'leader-killed', driver: 'broker', action: 'broker-failover', target: 'broker', stream: 'HUB_EVENTS', at: '80s', duration: '80s' }],
  slos: [
    { name: 'failover-time', kind: 'chaos', figure: 'broker-failover-time', fault: 'leader-killed', within: '15s' },
    { name: 'no-message-lost', kind: 'chaos', figure: 'message-loss', fault: 'leader-killed', atMost: 0 },
    { name: 'consumer-lag-drains', kind: 'backlog-drain', fault: 'leader-killed', metric: 'backlog', atMost: 0, within: '5s' },
    { name: 'webhooks-accepted', kind: 'error-rate', request: 'webhook', below: '1%' },
    { name: 'webhook-acceptance-p95', kind: 'latency', request: 'webhook', percentile: 95, below: '1500ms' },
    { name: 'valid-webhooks-rejected', kind: 'journal', figure: 'valid-rejected', partner: 'acme', atMost: 0 },
    { name: 'replays-applied-twice', kind: 'journal', figure: 'idempotency-violations', partner: 'acme', atMost: 0 },
  ],
});
