// Disk full (the seeds' chaos lists: "disk full with rollback procedures"). The hub's DATA_DIR
// sits on a 32 MiB filesystem mounted for the run; it is filled to 100% under load, then the
// filler is removed. Degrading gracefully means telling clients to come back (503 +
// Retry-After), never failing them (500), and not writing half a delivery; once space returns,
// webhooks are accepted again at once, and the partner's sender — which retried what got 503 —
// sees every valid delivery accepted. Offer lookups do not touch the disk and stay fast.
// The hub's own telemetry judges it too: gameday runs a Prometheus scraping both replicas, and
// the server's http_requests_total must show no webhook answered 500, whatever k6 saw.
// Full length 240 s; `--time-scale 0.1` runs it in 24 s. Needs root (or CAP_SYS_ADMIN) to mount.
//
// Catches: no-disk-handling (500s while the disk is full: webhooks-degrade-gracefully, and
// server-never-500 from the hub's own counters).
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'disk-full',
  app: 'APP2',
  description: "The hub's data disk filled to 100% under load, then freed: 503 + Retry-After while full (never 500), accepted again once space returns",
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: { PARTNER_URL: '{{partners.acme.url}}', WEBHOOK_SECRETS: '{{webhookSecrets}}' },
    },
    disk: { size: '32m' },
  },
  load: {
    requests: [
      { name: 'offers', path: '/offers', weight: 2, expect: [200] },
      // graceful: 200, or 503 (with Retry-After) while the disk is full; a 500 is a failure
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 1, webhook: { partner: 'acme' }, expect: [200, 503] },
      // the same deliveries judged strictly: accepted (200) or not
      { name: 'webhook-accepted', method: 'POST', path: '/webhooks/acme', weight: 1, webhook: { partner: 'acme' }, expect: [200] },
    ],
    profiles: [{ profile: 'baseline', rate: 30, duration: '240s', preAllocatedVUs: 20 }],
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
      mix: { valid: 9, 'replayed-id': 1 },
      // a real sender keeps retrying (honouring Retry-After) for longer than the disk is full
      retry: { maxAttempts: 10, base: '500ms', cap: '4s' },
      appliedPath: '/webhooks/acme/{id}',
    },
  ],
  // a Prometheus gameday starts for the run, scraping every replica's /metrics every second
  telemetry: { prometheus: { managed: true } },
  faults: [{ name: 'data-disk-full', driver: 'disk', action: 'disk-full', target: 'partner-hub', percent: 100, at: '80s', duration: '60s' }],
  slos: [
    { name: 'webhooks-degrade-gracefully', kind: 'error-rate', request: 'webhook', phase: 'fault', below: '1%' },
    { name: 'webhooks-accepted-steady', kind: 'error-rate', request: 'webhook-accepted', phase: 'steady', below: '1%' },
    { name: 'webhooks-accepted-after-space-returns', kind: 'recovery-time', fault: 'data-disk-full', request: 'webhook-accepted', sli: { metric: 'error-rate', below: '1%' }, within: '3s', hold: '3s' },
    { name: 'offers-unaffected', kind: 'error-rate', request: 'offers', below: '1%' },
    { name: 'offers-p95', kind: 'latency', request: 'offers', percentile: 95, below: '500ms' },
    { name: 'valid-webhooks-rejected', kind: 'journal', figure: 'valid-rejected', partner: 'acme', atMost: 0 },
    { name: 'replays-applied-twice', kind: 'journal', figure: 'idempotency-violations', partner: 'acme', atMost: 0 },
    // server-side: the hub's own count of webhooks it answered 500, over the whole run (a counter: any 500 shows)
    { name: 'server-never-500', kind: 'prometheus', query: 'sum(http_requests_total{route="/webhooks/:partner",code="500"}) or vector(0)', reduce: 'max', atMost: 0 },
  ],
});
