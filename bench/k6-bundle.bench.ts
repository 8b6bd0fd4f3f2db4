// Requests per second that real k6 reaches against a trivial loopback endpoint: the bundled
// drill entry (scenarios/drill.ts with an embedded plan, exactly what `gameday run` runs) vs
// hand-written k6 scripts, minimal and with the same tags, same VUs and duration, in one run.
// Goals (issue 13): >= 0.95x the same-tag script, >= 0.9x the minimal one.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from '../src/platform/toolchain.mjs';
import { bundleScenario, DRILL_SCENARIO } from '../src/k6/bundle.ts';
import { freePort, waitHealthy } from '../src/platform/processes.ts';

const VUS = Number(process.env.BENCH_VUS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-bench-k6-'));
const k6 = requireTool('k6').path;
const port = await freePort();
// the endpoint runs in its own process so that it does not share this event loop
const server = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
const url = `http://127.0.0.1:${port}/`;

const options = `{ scenarios: { max: { executor: 'constant-vus', vus: ${VUS}, duration: '${SECONDS}s' } }, discardResponseBodies: true }`;
const handWritten = path.join(dir, 'hand.js');
fs.writeFileSync(handWritten, `import http from 'k6/http';\nexport const options = ${options};\nexport default function () { http.get('${url}'); }\n`);
// the same request with the tags gameday's verdicts need (phase, request): what the tags cost, apart from the library
const handTagged = path.join(dir, 'hand-tagged.js');
fs.writeFileSync(handTagged, `import http from 'k6/http';\nexport const options = ${options};\nexport default function () { http.get('${url}', { tags: { request: 'root', phase: 'steady' } }); }\n`);
// the drill entry itself, bundled as `gameday bundle` does, its plan embedded
const bundled = path.join(dir, 'gameday.js');
const plan = {
  t0: 0,
  phases: [{ phase: 'steady', startMs: 0, endMs: 1e12 }],
  targets: [`http://127.0.0.1:${port}`],
  requests: [{ name: 'root', method: 'GET', path: '/', weight: 1 }],
  requestSets: [[0]],
  options: { scenarios: { max: { executor: 'constant-vus', vus: VUS, duration: `${SECONDS}s` } }, discardResponseBodies: true },
};
await bundleScenario(DRILL_SCENARIO, bundled, { __GAMEDAY_PLAN__: plan });

function rps(script: string): number {
  const summary = path.join(dir, 'summary.json');
  const r = spawnSync(k6, ['run', '--quiet', '--no-usage-report', '--summary-export', summary, script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`k6 failed: ${r.stderr}`);
  return JSON.parse(fs.readFileSync(summary, 'utf8')).metrics.http_reqs.rate;
}

try {
  await waitHealthy(url, 5000);
  const hand: number[] = [];
  const tagged: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // rotate the order so that drift of the machine does not favour one side
    const runs: Array<[number[], string]> = [
      [hand, handWritten],
      [tagged, handTagged],
      [ours, bundled],
    ];
    for (let j = 0; j < runs.length; j++) {
      const [into, script] = runs[(i + j) % runs.length];
      into.push(rps(script));
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`k6 ${VUS} VUs x ${SECONDS} s, ${ROUNDS} rounds each, against ${url}`);
  console.log(`  hand-written minimal script : ${mean(hand).toFixed(0)} req/s  (${hand.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  hand-written, phase/request tags: ${mean(tagged).toFixed(0)} req/s  (${tagged.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  bundled gameday drill entry : ${mean(ours).toFixed(0)} req/s  (${ours.map((x) => x.toFixed(0)).join(', ')})`);
  const ratio = mean(ours) / mean(hand);
  const sameTags = mean(ours) / mean(tagged);
  console.log(`  ratio gameday / hand-written minimal: ${ratio.toFixed(3)}  (goal >= 0.9: ${ratio >= 0.9 ? 'met' : 'not met'})`);
  console.log(`  ratio gameday / hand-written with the same tags: ${sameTags.toFixed(3)}  (goal >= 0.95: ${sameTags >= 0.95 ? 'met' : 'not met'}; the library's own cost, the rest is k6's price for tagged samples)`);
} finally {
  server.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
}
