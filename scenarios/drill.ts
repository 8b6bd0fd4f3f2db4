// The k6 entry point of a drill. esbuild bundles it (with ./lib) into one script; the
// orchestrator passes the plan as a JSON file (GAMEDAY_PLAN) and the summary path.
import { sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import type { K6Plan, K6Request } from './lib/k6-plan.ts';
import { phaseAt } from './lib/phase.ts';
import { standardWebhooksHeaders, standardWebhooksKey } from './lib/webhook.ts';

const plan: K6Plan = JSON.parse(open(__ENV.GAMEDAY_PLAN));
export const options = plan.options;

const totalWeight = plan.requests.reduce((sum, r) => sum + r.weight, 0);
const keys: Record<string, ArrayBuffer> = {};
for (const r of plan.requests) {
  if (r.webhook) keys[r.name] = standardWebhooksKey(__ENV[r.webhook.secretEnv] ?? '');
}

function pick(): K6Request {
  let x = Math.random() * totalWeight;
  for (const r of plan.requests) {
    x -= r.weight;
    if (x < 0) return r;
  }
  return plan.requests[plan.requests.length - 1];
}

/** Holds the start of load until t0, the moment the fault schedule counts from. */
export function setup(): void {
  const wait = plan.t0 - Date.now();
  if (wait > 0) sleep(wait / 1000);
}

export default function (): void {
  const phase = phaseAt(plan.phases, Date.now() - plan.t0);
  exec.vu.metrics.tags.phase = phase;
  const r = pick();
  const base = plan.targets[exec.scenario.iterationInTest % plan.targets.length];
  const tags = { request: r.name, phase };
  if (r.webhook) {
    const id = `msg_${exec.vu.idInTest}_${exec.vu.iterationInScenario}_${Math.floor(Math.random() * 1e9)}`;
    const body = JSON.stringify(r.body ?? { id, type: 'offer.updated', data: { offer: exec.scenario.iterationInTest } });
    const headers = standardWebhooksHeaders(keys[r.name], id, Math.floor(Date.now() / 1000), body);
    http.request(r.method, base + r.path, body, { headers, tags });
  } else {
    const body = r.body === undefined ? null : JSON.stringify(r.body);
    http.request(r.method, base + r.path, body, { headers: body ? { 'content-type': 'application/json' } : {}, tags });
  }
}

export function handleSummary(data: unknown): Record<string, string> {
  return { [__ENV.GAMEDAY_SUMMARY]: JSON.stringify(data, null, 2) };
}
