import { httpFlow } from '/work/main/scenarios/index.ts';
export const options = { scenarios: { max: { executor: 'constant-vus', vus: 20, duration: '6s' } }, discardResponseBodies: true };
export default function () { httpFlow('http://127.0.0.1:42269', { name: 'root', method: 'GET', path: '/', weight: 1 } as any, { request: 'root', phase: 'steady' }); }
