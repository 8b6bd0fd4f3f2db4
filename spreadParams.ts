import http from 'k6/http';
export const options = { scenarios: { max: { executor: 'constant-vus', vus: 20, duration: '6s' } }, discardResponseBodies: true };
const r = { expect: undefined };
function params(tags, headers = {}) { return { headers, tags, ...(r.expect ? { x: 1 } : {}) }; }
export default function () { http.request('GET', 'http://127.0.0.1:42269/', null, params({ request: 'root', phase: 'steady' })); }
