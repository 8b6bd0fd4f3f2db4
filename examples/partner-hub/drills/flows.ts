// Load shapes and request flows of the scenario library against the partner hub: a spike
// (the seeds spike to 300 rps; 60 rps here for two cores) of offers and signed webhooks —
// each webhook delivered twice to prove idempotency — while WebSocket clients hold
// connections open through a VU ramp. Full length 60 s.
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'partner-hub-flows',
  app: 'APP2',
  description: 'Spike of offers and replayed signed webhooks, with WebSocket sessions held in parallel',
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: { PARTNER_URL: '{{partners.acme.url}}', WEBHOOK_SECRETS: '{{webhookSecrets}}' },
    },
  },
  load: {
    requests: [
      { name: 'offers', method: 'GET', path: '/offers', weight: 3, expect: [200] },
      {
        name: 'webhook',
        method: 'POST',
        path: '/webhooks/acme',
        weight: 1,
        webhook: { partner: 'acme', scheme: 'standard-webhooks', replay: { checkPath: '/webhooks/acme/{id}' } },
      },
      { name: 'ws', path: '/ws', websocket: { messages: 5, interval: '1s', echoTimeout: '2s' } },
    ],
    profiles: [
      { profile: 'spike', baseRate: 10, peakRate: 60, warmup: '15s', rampUp: '5s', hold: '15s', rampDown: '5s', recovery: '20s', requests: ['offers', 'webhook'] },
      { profile: 'vu-ramp', at: '0s', stages: [{ duration: '10s', target: 10 }, { duration: '40s', target: 10 }, { duration: '10s', target: 0 }], requests: ['ws'] },
    ],
  },
  partners: [
    {
      name: 'acme',
      webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu',
      behaviours: [{ at: '0s', status: 200, latency: '10ms' }],
    },
  ],
  slos: [
    { name: 'offers-p95', kind: 'latency', request: 'offers', percentile: 95, below: '500ms' },
    { name: 'webhook-p95', kind: 'latency', request: 'webhook', percentile: 95, below: '500ms' },
    { name: 'errors', kind: 'error-rate', below: '1%' },
  ],
});
