// Requests per second that real k6 reaches against a trivial loopback endpoint: the bundled
// drill entry (scenarios/drill.ts with an embedded plan, exactly what `gameday run` runs) vs
// hand-written k6 scripts, minimal and with the same tags, same VUs and duration, side by side
// in one run: several rounds in rotating order, medians. Besides req/s (which a busy shared
// machine moves by tens of percent from one run to the next) it measures the k6 process's own CPU
// time per request (user + sys, from the shell's `times`): what the script costs k6, steadier.
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

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

interface Measure {
  rps: number;
  /** k6's CPU time (user + sys) per request, µs */
  cpuUs: number;
}

function measure(script: string): Measure {
  const summary = path.join(dir, 'summary.json');
  // the shell reports its children's CPU time: k6's own
  const r = spawnSync('sh', ['-c', '"$0" "$@" >/dev/null; s=$?; times; exit $s', k6, 'run', '--quiet', '--no-usage-report', '--summary-export', summary, script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`k6 failed: ${r.stderr}`);
  const children = r.stdout.trim().split('\n').pop() ?? '';
  const [user, sys] = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const reqs = JSON.parse(fs.readFileSync(summary, 'utf8')).metrics.http_reqs as { rate: number; count: number };
  return { rps: reqs.rate, cpuUs: ((user + sys) * 1e6) / reqs.count };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

try {
  await waitHealthy(url, 5000);
  const hand: Measure[] = [];
  const tagged: Measure[] = [];
  const ours: Measure[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // rotate the order so that drift of the machine does not favour one side
    const runs: Array<[Measure[], string]> = [
      [hand, handWritten],
      [tagged, handTagged],
      [ours, bundled],
    ];
    for (let j = 0; j < runs.length; j++) {
      const [into, script] = runs[(i + j) % runs.length];
      into.push(measure(script));
    }
  }
  const rps = (xs: Measure[]) => median(xs.map((x) => x.rps));
  const cpu = (xs: Measure[]) => median(xs.map((x) => x.cpuUs));
  const line = (name: string, xs: Measure[]) =>
    `  ${name.padEnd(36)}: ${rps(xs).toFixed(0)} req/s (${xs.map((x) => x.rps.toFixed(0)).join(', ')}); k6 CPU ${cpu(xs).toFixed(1)} µs/request (${xs.map((x) => x.cpuUs.toFixed(1)).join(', ')})`;
  console.log(`k6 ${VUS} VUs x ${SECONDS} s, ${ROUNDS} rounds each, medians, against ${url}; load average ${os.loadavg()[0].toFixed(2)}`);
  console.log(line('hand-written minimal script', hand));
  console.log(line('hand-written, phase/request tags', tagged));
  console.log(line('bundled gameday drill entry', ours));
  const verdict = (x: number, goal: number) => `goal >= ${goal}: ${x >= goal ? 'met' : 'not met'}`;
  const minimal = rps(ours) / rps(hand);
  const sameTags = rps(ours) / rps(tagged);
  console.log(`  req/s ratio gameday / hand-written minimal:         ${minimal.toFixed(3)}  (${verdict(minimal, 0.9)})`);
  console.log(`  req/s ratio gameday / hand-written with the same tags: ${sameTags.toFixed(3)}  (${verdict(sameTags, 0.95)})`);
  // CPU per request the other way round: the hand-written script's cost over ours is our speed relative to it
  const cpuMinimal = cpu(hand) / cpu(ours);
  const cpuSameTags = cpu(tagged) / cpu(ours);
  console.log(`  k6 CPU ratio (hand-written minimal / gameday):      ${cpuMinimal.toFixed(3)}  (${verdict(cpuMinimal, 0.9)})`);
  console.log(`  k6 CPU ratio (hand-written same tags / gameday):    ${cpuSameTags.toFixed(3)}  (${verdict(cpuSameTags, 0.95)})`);
  console.log(`  load average now ${os.loadavg()[0].toFixed(2)} (req/s on a busy shared machine moves by tens of percent between rounds: read the spread)`);
} finally {
  server.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
}
