// A hand-authored scenario using the library: a spike on GET /offers with checks and
// thresholds. `gameday bundle scenarios/examples/offers-spike.ts -o spike.js` then
// `BASE_URL=http://127.0.0.1:8080 k6 run spike.js`.
import { httpFlow, spike, toScenarios } from '../index.ts';

const BASE_URL = __ENV.BASE_URL ?? 'http://127.0.0.1:8080';
const scale = Number(__ENV.TIME_SCALE ?? 1);
const s = (ms: number) => Math.round(ms * scale);

export const options = {
  scenarios: toScenarios([
    spike({ baseRate: 20, peakRate: 300, warmupMs: s(30_000), rampUpMs: s(10_000), holdMs: s(60_000), rampDownMs: s(10_000), recoveryMs: s(30_000) }),
  ]),
  thresholds: {
    'http_req_duration{request:offers}': ['p(95)<1500'],
    'http_req_failed{request:offers}': ['rate<0.02'],
  },
};

export default function (): void {
  httpFlow(BASE_URL, { name: 'offers', method: 'GET', path: '/offers', weight: 1, expect: [200] }, { request: 'offers' });
}
