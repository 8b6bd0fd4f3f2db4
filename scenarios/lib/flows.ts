// Request flows run by a k6 VU: plain HTTP with checks, signed webhook delivery (with an
// optional idempotency replay), and a WebSocket session with echoed messages.
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate } from 'k6/metrics';
import { setInterval, clearInterval, setTimeout, clearTimeout } from 'k6/timers';
import { WebSocket } from 'k6/websockets';
import type { K6Request } from './k6-plan.ts';
import { webhookSigner } from './webhook.ts';

/** 1 when a replayed webhook was applied exactly once, 0 when not. */
export const idempotency = new Rate('gameday_idempotent');
/** WebSocket sessions that lost the connection or an echo. */
export const wsDrops = new Counter('gameday_ws_drops');
export const wsMessages = new Counter('gameday_ws_messages');

type Tags = Record<string, string>;

/** Headers every request to a base URL carries (an external endpoint's, e.g. its auth token); none by default. */
const baseHeaders: Record<string, Record<string, string>> = {};
let anyBaseHeaders = false;
export function setBaseHeaders(base: string, headers: Record<string, string>): void {
  baseHeaders[base] = headers;
  anyBaseHeaders ||= Object.keys(headers).length > 0;
}
const headersFor = (base: string, own: Record<string, string>) => (anyBaseHeaders && baseHeaders[base] ? { ...baseHeaders[base], ...own } : own);
const nonEmpty = (h: Record<string, string>) => (Object.keys(h).length ? h : undefined);

// no `headers` key at all when there are none: k6 reads every key it is given
function params(r: K6Request, tags: Tags, headers?: Record<string, string>) {
  return {
    ...(headers ? { headers } : {}),
    tags,
    ...(r.expect ? { responseCallback: http.expectedStatuses(...r.expect) } : {}),
  };
}

function statusOk(r: K6Request, status: number): boolean {
  return r.expect ? r.expect.includes(status) : status >= 200 && status < 400;
}

/** What an HTTP request sends, fixed per request and phase: prepared once per VU, not per iteration. */
interface Prepared {
  body: string | null;
  params: ReturnType<typeof params>;
  checks: Record<string, (res: { status: number }) => boolean> | null;
  tags: Tags;
}
// keyed by the request object: a drill's plan holds each request once; a fresh literal per call is
// simply prepared again (and collected with it)
const prepared = new WeakMap<K6Request, Record<string, Prepared>>();

/** A plain HTTP request's body, parameters and checks for these tags (build it once, send it often). */
function prepareWith(r: K6Request, tags: Tags, base: string): Prepared {
  const body = r.body === undefined ? null : JSON.stringify(r.body);
  return {
    body,
    tags,
    params: params(r, tags, nonEmpty(headersFor(base, body ? { 'content-type': 'application/json' } : {}))),
    // http_req_failed already counts unexpected statuses; a named check only when the request lists them
    checks: r.expect ? { [`${r.name} status expected`]: (x) => statusOk(r, x.status) } : null,
  };
}

function prepare(r: K6Request, phase: string, base: string): Prepared {
  let byPhase = prepared.get(r);
  if (!byPhase) prepared.set(r, (byPhase = {}));
  // per base URL only when some base has headers of its own
  return (byPhase[anyBaseHeaders ? `${base} ${phase}` : phase] ??= prepareWith(r, { request: r.name, phase }, base));
}

/** One HTTP request of `r`: tagged with its name and `phase` (prepared once), or with the tags given. */
export function httpFlow(base: string, r: K6Request, phase: string | Tags): void {
  const p = typeof phase === 'string' ? prepare(r, phase, base) : prepareWith(r, phase, base);
  const res = http.request(r.method, base + r.path, p.body, p.params);
  if (p.checks) check(res, p.checks, p.tags);
}

/**
 * `r` as a plain HTTP request prepared for every base URL and phase name: send(t, k) sends it to
 * bases[t] tagged with phases[k]. What httpFlow does, with nothing left to build or look up per
 * call (the k6 drill entry's hot path: a function call less per request is measurable there).
 */
export function preparedSender(r: K6Request, bases: readonly string[], phases: readonly string[]): (t: number, k: number) => void {
  const urls = bases.map((base) => base + r.path);
  // per base URL and phase: each base may carry headers of its own (an external endpoint's)
  const byBase = bases.map((base) => phases.map((phase) => prepareWith(r, { request: r.name, phase }, base)));
  const method = r.method;
  return (t, k) => {
    const p = byBase[t][k];
    const res = http.request(method, urls[t], p.body, p.params);
    if (p.checks) check(res, p.checks, p.tags);
  };
}

const signers: Record<string, ReturnType<typeof webhookSigner>> = {};

export function webhookFlow(base: string, r: K6Request, tags: Tags): void {
  const w = r.webhook!;
  // a partner rotating its key signs with the previous one until the switch (halfway through the overlap)
  const previous = w.rotation !== undefined && Date.now() < w.rotation.switchAt;
  const signer = previous ? `${r.name}#previous` : r.name;
  signers[signer] ??= webhookSigner(w.scheme, __ENV[previous ? w.rotation!.previousSecretEnv : w.secretEnv] ?? '');
  const id = `msg_${exec.vu.idInTest}_${exec.vu.iterationInScenario}_${Math.floor(Math.random() * 1e9)}`;
  const body = JSON.stringify(r.body ?? { id, type: 'offer.updated', data: { offer: exec.scenario.iterationInTest } });
  const headers = signers[signer](id, Math.floor(Date.now() / 1000), body);
  const first = http.request(r.method, base + r.path, body, params(r, tags, headersFor(base, headers)));
  check(first, { [`${r.name} accepted`]: (x) => statusOk(r, x.status) }, tags);
  if (!w.replay) return;
  // the same delivery again, byte for byte: the SUT must apply it once
  const again = http.request(r.method, base + r.path, body, params(r, { ...tags, replay: 'true' }, headersFor(base, headers)));
  const probe = http.get(base + w.replay.checkPath.replace('{id}', encodeURIComponent(id)), { tags: { ...tags, request: `${r.name}-check` }, responseType: 'text' });
  let applied = -1;
  try {
    applied = Number((JSON.parse(String(probe.body)) as { applied?: number }).applied);
  } catch {
    applied = -1;
  }
  idempotency.add(statusOk(r, again.status) && applied === 1 ? 1 : 0, tags);
  check(applied, { [`${r.name} applied once`]: (n) => n === 1 }, tags);
}

/**
 * One WebSocket session: `messages` sent `interval` apart, each echoed within `echoTimeout`. It
 * ends by `endsAt` (epoch ms; the end of the load) whatever it has left to send: a session never
 * outlives the load, so k6 does not hold the run up to its graceful stop while the last sessions
 * run out. A session ended there is not a drop; the messages it sent before are counted.
 */
export function websocketFlow(base: string, r: K6Request, tags: Tags, endsAt = Infinity): void {
  const flow = r.websocket!;
  const left = endsAt - Date.now();
  if (left <= 0) return;
  const url = base.replace(/^http/, 'ws') + r.path;
  const ws = new WebSocket(url, null, { tags });
  let sent = 0;
  let echoed = 0;
  let dropped = false;
  let ended = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let deadline: ReturnType<typeof setTimeout> | null = null;
  let loadEnd: ReturnType<typeof setTimeout> | null = null;
  const finish = (drop: boolean) => {
    if (timer) clearInterval(timer);
    if (deadline) clearTimeout(deadline);
    if (loadEnd) clearTimeout(loadEnd);
    timer = deadline = loadEnd = null;
    if (drop && !dropped) {
      dropped = true;
      wsDrops.add(1, tags);
    }
    ws.close();
  };
  if (Number.isFinite(left)) {
    loadEnd = setTimeout(() => {
      ended = true;
      finish(false);
    }, left);
  }
  ws.onopen = () => {
    timer = setInterval(() => {
      if (sent >= flow.messages) {
        if (timer) clearInterval(timer);
        timer = null;
        deadline = setTimeout(() => finish(echoed < sent), flow.echoTimeoutMs);
        return;
      }
      ws.send(`${exec.vu.idInTest}:${sent++}`);
    }, flow.intervalMs);
  };
  ws.onmessage = () => {
    echoed++;
    wsMessages.add(1, tags);
    if (echoed >= flow.messages && sent >= flow.messages) finish(false);
  };
  ws.onerror = () => finish(true);
  ws.onclose = () => {
    if (echoed < flow.messages && !dropped && !ended) {
      dropped = true;
      wsDrops.add(1, tags);
    }
    if (timer) clearInterval(timer);
    if (deadline) clearTimeout(deadline);
    if (loadEnd) clearTimeout(loadEnd);
  };
}

/** One iteration of a webhook or WebSocket request; `endsAt` (epoch ms) is when the load ends. */
export function runFlow(base: string, r: K6Request, phase: string, endsAt = Infinity): void {
  if (r.websocket) websocketFlow(base, r, { request: r.name, phase }, endsAt);
  else if (r.webhook) webhookFlow(base, r, { request: r.name, phase });
  else httpFlow(base, r, phase);
}
