// Signed webhook deliveries with an idempotency replay: each delivery is sent twice and the
// SUT must apply it once. WEBHOOK_SECRET=whsec_... BASE_URL=... k6 run webhooks.js
import { baseline, toScenarios, webhookFlow } from '../index.ts';

const BASE_URL = __ENV.BASE_URL ?? 'http://127.0.0.1:8080';
const PARTNER = __ENV.PARTNER ?? 'acme';

export const options = {
  scenarios: toScenarios([baseline({ rate: Number(__ENV.RATE ?? 10), durationMs: Number(__ENV.DURATION_MS ?? 30_000) })]),
  thresholds: {
    gameday_idempotent: ['rate>0.99'],
    'http_req_failed{request:webhook}': ['rate<0.01'],
  },
};

export default function (): void {
  webhookFlow(
    BASE_URL,
    {
      name: 'webhook',
      method: 'POST',
      path: `/webhooks/${PARTNER}`,
      weight: 1,
      webhook: { partner: PARTNER, scheme: 'standard-webhooks', secretEnv: 'WEBHOOK_SECRET', replay: { checkPath: `/webhooks/${PARTNER}/{id}` } },
    },
    { request: 'webhook' },
  );
}
