import http from 'k6/http';
import exec from 'k6/execution';
export const options = { scenarios: { max: { executor: 'constant-vus', vus: 20, duration: '6s' } }, discardResponseBodies: true };
const p = { headers: {} };
export default function () { exec.vu.metrics.tags.request = 'root'; exec.vu.metrics.tags.phase = 'steady'; http.request('GET', 'http://127.0.0.1:42269/', null, p); }
