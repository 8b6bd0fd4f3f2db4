// bundled by gameday (esbuild) for k6

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

// httpFlow.ts
var options = { scenarios: { max: { executor: "constant-vus", vus: 20, duration: "6s" } }, discardResponseBodies: true };
function httpFlow_default() {
  httpFlow("http://127.0.0.1:42269", { name: "root", method: "GET", path: "/", weight: 1 }, { request: "root", phase: "steady" });
}
export {
  httpFlow_default as default,
  options
};
