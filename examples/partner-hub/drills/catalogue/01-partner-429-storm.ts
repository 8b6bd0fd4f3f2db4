// Partner 429 storm (APP2, March 2024). A spike of inbound webhooks and offer lookups while the
// partner API degrades: first 503s (the hub must back off with full jitter), then a storm of 429
// with Retry-After (the hub must hold back until it ends), then the partner stops answering
// altogether (the circuit breaker must serve the cached offers at once, not make every user wait
// for the timeouts). Then the partner comes back. The seeds spike to 300 rps; 40 rps here, for
// two cores. Full length 280 s; `--time-scale 0.1` runs it in 28 s.
//
// Catches: no-backoff and no-jitter (backoff-jitter), ignore-retry-after (retry-after-honoured),
// no-circuit-breaker (offers-p75-during-partner-outage).
//
// The partner's outage is the drill's fault window: from its first 503 (40 s) until it answers
// again (220 s) the route is unhealthy, so the timeline is steady → fault ("partner:acme GET
// /offers") → recovery, and the SLOs are held to those phases like any injected fault's.
import { defineDrill } from 'gameday';

export default defineDrill({
  name: 'partner-429-storm',
  app: 'APP2',
  description: 'Spike through a partner outage: 503s, a 429 storm with Retry-After, then the partner down; backoff, Retry-After and the circuit breaker judged',
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
      { name: 'offers', path: '/offers', weight: 1, expect: [200] },
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 3, webhook: { partner: 'acme' } },
    ],
    profiles: [
      { profile: 'baseline', rate: 10, duration: '40s' },
      // 40 s → 160 s: 503s from 40 s, the 429 storm from 100 s
      { profile: 'spike', baseRate: 10, peakRate: 40, warmup: '10s', rampUp: '10s', hold: '80s', rampDown: '10s', recovery: '10s', preAllocatedVUs: 20 },
      // 160 s → 220 s: the partner down; offer lookups only, each one the breaker must answer from the cache
      { profile: 'baseline', rate: 10, duration: '60s', requests: ['offers'] },
      // 220 s → 280 s: the partner back
      { profile: 'baseline', rate: 10, duration: '60s' },
    ],
  },
  partners: [
    {
      name: 'acme',
      webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu',
      routes: [
        {
          method: 'GET',
          path: '/offers',
          behaviours: [
            { at: '0s', status: 200, latency: '10ms' },
            // each call fails once with a 503 (no Retry-After), then succeeds: the retry waits on the backoff
            { at: '40s', kind: 'sequence', scope: 'call', steps: [503, 200], latency: '5ms' },
            // the storm: 429 with Retry-After on every request
            { at: '100s', status: 429, retryAfter: 1, latency: '5ms' },
            // the partner stops answering
            { at: '160s', kind: 'hang' },
            { at: '220s', status: 200, latency: '10ms' },
          ],
        },
      ],
    },
  ],
  slos: [
    // the hub's declared retry policy (lib/partner-client.mjs): 50 ms base, 400 ms cap, full jitter, 4 attempts
    { name: 'backoff-compliance', kind: 'journal', figure: 'backoff-compliance', partner: 'acme', atLeast: '99%', backoff: { base: '50ms', cap: '400ms', jitter: 'full', maxAttempts: 4 } },
    { name: 'backoff-jitter', kind: 'journal', figure: 'backoff-jitter', partner: 'acme', atLeast: 1, backoff: { base: '50ms', cap: '400ms', jitter: 'full', maxAttempts: 4 } },
    { name: 'retry-after-honoured', kind: 'journal', figure: 'retry-after-honoured', partner: 'acme', atLeast: '99%' },
    // the fault phase is the partner's outage: 503s, the 429 storm, then no answer at all
    { name: 'offers-errors-during-partner-outage', kind: 'error-rate', request: 'offers', phase: 'fault', below: '2%' },
    { name: 'webhook-errors-during-partner-outage', kind: 'error-rate', request: 'webhook', phase: 'fault', below: '2%' },
    // the breaker answers from the cache at once; without it every lookup while the partner hangs
    // waits out the 900 ms call budget (those are over a third of the outage's lookups)
    { name: 'offers-p75-during-partner-outage', kind: 'latency', request: 'offers', phase: 'fault', percentile: 75, below: '450ms' },
    { name: 'webhook-acceptance-p95-steady', kind: 'latency', request: 'webhook', phase: 'steady', percentile: 95, below: '1500ms' },
    { name: 'webhook-acceptance-p95-recovery', kind: 'latency', request: 'webhook', phase: 'recovery', percentile: 95, below: '1500ms' },
    { name: 'offers-p95-steady', kind: 'latency', request: 'offers', phase: 'steady', percentile: 95, below: '500ms' },
    // once the partner answers again, lookups are back under 500 ms within 10 s and stay there
    { name: 'offers-back-after-partner-outage', kind: 'recovery-time', fault: 'partner:acme GET /offers', request: 'offers', sli: { metric: 'latency', percentile: 95, below: '500ms' }, within: '10s', hold: '5s' },
  ],
});
