// The k6 entry point of a drill. esbuild bundles it (with ./lib) into one script; the
// orchestrator passes the plan as a JSON file (GAMEDAY_PLAN) and the summary path.
//
// Per iteration it does as little as k6 lets it (npm run bench k6-bundle): every request is
// prepared once per VU for every target and phase (its URL, body, parameters and tags, built
// once: a params object built per call costs k6 more than the tags in it), the weighted choice
// and the profile are fixed per activation of the VU, and the phase is looked up again only when
// the clock leaves the current one. Nothing is set on k6's VU-wide tags (writing
// exec.vu.metrics.tags each iteration cost ~20% of the request rate, and they would tag the
// iteration samples too); the phase and request travel as each request's own tags.
import { sleep } from 'k6';
import exec from 'k6/execution';
import { preparedSender, runFlow, setBaseHeaders } from './lib/flows.ts';
import type { K6Plan, K6Request } from './lib/k6-plan.ts';
import { phaseSpan, type PhaseName } from './lib/phase.ts';

// `gameday bundle --target` embeds the plan (esbuild define); `gameday run` passes a file
declare const __GAMEDAY_PLAN__: K6Plan | undefined;
const plan: K6Plan = typeof __GAMEDAY_PLAN__ !== 'undefined' ? __GAMEDAY_PLAN__ : JSON.parse(open(__ENV.GAMEDAY_PLAN));
export const options = plan.options;
// an external endpoint's headers, a token read from the environment k6 runs in
plan.targetHeaders?.forEach((headers, i) => {
  setBaseHeaders(plan.targets[i], Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, 'env' in v ? (__ENV[v.env] ?? '') : v.value])));
});

// the phase names by index; before the first window is the first phase, past the last the last
const phaseNames: PhaseName[] = plan.phases.length ? plan.phases.map((w) => w.phase) : ['steady'];

/** One iteration's work for a request: to target `t` (index into plan.targets) in phase `k`. */
type Send = (t: number, k: number) => void;

// the end of the load, ms after t0: the end of the last phase
const loadMs = plan.phases.length ? plan.phases[plan.phases.length - 1].endMs : Infinity;

function sender(r: K6Request): Send {
  if (r.websocket || r.webhook) return (t, k) => runFlow(plan.targets[t], r, phaseNames[k], t0 + loadMs);
  return preparedSender(r, plan.targets, phaseNames);
}
const senders = plan.requests.map(sender);

/** A weighted choice among a profile's requests, its cumulative weights computed once; null for one request. */
function picker(set: number[]): (() => Send) | null {
  if (set.length === 1) return null;
  const sends = set.map((i) => senders[i]);
  const weights = set.map((i) => plan.requests[i].weight);
  const total = weights.reduce((sum, w) => sum + w, 0);
  return () => {
    let x = Math.random() * total;
    for (let i = 0; i < sends.length; i++) {
      x -= weights[i];
      if (x < 0) return sends[i];
    }
    return sends[sends.length - 1];
  };
}
const pickers = plan.requestSets.map(picker);

/**
 * Holds the start of load until t0, the moment the fault schedule counts from. A standalone
 * bundle (plan.t0 = 0) starts its timeline now. `gameday run` skips it (k6 --no-setup): it hands
 * k6 the setup data itself when every VU is ready (src/k6/control.ts).
 */
export function setup(): { t0: number } {
  if (!plan.t0) return { t0: Date.now() };
  const wait = plan.t0 - Date.now();
  if (wait > 0) sleep(wait / 1000);
  return { t0: plan.t0 };
}

/**
 * `gameday run` writes the plan before t0 is chosen; its absolute moments (a key rotation's
 * switch) were computed from a provisional t0 and move with the real one, once per VU.
 */
function moveTo(t0: number): void {
  const shift = plan.t0 ? t0 - plan.t0 : 0;
  if (shift === 0) return;
  for (const r of plan.requests) if (r.webhook?.rotation) r.webhook.rotation.switchAt += shift;
  plan.t0 = t0;
}

// per VU: t0, and the round-robin over the targets (one per proxied replica), each VU starting at its own offset
let t0 = 0;
let turn = -1;
const targets = plan.targets.length;
// per activation (k6 gives the VU a new __ENV object each time it starts it in a scenario): the
// profile's only request, or its weighted choice
let activeEnv: unknown = null;
let only: Send | null = null;
let pick: (() => Send) | null = null;
// the current phase (index into phaseNames) and the epoch ms it holds for: [phaseFrom, phaseUntil)
let phase = 0;
let phaseFrom = Infinity;
let phaseUntil = -Infinity;

function locatePhase(now: number): void {
  const span = phaseSpan(plan.phases, now - t0);
  phase = span.index;
  phaseFrom = t0 + span.fromMs;
  phaseUntil = t0 + span.untilMs;
}

export default function (data: { t0: number }): void {
  if (__ENV !== activeEnv) {
    activeEnv = __ENV;
    const profile = Number(__ENV.GAMEDAY_PROFILE ?? '0');
    const set = plan.requestSets[profile] ? profile : 0;
    pick = pickers[set];
    only = pick ? null : senders[plan.requestSets[set][0]];
    if (turn < 0) {
      turn = exec.vu.idInTest;
      t0 = data.t0;
      moveTo(t0);
    }
  }
  const now = Date.now();
  if (now < phaseFrom || now >= phaseUntil) locatePhase(now);
  (only ?? pick!())(turn++ % targets, phase);
}

/** gameday keeps k6's summary as evidence; a standalone run prints k6's usual text summary. */
export function handleSummary(data: unknown): Record<string, string> | undefined {
  return __ENV.GAMEDAY_SUMMARY ? { [__ENV.GAMEDAY_SUMMARY]: JSON.stringify(data, null, 2) } : undefined;
}
