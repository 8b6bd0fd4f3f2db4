// bundled by gameday (esbuild) for k6

// vuTags.ts
import http from "k6/http";
import exec from "k6/execution";
var options = { scenarios: { max: { executor: "constant-vus", vus: 20, duration: "6s" } }, discardResponseBodies: true };
function vuTags_default() {
  exec.vu.metrics.tags.request = "root";
  exec.vu.metrics.tags.phase = "steady";
  http.get("http://127.0.0.1:42269/");
}
export {
  vuTags_default as default,
  options
};
