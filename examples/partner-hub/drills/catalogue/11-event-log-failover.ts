// Event log failover on Kafka (APP1's Kafka billing ESB, APP4's MSK). The hub writes every accepted
// webhook to a topic of a 3-node Kafka cluster in KRaft mode (replication factor 3,
// min.insync.replicas 2, an idempotent producer with acks=all) and applies it from one consumer
// group. Under load the leader of a probe topic's partition is SIGKILLed: a new leader must take
// over quickly, no acknowledged write may be lost (an idempotent, sequence-numbered probe counts
// them), the consumer group's lag must drain once the node is back, webhooks keep being accepted,
// and no delivery may be applied twice. The brokers' session timeout is 3 s (Kafka's default is 9 s).
// Full length 300 s (the consumer group needs real seconds to rebalance after a broker dies, whatever
// the time-scale); `--time-scale 0.1` runs it in 30 s. broker-failover replays the same incidents
// on NATS JetStream.
//
// Catches: no-idempotency (a redelivery applied again: replays-applied-twice).
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'event-log-failover',
  app: 'APP1',
  description: "The event log's Kafka partition leader killed under load: failover time, no acknowledged write lost, consumer lag drained, webhooks accepted, nothing applied twice",
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: { PARTNER_URL: '{{partners.acme.url}}', WEBHOOK_SECRETS: '{{webhookSecrets}}', KAFKA_URL: '{{broker.url}}', KAFKA_TOPIC: 'hub-events' },
    },
    broker: { kind: 'kafka', name: 'event-log', nodes: 3, topics: ['hub-events'], sessionTimeout: '3s' },
  },
  load: {
    requests: [
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 3, webhook: { partner: 'acme' }, expect: [200] },
      { name: 'offers', path: '/offers', weight: 1, expect: [200] },
    ],
    // while the partition has no leader the hub's producer waits (acks=all): enough VUs to keep the arrival rate
    profiles: [{ profile: 'baseline', rate: 25, duration: '300s', preAllocatedVUs: 200 }],
  },
  partners: [
    {
      name: 'acme',
      webhookSecret: 'whsec_K9pLq2VbX7nRt4sWm8ZcJd3FgHy6NuEo',
      routes: [{ method: 'GET', path: '/offers', behaviours: [{ at: '0s', status: 200, latency: '10ms' }] }],
    },
  ],
  senders: [
    {
      name: 'acme-webhooks',
      partner: 'acme',
      path: '/webhooks/acme',
      at: '10s',
      duration: '280s',
      rate: 4,
      mix: { valid: 3, 'replayed-id': 1 },
      appliedPath: '/webhooks/acme/{id}',
    },
  ],
  faults: [{ name: 'leader-killed', driver: 'broker', action: 'broker-failover', target: 'event-log', at: '60s', duration: '60s' }],
  slos: [
    { name: 'failover-time', kind: 'chaos', figure: 'broker-failover-time', fault: 'leader-killed', within: '15s' },
    { name: 'no-message-lost', kind: 'chaos', figure: 'message-loss', fault: 'leader-killed', atMost: 0 },
    { name: 'consumer-lag-drains', kind: 'backlog-drain', fault: 'leader-killed', metric: 'backlog', atMost: 0, within: '10s' },
    { name: 'webhooks-accepted', kind: 'error-rate', request: 'webhook', below: '1%' },
    { name: 'valid-webhooks-rejected', kind: 'journal', figure: 'valid-rejected', partner: 'acme', atMost: 0 },
    { name: 'replays-applied-twice', kind: 'journal', figure: 'idempotency-violations', partner: 'acme', atMost: 0 },
  ],
});
