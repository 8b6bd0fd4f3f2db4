// Credential-stuffing wave (APP1, December 2023): a burst of login attempts with leaked
// passwords from a few sources, on top of ordinary traffic. The hub must refuse the attacker
// (429 from its per-client token bucket) while the legitimate traffic keeps its latency.
// The hub's own telemetry judges it too: gameday runs a Prometheus scraping both replicas, and by
// the end of the run the hub's hub_login_total must count at least half of the logins as limited.
// Full length 200 s; `--time-scale 0.1` runs it in 20 s.
//
// Catches: no-rate-limit (attacker-refused-with-429, and server-limited-logins from the hub's own counters).
//
// The attacker's requests count as "expected" only when refused with 429, so the error rate of
// request `stuffing` is the share of attempts that reached the password check: the bucket (5/s,
// burst 10, per replica) lets about a quarter through at 50 attempts/s; without rate limiting,
// all of them. Every load request comes from 127.0.0.1 (one "source" per replica's bucket):
// legitimate users here are the offers and webhook traffic, not logins.
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'credential-stuffing',
  app: 'APP1',
  description: 'A login flood with leaked passwords from few sources: the attacker rate-limited with 429 while legitimate traffic keeps its p95',
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
      // a leaked user name with wrong passwords
      { name: 'stuffing', method: 'POST', path: '/login', body: { username: 'alice', password: 'hunter2' }, expect: [429] },
    ],
    profiles: [
      { profile: 'baseline', at: '0s', rate: 10, duration: '200s', requests: ['offers', 'webhook'] },
      // the wave: up to 50 attempts/s, 40 s to 140 s
      { profile: 'spike', at: '30s', baseRate: 1, peakRate: 50, warmup: '10s', rampUp: '10s', hold: '80s', rampDown: '10s', recovery: '10s', preAllocatedVUs: 20, requests: ['stuffing'] },
    ],
  },
  partners: [
    {
      name: 'acme',
      webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu',
      routes: [{ method: 'GET', path: '/offers', behaviours: [{ at: '0s', status: 200, latency: '10ms' }] }],
    },
  ],
  // a Prometheus gameday starts for the run, scraping every replica's /metrics every second
  telemetry: { prometheus: { managed: true } },
  slos: [
    // at least half of the attacker's attempts refused with 429 (error = any other answer)
    { name: 'attacker-refused-with-429', kind: 'error-rate', request: 'stuffing', below: '50%' },
    { name: 'offers-p95', kind: 'latency', request: 'offers', percentile: 95, below: '500ms' },
    { name: 'webhook-acceptance-p95', kind: 'latency', request: 'webhook', percentile: 95, below: '1500ms' },
    { name: 'offers-errors', kind: 'error-rate', request: 'offers', below: '1%' },
    { name: 'webhook-errors', kind: 'error-rate', request: 'webhook', below: '1%' },
    // server-side: the share of login attempts the hub itself counted as rate-limited, at the end of the run
    { name: 'server-limited-logins', kind: 'prometheus', query: 'sum(hub_login_total{outcome="limited"}) / sum(hub_login_total)', reduce: 'last', atLeast: 0.5 },
  ],
});
