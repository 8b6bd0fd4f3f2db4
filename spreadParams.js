// bundled by gameday (esbuild) for k6

// spreadParams.ts
import http from "k6/http";
var options = { scenarios: { max: { executor: "constant-vus", vus: 20, duration: "6s" } }, discardResponseBodies: true };
var r = { expect: void 0 };
function params(tags, headers = {}) {
  return { headers, tags, ...r.expect ? { x: 1 } : {} };
}
function spreadParams_default() {
  http.request("GET", "http://127.0.0.1:42269/", null, params({ request: "root", phase: "steady" }));
}
export {
  spreadParams_default as default,
  options
};
