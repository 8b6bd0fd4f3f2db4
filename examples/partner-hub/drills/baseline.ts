// Baseline drill of the partner hub (APP2): steady load, then the link to the hub slows
// down (Toxiproxy latency) while the partner API answers 429 with Retry-After — the March
// 2024 rate-limit storm — then both recover. Full length 60 s; `--time-scale 0.3` runs it in 18 s.
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'partner-hub-baseline',
  app: 'APP2',
  description: 'Partner hub under constant load through a latency fault and a partner 429 storm',
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: {
        PARTNER_URL: '{{partners.acme.url}}',
        WEBHOOK_SECRETS: '{{webhookSecrets}}',
      },
      healthPath: '/healthz',
    },
  },
  load: {
    profiles: [{ profile: 'baseline', rate: 40, duration: '60s', preAllocatedVUs: 30 }],
    requests: [
      { name: 'offers', method: 'GET', path: '/offers', weight: 3 },
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 1, webhook: { partner: 'acme' } },
    ],
  },
  partners: [
    {
      name: 'acme',
      // a demo secret for the embedded demo; real drills use "env:ACME_WEBHOOK_SECRET"
      webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu',
      behaviours: [
        { at: '0s', status: 200, latency: '20ms' },
        { at: '20s', status: 429, retryAfter: 1 },
        { at: '40s', status: 200, latency: '20ms' },
      ],
    },
  ],
  // the partner's own webhook sender: mostly valid deliveries, some forged, some replayed
  senders: [
    {
      name: 'acme-webhooks',
      partner: 'acme',
      path: '/webhooks/acme',
      at: '5s',
      duration: '50s',
      rate: 4,
      mix: { valid: 6, 'wrong-secret': 1, 'tampered-body': 1, 'stale-timestamp': 1, 'replayed-id': 1 },
      appliedPath: '/webhooks/acme/{id}',
    },
  ],
  faults: [{ name: 'hub-latency', driver: 'toxiproxy', action: 'latency', target: 'partner-hub', at: '20s', duration: '20s', latency: '300ms', jitter: '0ms' }],
  slos: [
    { name: 'offers-p95-steady', kind: 'latency', request: 'offers', phase: 'steady', percentile: 95, below: '250ms' },
    { name: 'webhook-acceptance-p95-steady', kind: 'latency', request: 'webhook', phase: 'steady', percentile: 95, below: '1500ms' },
    { name: 'errors-during-fault', kind: 'error-rate', phase: 'fault', below: '2%' },
    { name: 'errors-in-recovery', kind: 'error-rate', phase: 'recovery', below: '1%' },
    { name: 'offers-p95-fault', kind: 'latency', request: 'offers', phase: 'fault', percentile: 95, below: '1000ms', severity: 'advisory' },
    // back to a p95 under 250 ms within 10 s of the revert, and staying there for 3 s
    { name: 'recovery-after-latency', kind: 'recovery-time', fault: 'hub-latency', sli: { metric: 'latency', percentile: 95, below: '250ms' }, within: '10s', hold: '3s' },
    { name: 'error-budget', kind: 'error-budget-burn', objective: '99.5%', maxBurn: '50%' },
    { name: 'retry-after-honoured', kind: 'journal', figure: 'retry-after-honoured', partner: 'acme', atLeast: '99%' },
    { name: 'forged-webhooks-accepted', kind: 'journal', figure: 'forged-accepted', partner: 'acme', atMost: 0 },
    { name: 'valid-webhooks-rejected', kind: 'journal', figure: 'valid-rejected', partner: 'acme', atMost: 0 },
    { name: 'replays-applied-twice', kind: 'journal', figure: 'idempotency-violations', partner: 'acme', atMost: 0 },
  ],
});
