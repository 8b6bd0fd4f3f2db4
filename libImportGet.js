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

// libImportGet.ts
import http2 from "k6/http";
var options = { scenarios: { max: { executor: "constant-vus", vus: 20, duration: "6s" } }, discardResponseBodies: true };
function libImportGet_default() {
  http2.get("http://127.0.0.1:36179/", { tags: { request: "root", phase: "steady" } });
}
export {
  libImportGet_default as default,
  options
};
