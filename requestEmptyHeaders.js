// bundled by gameday (esbuild) for k6

// requestEmptyHeaders.ts
import http from "k6/http";
var options = { scenarios: { max: { executor: "constant-vus", vus: 20, duration: "6s" } }, discardResponseBodies: true };
function requestEmptyHeaders_default() {
  http.request("GET", "http://127.0.0.1:36179/", null, { headers: {}, tags: { request: "root", phase: "steady" } });
}
export {
  requestEmptyHeaders_default as default,
  options
};
