// Edge partition (APP4: "offline queue drained within 4 minutes after partition removal"). The
// hub — the edge — is cut off from every node of its broker (Toxiproxy blackholes both ways on
// the proxies the nodes advertise) while webhooks keep coming; it must keep accepting them into
// its on-disk offline queue, survive a restart while offline (the restarted replica takes over
// what its predecessor queued), and drain the queue into the stream once the partition heals.
// Behind nginx. Full length 240 s; `--time-scale 0.1` runs it in 24 s (the 4-minute objective is
// scaled with it: 24 s).
//
// A guard of the matrix: no defect switch of the demo hub stops the offline queue from draining
// (acknowledge-before-persist keeps the queue in memory and loses it on the restart, which no
// figure counts yet: see the README).
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'edge-partition',
  app: 'APP4',
  description: 'The hub cut off from its broker under load, restarted while offline, then healed: webhooks accepted throughout, the offline queue drained',
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: { PARTNER_URL: '{{partners.acme.url}}', WEBHOOK_SECRETS: '{{webhookSecrets}}', NATS_URL: '{{broker.url}}', PUBLISH_TIMEOUT_MS: '1000' },
    },
    loadBalancer: { kind: 'nginx' },
    broker: { kind: 'nats', nodes: 3, streams: [{ name: 'HUB_EVENTS', subjects: ['hub.events.>'] }] },
  },
  load: {
    requests: [
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 3, webhook: { partner: 'acme' }, expect: [200] },
      { name: 'offers', path: '/offers', weight: 1, expect: [200] },
    ],
    profiles: [{ profile: 'baseline', rate: 25, duration: '240s', preAllocatedVUs: 40 }],
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
  faults: [
    { name: 'edge-cut-off', action: 'partition', target: 'broker', at: '60s', duration: '100s' },
    // the edge restarts while it is offline
    { name: 'edge-restart', driver: 'process', action: 'pod-kill', target: 'partner-hub', replica: 0, at: '110s', duration: '10s' },
  ],
  slos: [
    { name: 'offline-queue-drains', kind: 'backlog-drain', fault: 'edge-cut-off', metric: 'offlineQueue', atMost: 0, within: '24s' },
    { name: 'consumer-lag-drains', kind: 'backlog-drain', fault: 'edge-cut-off', metric: 'backlog', atMost: 0, within: '24s' },
    { name: 'webhooks-accepted', kind: 'error-rate', request: 'webhook', below: '1%' },
    { name: 'valid-webhooks-rejected', kind: 'journal', figure: 'valid-rejected', partner: 'acme', atMost: 0 },
    { name: 'replays-applied-twice', kind: 'journal', figure: 'idempotency-violations', partner: 'acme', atMost: 0 },
  ],
});
