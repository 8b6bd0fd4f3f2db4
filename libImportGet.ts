import { httpFlow } from '/work/main/scenarios/index.ts';
import http from 'k6/http';
export const options = { scenarios: { max: { executor: 'constant-vus', vus: 20, duration: '6s' } }, discardResponseBodies: true };
const x = httpFlow;
export default function () { http.get('http://127.0.0.1:36179/', { tags: { request: 'root', phase: 'steady' } }); }
