// The k6 entry point of a drill. esbuild bundles it (with ./lib) into one script; the
// orchestrator passes the plan as a JSON file (GAMEDAY_PLAN) and the summary path.
import { sleep } from 'k6';
import exec from 'k6/execution';
import { runFlow } from './lib/flows.ts';
import type { K6Plan, K6Request } from './lib/k6-plan.ts';
import { phaseAt } from './lib/phase.ts';

// `gameday bundle --target` embeds the plan (esbuild define); `gameday run` passes a file
declare const __GAMEDAY_PLAN__: K6Plan | undefined;
const plan: K6Plan = typeof __GAMEDAY_PLAN__ !== 'undefined' ? __GAMEDAY_PLAN__ : JSON.parse(open(__ENV.GAMEDAY_PLAN));
export const options = plan.options;

function pick(set: number[]): K6Request {
  const requests = set.map((i) => plan.requests[i]);
  const total = requests.reduce((sum, r) => sum + r.weight, 0);
  let x = Math.random() * total;
  for (const r of requests) {
    x -= r.weight;
    if (x < 0) return r;
  }
  return requests[requests.length - 1];
}

/**
 * Holds the start of load until t0, the moment the fault schedule counts from. A standalone
 * bundle (plan.t0 = 0) starts its timeline now.
 */
export function setup(): { t0: number } {
  if (!plan.t0) return { t0: Date.now() };
  const wait = plan.t0 - Date.now();
  if (wait > 0) sleep(wait / 1000);
  return { t0: plan.t0 };
}

export default function (data: { t0: number }): void {
  const phase = phaseAt(plan.phases, Date.now() - data.t0);
  exec.vu.metrics.tags.phase = phase;
  const r = pick(plan.requestSets[Number(__ENV.GAMEDAY_PROFILE ?? 0)] ?? plan.requestSets[0]);
  const base = plan.targets[exec.scenario.iterationInTest % plan.targets.length];
  runFlow(base, r, { request: r.name, phase });
}

/** gameday keeps k6's summary as evidence; a standalone run prints k6's usual text summary. */
export function handleSummary(data: unknown): Record<string, string> | undefined {
  return __ENV.GAMEDAY_SUMMARY ? { [__ENV.GAMEDAY_SUMMARY]: JSON.stringify(data, null, 2) } : undefined;
}
