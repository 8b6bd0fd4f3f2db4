// bundled by gameday (esbuild) for k6

// requestNoHeaders.ts
import http from "k6/http";
var options = { scenarios: { max: { executor: "constant-vus", vus: 20, duration: "6s" } }, discardResponseBodies: true };
function requestNoHeaders_default() {
  http.request("GET", "http://127.0.0.1:36179/", null, { tags: { request: "root", phase: "steady" } });
}
export {
  requestNoHeaders_default as default,
  options
};
