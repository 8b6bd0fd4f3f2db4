import http from 'k6/http';
export const options = { scenarios: { max: { executor: 'constant-vus', vus: 20, duration: '6s' } }, discardResponseBodies: true };
export default function () { http.request('GET', 'http://127.0.0.1:36179/', null, { headers: {}, tags: { request: 'root', phase: 'steady' } }); }
