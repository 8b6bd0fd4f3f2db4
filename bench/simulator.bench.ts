// Benchmark: the partner simulator serving a plain 200 vs a minimal node:http server returning
// the same 200, and msw's getResponse over node:http for reference — driven by real k6 with the
// same settings for each: a constant arrival rate (2,000 req/s for 10 s) and a max-throughput
// run (closed model, fixed VUs), plain and simulator twice each in mirrored order. Prints figures
// and ratios; asserts nothing.
//
//   npx tsx bench/simulator.bench.ts            (about 80 s; BENCH_RATE, BENCH_RATE_SECONDS, BENCH_MAX_SECONDS, BENCH_MAX_VUS)
//
// Goal: simulator ≥ 0.8× plain node:http in max throughput; added p99 < 1 ms at 2,000 req/s.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { getResponse } from 'msw';
import { requireTool } from '../src/platform/toolchain.mjs';
import { scalePartner } from '../src/plan/plan.ts';
import { Partner } from '../src/schema/partner.ts';
import { DEFAULT_BODY } from '../simulators/decide.ts';
import { openJournal } from '../simulators/journal.ts';
import { partnerHandlers } from '../simulators/msw.ts';
import { startPartnerServer } from '../simulators/partner-server.ts';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 8);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 5);
const MAX_VUS = Number(process.env.BENCH_MAX_VUS ?? 32);

interface Target {
  name: string;
  url: string;
  close: () => Promise<void>;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
  dropped: number;
  requests: number;
  /** CPU time of this process (where the server runs) per request, µs */
  cpuUs: number;
}

/**
 * On a machine with 2+ CPUs and taskset, the servers (this process, every thread) run on CPU 0
 * and k6 on CPU 1, so that the load generator does not take the servers' CPU (BENCH_PIN=0: off).
 */
function pin(): boolean {
  if (process.env.BENCH_PIN === '0' || os.cpus().length < 2) return false;
  return spawnSync('taskset', ['-a', '-pc', '0', String(process.pid)], { stdio: 'ignore' }).status === 0;
}
const PINNED = pin();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-bench-'));

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function closer(server: http.Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

async function plainNode(): Promise<Target> {
  const body = Buffer.from(DEFAULT_BODY);
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
  server.keepAliveTimeout = 5000;
  return { name: 'plain node:http', url: await listen(server), close: closer(server) };
}

const PARTNER = scalePartner(Partner.parse({ name: 'bench', behaviours: [{ status: 200 }] }), 1);

async function simulator(): Promise<Target> {
  const journal = openJournal(path.join(tmp, 'journal.ndjson'));
  const server = await startPartnerServer(PARTNER, journal);
  server.startTimeline(Date.now());
  return {
    name: 'simulator (journaled)',
    url: server.url,
    close: async () => {
      await server.close();
      await journal.close();
    },
  };
}

/** The same simulator with a journal that keeps nothing: what journaling costs. */
async function simulatorWithoutJournal(): Promise<Target> {
  const server = await startPartnerServer(PARTNER, { record: () => {}, close: async () => {}, count: 0 });
  server.startTimeline(Date.now());
  return { name: 'simulator (no journal)', url: server.url, close: () => server.close() };
}

/** msw's getResponse behind node:http: IncomingMessage → Fetch Request → handlers → Response → socket. */
async function mswOverNode(): Promise<Target> {
  let handlers: ReturnType<typeof partnerHandlers> = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const request = new Request(`${base}${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([k, v]) => (v === undefined ? [] : Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v] as [string, string]])),
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const response = await getResponse(handlers, request);
    if (!response) return void res.writeHead(404).end();
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  server.keepAliveTimeout = 5000;
  const base = await listen(server);
  handlers = partnerHandlers(PARTNER, { baseUrl: base });
  return { name: 'msw getResponse over node:http', url: base, close: closer(server) };
}

const SCRIPT = `
import http from 'k6/http';
export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'p(50)', 'p(99)', 'max'],
  scenarios: __ENV.MODE === 'rate'
    ? { load: { executor: 'constant-arrival-rate', rate: Number(__ENV.RATE), timeUnit: '1s', duration: __ENV.DURATION, preAllocatedVUs: 60, maxVUs: 300 } }
    : { load: { executor: 'constant-vus', vus: Number(__ENV.VUS), duration: __ENV.DURATION } },
};
export default function () {
  http.get(__ENV.TARGET + '/offers');
}
export function handleSummary(data) {
  return { [__ENV.OUT]: JSON.stringify(data) };
}
`;

async function k6(target: Target, mode: 'rate' | 'max'): Promise<Figures> {
  const k6Bin = requireTool('k6').path;
  const script = path.join(tmp, 'bench.js');
  fs.writeFileSync(script, SCRIPT);
  const out = path.join(tmp, `summary-${mode}-${target.name.replace(/\W+/g, '-')}.json`);
  const env = ['-e', `TARGET=${target.url}`, '-e', `MODE=${mode}`, '-e', `OUT=${out}`, '-e', `RATE=${RATE}`, '-e', `VUS=${MAX_VUS}`, '-e', `DURATION=${mode === 'rate' ? RATE_SECONDS : MAX_SECONDS}s`];
  const argv = [k6Bin, 'run', '--quiet', '--no-color', '--no-usage-report', ...env, script];
  const child = PINNED ? spawn('taskset', ['-c', '1', ...argv], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += c));
  const cpu = process.cpuUsage();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const used = process.cpuUsage(cpu);
  if (!fs.existsSync(out)) throw new Error(`k6 exited ${code} without a summary:\n${stderr.slice(-2000)}`);
  const m = JSON.parse(fs.readFileSync(out, 'utf8')).metrics;
  return {
    rps: m.http_reqs.values.rate,
    p50: m.http_req_duration.values['p(50)'],
    p99: m.http_req_duration.values['p(99)'],
    max: m.http_req_duration.values.max,
    failed: m.http_req_failed?.values.rate ?? 0,
    dropped: m.dropped_iterations?.values.count ?? 0,
    requests: m.http_reqs.values.count,
    cpuUs: (used.user + used.system) / Math.max(1, m.http_reqs.values.count),
  };
}

/** A bounded keep-alive warm-up (JIT, sockets) before k6 measures. */
async function warmUp(url: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      http.get(`${url}/offers`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
  const deadline = Date.now() + 3000;
  for (let i = 0; i < 250 && Date.now() < deadline; i++) await Promise.all(Array.from({ length: 8 }, one));
  agent.destroy();
}

const fmt = (n: number, d = 0) => n.toFixed(d).padStart(9);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  const started = Date.now();
  const k6Tool = requireTool('k6');
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`gameday simulator bench — k6 ${k6Tool.version}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg()[0].toFixed(2)}`);
  out(`arrival rate ${RATE}/s for ${RATE_SECONDS} s; max throughput ${MAX_VUS} VUs for ${MAX_SECONDS} s; plain and simulator twice each (plain, simulator, msw, simulator without journal, simulator, plain)`);
  out(PINNED ? 'servers pinned to CPU 0, k6 to CPU 1 (taskset); other processes on the machine still compete' : 'k6 and the servers share every CPU (not pinned)');
  const targets = [await plainNode(), await simulator(), await mswOverNode(), await simulatorWithoutJournal()];
  const [plain, sim, msw, bare] = targets;
  try {
    for (const t of targets) await warmUp(t.url);
    // plain and simulator twice, in mirrored order, so that a change of load on the machine touches both alike
    const order = [plain, sim, msw, bare, sim, plain];
    const rate = new Map<Target, Figures[]>(targets.map((t) => [t, []]));
    for (const t of order) {
      rate.get(t)!.push(await k6(t, 'rate'));
      out(`  measured ${t.name} at ${RATE}/s`);
    }
    const max = new Map<Target, Figures[]>(targets.map((t) => [t, []]));
    for (const t of order) {
      max.get(t)!.push(await k6(t, 'max'));
      out(`  measured ${t.name} at max throughput`);
    }
    const avg = (m: Map<Target, Figures[]>, t: Target, f: (x: Figures) => number) => mean(m.get(t)!.map(f));

    out();
    out(`${'target (mean of rounds)'.padEnd(32)}  ${'req/s'.padStart(9)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'dropped'.padStart(9)} ${'CPU µs/r'.padStart(9)} | ${'max req/s'.padStart(9)} ${'p99 ms'.padStart(9)} ${'CPU µs/r'.padStart(9)} ${'failed'.padStart(7)}`);
    for (const t of targets) {
      out(
        `${t.name.padEnd(32)}  ${fmt(avg(rate, t, (x) => x.rps))} ${fmt(avg(rate, t, (x) => x.p50), 3)} ${fmt(avg(rate, t, (x) => x.p99), 3)} ${fmt(avg(rate, t, (x) => x.dropped))} ${fmt(avg(rate, t, (x) => x.cpuUs), 1)} | ${fmt(avg(max, t, (x) => x.rps))} ${fmt(avg(max, t, (x) => x.p99), 3)} ${fmt(avg(max, t, (x) => x.cpuUs), 1)} ${(avg(max, t, (x) => x.failed) * 100).toFixed(2).padStart(6)}%`,
      );
    }
    const rounds = (m: Map<Target, Figures[]>, t: Target, f: (x: Figures) => number, d = 0) => m.get(t)!.map((x) => f(x).toFixed(d)).join(', ');
    out(`rounds: p99 at ${RATE}/s (ms): plain ${rounds(rate, plain, (x) => x.p99, 3)}; simulator ${rounds(rate, sim, (x) => x.p99, 3)}`);
    out(`rounds: max throughput (req/s): plain ${rounds(max, plain, (x) => x.rps)}; simulator ${rounds(max, sim, (x) => x.rps)}`);
    const ratio = avg(max, sim, (x) => x.rps) / avg(max, plain, (x) => x.rps);
    const cpuRatio = avg(max, plain, (x) => x.cpuUs) / avg(max, sim, (x) => x.cpuUs);
    const addedP99 = avg(rate, sim, (x) => x.p99) - avg(rate, plain, (x) => x.p99);
    const addedP50 = avg(rate, sim, (x) => x.p50) - avg(rate, plain, (x) => x.p50);
    out();
    out(`simulator / plain node:http, max throughput: ${ratio.toFixed(3)}×   (goal ≥ 0.8×: ${ratio >= 0.8 ? 'met' : 'NOT met'})`);
    out(`simulator / plain node:http, requests per CPU second: ${cpuRatio.toFixed(3)}×   (the same comparison, less sensitive to other load on the machine)`);
    out(`simulator added latency at ${RATE} req/s: p50 ${addedP50.toFixed(3)} ms, p99 ${addedP99.toFixed(3)} ms   (goal p99 < 1 ms: ${addedP99 < 1 ? 'met' : 'NOT met'})`);
    out(`msw getResponse / plain node:http: max throughput ${(avg(max, msw, (x) => x.rps) / avg(max, plain, (x) => x.rps)).toFixed(3)}×, added p99 at ${RATE} req/s ${(avg(rate, msw, (x) => x.p99) - avg(rate, plain, (x) => x.p99)).toFixed(3)} ms`);
    out(`simulator / msw getResponse, max throughput: ${(avg(max, sim, (x) => x.rps) / avg(max, msw, (x) => x.rps)).toFixed(2)}×`);
    out(`load average now ${os.loadavg()[0].toFixed(2)}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    for (const t of targets) await t.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
