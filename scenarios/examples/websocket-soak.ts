// WebSocket soak: N connections held open, messages echoed, drops counted. The seeds hold
// 1k connections for 60 min; VUS and DURATION_MS scale it down.
import { toScenarios, vuRamp, websocketFlow } from '../index.ts';

const BASE_URL = __ENV.BASE_URL ?? 'http://127.0.0.1:8080';
const VUS = Number(__ENV.VUS ?? 1000);
const DURATION_MS = Number(__ENV.DURATION_MS ?? 3_600_000);

export const options = {
  scenarios: toScenarios([
    vuRamp({ stages: [{ durationMs: Math.min(60_000, DURATION_MS / 10), target: VUS }, { durationMs: DURATION_MS, target: VUS }, { durationMs: 5_000, target: 0 }] }),
  ]),
  thresholds: { gameday_ws_drops: ['count<1'] },
};

export default function (): void {
  websocketFlow(BASE_URL, { name: 'ws', method: 'GET', path: '/ws', weight: 1, websocket: { messages: 10, intervalMs: 1000, echoTimeoutMs: 2000 } }, { request: 'ws' });
}
