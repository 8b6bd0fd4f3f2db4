// AZ outage (APP1, 2024): availability zone a is lost under load — every replica in it killed at
// once — and comes back. Two replicas in zones a and b behind nginx: the load balancer takes the
// dead zone out and retries idempotent requests on the other, so availability over the drill stays
// at 99.9% or better (the seeds: 99.96% during the replay), and the error rate is back under 1% per
// second right after the zone returns. Full length 300 s; `--time-scale 0.1` runs it in 30 s.
//
// Catches: single-zone (every replica in zone a: losing the zone loses the service).
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'az-outage',
  app: 'APP1',
  description: 'Zone a killed under load behind nginx: availability at least 99.9% over the drill, recovery after the zone returns',
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: { PARTNER_URL: '{{partners.acme.url}}', WEBHOOK_SECRETS: '{{webhookSecrets}}' },
    },
    loadBalancer: { kind: 'nginx' },
  },
  load: {
    requests: [
      // quote lookups (most of the traffic) are idempotent: nginx retries them on the other zone;
      // a webhook already sent to the dead zone is not replayed, so each kill may cost one
      { name: 'offers', path: '/offers', weight: 19, expect: [200] },
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 1, webhook: { partner: 'acme' } },
    ],
    profiles: [{ profile: 'baseline', rate: 60, duration: '300s', preAllocatedVUs: 30 }],
  },
  partners: [
    {
      name: 'acme',
      webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu',
      routes: [{ method: 'GET', path: '/offers', behaviours: [{ at: '0s', status: 200, latency: '10ms' }] }],
    },
  ],
  faults: [{ name: 'zone-a-lost', driver: 'process', action: 'az-failure', target: 'partner-hub', zone: 'a', at: '100s', duration: '120s' }],
  slos: [
    { name: 'availability', kind: 'availability', objective: '99.9%' },
    { name: 'availability-during-outage', kind: 'availability', phase: 'fault', objective: '99.5%' },
    { name: 'recovery-after-zone-returns', kind: 'recovery-time', fault: 'zone-a-lost', sli: { metric: 'error-rate', below: '1%' }, within: '5s', hold: '3s' },
    { name: 'offers-p95', kind: 'latency', request: 'offers', percentile: 95, below: '500ms' },
  ],
});
