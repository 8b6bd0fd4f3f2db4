// Restart loop (APP1, August 2024 pricing restart loop): one replica killed again and again under
// load (SIGKILL, restarted 5 s later as a deployment would) while the other carries on.
// Behind nginx, no kill may burn more error budget than allowed, the error rate must be back
// under 1% per second within seconds of each restart, and the partner's webhook sender — retrying
// what failed — must see every valid delivery accepted and nothing applied twice.
// Full length 280 s; `--time-scale 0.1` runs it in 28 s.
//
// Catches: ack-before-persist (accepted-never-applied: a delivery acknowledged with 200 and lost
// with the killed replica's memory; the sender will never send it again).
import { defineDrill } from 'gameday';

// killed at `at`, restarted when the fault ends 5 s later: recovery is measured from the restart
const kill = (name: string, replica: number, at: string) => ({ name, driver: 'process' as const, action: 'pod-kill' as const, target: 'partner-hub', replica, at, duration: '5s' });

export default defineDrill({
  name: 'restart-loop',
  app: 'APP1',
  description: 'Replicas SIGKILLed and restarted again and again behind nginx: error budget kept, recovery after each kill, no webhook lost or applied twice',
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
      { name: 'offers', path: '/offers', weight: 9, expect: [200] },
      { name: 'webhook', method: 'POST', path: '/webhooks/acme', weight: 1, webhook: { partner: 'acme' } },
    ],
    profiles: [{ profile: 'baseline', rate: 40, duration: '280s', preAllocatedVUs: 30 }],
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
      duration: '260s',
      rate: 5,
      mix: { valid: 9, 'replayed-id': 1 },
      retry: { maxAttempts: 6, base: '200ms', cap: '2s' },
      appliedPath: '/webhooks/acme/{id}',
    },
  ],
  faults: [kill('kill-1', 0, '40s'), kill('kill-2', 0, '90s'), kill('kill-3', 0, '140s'), kill('kill-4', 0, '190s')],
  slos: [
    // 99.5% availability over the drill, at most half of that budget burnt by the kills
    { name: 'error-budget', kind: 'error-budget-burn', objective: '99.5%', maxBurn: '50%' },
    ...['kill-1', 'kill-2', 'kill-3', 'kill-4'].map((fault) => ({
      name: `recovery-after-${fault}`,
      kind: 'recovery-time' as const,
      fault,
      sli: { metric: 'error-rate' as const, below: '1%' },
      within: '3s',
      hold: '2s',
    })),
    { name: 'valid-webhooks-rejected', kind: 'journal', figure: 'valid-rejected', partner: 'acme', atMost: 0 },
    { name: 'replays-applied-twice', kind: 'journal', figure: 'idempotency-violations', partner: 'acme', atMost: 0 },
    // acknowledged (2xx) and then lost with the killed replica: the sender will never deliver it again
    { name: 'accepted-never-applied', kind: 'journal', figure: 'accepted-not-applied', partner: 'acme', atMost: 0 },
    { name: 'offers-p95', kind: 'latency', request: 'offers', percentile: 95, below: '500ms' },
  ],
});
