// The k6 entry point of a drill. esbuild bundles it (with ./lib) into one script; the
// orchestrator passes the plan as a JSON file (GAMEDAY_PLAN) and the summary path.
//
// Per iteration it does as little as k6 lets it (npm run bench k6-bundle): the weighted choice,
// the round-robin over targets and every request's parameters are prepared once per VU; nothing
// is set on k6's VU-wide tags (writing exec.vu.metrics.tags each iteration cost ~20% of the
// request rate), the phase and request travel as each request's own tags.
import { sleep } from 'k6';
import exec from 'k6/execution';
import { runFlow, setBaseHeaders } from './lib/flows.ts';
import type { K6Plan, K6Request } from './lib/k6-plan.ts';
import { phaseAt } from './lib/phase.ts';

// `gameday bundle --target` embeds the plan (esbuild define); `gameday run` passes a file
declare const __GAMEDAY_PLAN__: K6Plan | undefined;
const plan: K6Plan = typeof __GAMEDAY_PLAN__ !== 'undefined' ? __GAMEDAY_PLAN__ : JSON.parse(open(__ENV.GAMEDAY_PLAN));
export const options = plan.options;
// an external endpoint's headers, a token read from the environment k6 runs in
plan.targetHeaders?.forEach((headers, i) => {
  setBaseHeaders(plan.targets[i], Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, 'env' in v ? (__ENV[v.env] ?? '') : v.value])));
});

/** A weighted choice among a profile's requests, its cumulative weights computed once. */
function picker(set: number[]): () => K6Request {
  const requests = set.map((i) => plan.requests[i]);
  if (requests.length === 1) return () => requests[0];
  const total = requests.reduce((sum, r) => sum + r.weight, 0);
  return () => {
    let x = Math.random() * total;
    for (const r of requests) {
      x -= r.weight;
      if (x < 0) return r;
    }
    return requests[requests.length - 1];
  };
}
const pickers = plan.requestSets.map(picker);
const profilePicker = new Map<string, () => K6Request>();

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

// round-robin over the targets (one per proxied replica), each VU starting at its own offset
let turn = -1;

export default function (data: { t0: number }): void {
  const phase = phaseAt(plan.phases, Date.now() - data.t0);
  const profile = __ENV.GAMEDAY_PROFILE ?? '0';
  let pick = profilePicker.get(profile);
  if (!pick) profilePicker.set(profile, (pick = pickers[Number(profile)] ?? pickers[0]));
  const r = pick();
  if (turn < 0) turn = exec.vu.idInTest;
  const base = plan.targets[turn++ % plan.targets.length];
  runFlow(base, r, phase);
}

/** gameday keeps k6's summary as evidence; a standalone run prints k6's usual text summary. */
export function handleSummary(data: unknown): Record<string, string> | undefined {
  return __ENV.GAMEDAY_SUMMARY ? { [__ENV.GAMEDAY_SUMMARY]: JSON.stringify(data, null, 2) } : undefined;
}
