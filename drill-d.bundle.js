// bundled by gameday (esbuild) for k6

// <define:__GAMEDAY_PLAN__>
var define_GAMEDAY_PLAN_default = { t0: 0, phases: [{ phase: "steady", startMs: 0, endMs: 1e9 }], targets: ["http://127.0.0.1:40695"], requests: [{ name: "root", method: "GET", path: "/", weight: 1 }], requestSets: [[0]], options: { scenarios: { max: { executor: "constant-vus", vus: 20, duration: "6s" } }, discardResponseBodies: true } };

// scenarios/drill-d.ts
import { sleep } from "k6";

// scenarios/lib/flows.ts
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Rate } from "k6/metrics";
import { setInterval, clearInterval, setTimeout, clearTimeout } from "k6/timers";
import { WebSocket } from "k6/websockets";

// scenarios/lib/webhook.ts
import crypto from "k6/crypto";
import encoding from "k6/encoding";
function standardWebhooksKey(secret) {
  return encoding.b64decode(secret.startsWith("whsec_") ? secret.slice(6) : secret, "std");
}
function standardWebhooksHeaders(key, id, timestampS, body) {
  const signature = crypto.hmac("sha256", key, `${id}.${timestampS}.${body}`, "base64");
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestampS),
    "webhook-signature": `v1,${signature}`
  };
}
function stripeHeaders(secret, timestampS, body) {
  const v1 = crypto.hmac("sha256", secret, `${timestampS}.${body}`, "hex");
  return { "content-type": "application/json", "stripe-signature": `t=${timestampS},v1=${v1}` };
}
function githubHeaders(secret, deliveryId, body) {
  return {
    "content-type": "application/json",
    "x-github-delivery": deliveryId,
    "x-hub-signature-256": `sha256=${crypto.hmac("sha256", secret, body, "hex")}`
  };
}
function webhookSigner(scheme, secret) {
  if (scheme === "stripe") return (_id, ts, body) => stripeHeaders(secret, ts, body);
  if (scheme === "github") return (id, _ts, body) => githubHeaders(secret, id, body);
  const key = standardWebhooksKey(secret);
  return (id, ts, body) => standardWebhooksHeaders(key, id, ts, body);
}

// scenarios/lib/flows.ts
var idempotency = new Rate("gameday_idempotent");
var wsDrops = new Counter("gameday_ws_drops");
var wsMessages = new Counter("gameday_ws_messages");
function params(r, tags, headers = {}) {
  return {
    headers,
    tags,
    ...r.expect ? { responseCallback: http.expectedStatuses(...r.expect) } : {}
  };
}
function statusOk(r, status) {
  return r.expect ? r.expect.includes(status) : status >= 200 && status < 400;
}
function httpFlow(base, r, tags) {
  const body = r.body === void 0 ? null : JSON.stringify(r.body);
  const res = http.request(r.method, base + r.path, body, params(r, tags, body ? { "content-type": "application/json" } : {}));
  if (r.expect) check(res, { [`${r.name} status expected`]: (x) => statusOk(r, x.status) }, tags);
}
var signers = {};
function webhookFlow(base, r, tags) {
  var _a;
  const w = r.webhook;
  signers[_a = r.name] ?? (signers[_a] = webhookSigner(w.scheme, __ENV[w.secretEnv] ?? ""));
  const id = `msg_${exec.vu.idInTest}_${exec.vu.iterationInScenario}_${Math.floor(Math.random() * 1e9)}`;
  const body = JSON.stringify(r.body ?? { id, type: "offer.updated", data: { offer: exec.scenario.iterationInTest } });
  const headers = signers[r.name](id, Math.floor(Date.now() / 1e3), body);
  const first = http.request(r.method, base + r.path, body, params(r, tags, headers));
  check(first, { [`${r.name} accepted`]: (x) => statusOk(r, x.status) }, tags);
  if (!w.replay) return;
  const again = http.request(r.method, base + r.path, body, params(r, { ...tags, replay: "true" }, headers));
  const probe = http.get(base + w.replay.checkPath.replace("{id}", encodeURIComponent(id)), { tags: { ...tags, request: `${r.name}-check` }, responseType: "text" });
  let applied = -1;
  try {
    applied = Number(JSON.parse(String(probe.body)).applied);
  } catch {
    applied = -1;
  }
  idempotency.add(statusOk(r, again.status) && applied === 1 ? 1 : 0, tags);
  check(applied, { [`${r.name} applied once`]: (n) => n === 1 }, tags);
}
function websocketFlow(base, r, tags) {
  const flow = r.websocket;
  const url = base.replace(/^http/, "ws") + r.path;
  const ws = new WebSocket(url, null, { tags });
  let sent = 0;
  let echoed = 0;
  let dropped = false;
  let timer = null;
  let deadline = null;
  const finish = (drop) => {
    if (timer) clearInterval(timer);
    if (deadline) clearTimeout(deadline);
    timer = deadline = null;
    if (drop && !dropped) {
      dropped = true;
      wsDrops.add(1, tags);
    }
    ws.close();
  };
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
    if (echoed < flow.messages && !dropped) {
      dropped = true;
      wsDrops.add(1, tags);
    }
    if (timer) clearInterval(timer);
    if (deadline) clearTimeout(deadline);
  };
}
function runFlow(base, r, tags) {
  if (r.websocket) websocketFlow(base, r, tags);
  else if (r.webhook) webhookFlow(base, r, tags);
  else httpFlow(base, r, tags);
}

// scenarios/drill-d.ts
var plan = typeof define_GAMEDAY_PLAN_default !== "undefined" ? define_GAMEDAY_PLAN_default : JSON.parse(open(__ENV.GAMEDAY_PLAN));
var options = plan.options;
var pickers = plan.requestSets.map((set) => {
  const requests = set.map((i) => plan.requests[i]);
  const total = requests.reduce((sum, r) => sum + r.weight, 0);
  return () => {
    if (requests.length === 1) return requests[0];
    let x = Math.random() * total;
    for (const r of requests) {
      x -= r.weight;
      if (x < 0) return r;
    }
    return requests[requests.length - 1];
  };
});
function setup() {
  if (!plan.t0) return { t0: Date.now() };
  const wait = plan.t0 - Date.now();
  if (wait > 0) sleep(wait / 1e3);
  return { t0: plan.t0 };
}
var next = 0;
function drill_d_default(data) {
  const phase = "steady";
  const r = (pickers[Number(__ENV.GAMEDAY_PROFILE ?? 0)] ?? pickers[0])();
  const base = plan.targets.length === 1 ? plan.targets[0] : plan.targets[next++ % plan.targets.length];
  runFlow(base, r, { request: r.name, phase });
}
export {
  drill_d_default as default,
  options,
  setup
};
