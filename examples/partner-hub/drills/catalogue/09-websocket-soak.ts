// Soak with WebSockets (PromoterOS: "1k WebSocket soak, 60 min, connections stable"). Long
// constant load of offers and webhooks while WebSocket clients hold echo sessions open the whole
// time; the last tenth of the soak must look like the first (no latency or error drift). Scaled
// for two cores: 30 concurrent WebSocket sessions, 25 rps. Full length 300 s; `--time-scale 0.1`
// runs it in 30 s (the first and last tenths are then 3 s each, so the drift objective leaves
// room for the noise of a p95 over a hundred requests).
//
// A guard of the matrix: no defect switch of the demo hub is a slow regression (a leak, a drift)
// or about WebSockets; the healthy hub must pass it.
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'websocket-soak',
  app: 'APP2',
  description: 'Constant load with WebSocket sessions held open: no latency or error drift between the first and last tenth',
  target: {
    kind: 'process',
    service: {
      name: 'partner-hub',
      command: ['node', '../../server.mjs'],
      replicas: 2,
      zones: ['a', 'b'],
      env: { PARTNER_URL: '{{partners.acme.url}}', WEBHOOK_SECRETS: '{{webhookSecrets}}' },
    },
  },
  load: {
    requests: [
      { name: 'offers', path: '/offers', weight: 3, expect: [200] },
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 1, webhook: { partner: 'acme' } },
      { name: 'ws', path: '/ws', websocket: { messages: 8, interval: '1s', echoTimeout: '2s' } },
    ],
    profiles: [
      { profile: 'soak', at: '0s', rate: 25, duration: '300s', preAllocatedVUs: 20, requests: ['offers', 'webhook'] },
      { profile: 'vu-ramp', at: '0s', stages: [{ duration: '20s', target: 30 }, { duration: '260s', target: 30 }, { duration: '20s', target: 0 }], requests: ['ws'] },
    ],
  },
  partners: [
    {
      name: 'acme',
      webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu',
      routes: [{ method: 'GET', path: '/offers', behaviours: [{ at: '0s', status: 200, latency: { dist: 'lognormal', p50: '15ms', p99: '60ms', max: '200ms' } }] }],
    },
  ],
  slos: [
    { name: 'p95-drift', kind: 'drift', metric: 'latency-p95', atMost: '100%' },
    { name: 'error-rate-drift', kind: 'drift', metric: 'error-rate', atMost: '1%' },
    { name: 'offers-p95', kind: 'latency', request: 'offers', percentile: 95, below: '500ms' },
    { name: 'webhook-acceptance-p95', kind: 'latency', request: 'webhook', percentile: 95, below: '1500ms' },
    { name: 'errors', kind: 'error-rate', below: '1%' },
  ],
});
