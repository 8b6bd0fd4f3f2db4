// Guard reaction time: from the moment a guard's threshold is crossed to every fault reverted and
// verified, over 10 trips. The drill is test/fixtures/guard-trip.yaml (the service's proxy
// taken down under 30 req/s, an error-rate guard over a 1-s window above 50%) with the fault at
// 3 s and a grace period of 1 s, so the crossing comes after the grace; the crossing is replayed
// from each run's own k6 samples with the guard's window (src/judge/guard.ts). Goal (issue 12):
// ≤ 1.5 s plus the grace period.
//   npm run bench guards            BENCH_TRIPS=3 npm run bench guards
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { firstErrorRateCrossing } from '../src/judge/guard.ts';
import { runDrill } from '../src/run/run-drill.ts';
import { loadDrill } from '../src/schema/load.ts';
import { fixture, readSamples } from '../test/helpers.ts';

const TRIPS = Number(process.env.BENCH_TRIPS ?? 10);
const GRACE_MS = 1000;
const GOAL_MS = 1500;

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-bench-guards-'));
const source = fixture('guard-trip.yaml');
const raw = parse(fs.readFileSync(source, 'utf8'));
raw.name = 'bench-guards';
raw.target.service.command = raw.target.service.command.map((a: string) => (a.startsWith('.') ? path.resolve(path.dirname(source), a) : a));
raw.load.profiles[0].duration = '10s';
raw.faults[0] = { ...raw.faults[0], at: '3s', duration: '5s' };
raw.guards[0].gracePeriod = `${GRACE_MS}ms`;
const file = path.join(out, 'bench-guards.yaml');
fs.writeFileSync(file, stringify(raw));

console.log(`guard reaction time — ${TRIPS} trips of ${path.relative(process.cwd(), source)} (fault at 3 s, grace ${GRACE_MS / 1000} s), node ${process.version}, ${os.cpus().length} CPU(s), load average ${os.loadavg()[0].toFixed(2)}`);
console.log('');
console.log('trip | crossed (+s) | guard read (+s) | all reverted (+s) | reaction s | detect s | revert s');
console.log('--- | --- | --- | --- | --- | --- | ---');
const reactions: number[] = [];
try {
  const loaded = await loadDrill(file);
  const window = loaded.drill.guards[0].window;
  if (window?.metric !== 'error-rate') throw new Error('the bench drill needs an error-rate window guard');
  for (let i = 1; i <= TRIPS; i++) {
    const runDir = path.join(out, `run-${i}`);
    const result = await runDrill(loaded, { outDir: runDir, reportsRoot: out, progress: false, log: () => {} });
    const chaos = JSON.parse(fs.readFileSync(path.join(runDir, 'chaos_report.json'), 'utf8'));
    const trip = chaos.guardTrip;
    if (!trip || trip.revertedAtMs === null) throw new Error(`run ${i}: the guard did not trip or a revert failed (${result.decision.reasons[0]})`);
    const t0 = Date.parse(chaos.t0);
    const failed = readSamples(path.join(runDir, 'k6_samples.ndjson.gz'))
      .filter((s) => s.metric === 'http_req_failed')
      .map((s) => ({ timeMs: Date.parse(s.time), failed: s.value !== 0 }));
    const crossed = firstErrorRateCrossing(window, failed);
    if (crossed === null) throw new Error(`run ${i}: the samples never cross the threshold, yet the guard tripped`);
    const crossedMs = crossed - t0;
    const reaction = trip.revertedAtMs - crossedMs;
    reactions.push(reaction);
    const s = (ms: number) => (ms / 1000).toFixed(3);
    console.log(`${i} | ${s(crossedMs)} | ${s(trip.atMs)} | ${s(trip.revertedAtMs)} | ${s(reaction)} | ${s(trip.atMs - crossedMs)} | ${s(trip.revertedAtMs - trip.atMs)}`);
  }
  const sorted = [...reactions].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const max = sorted.at(-1)!;
  const goal = GOAL_MS + GRACE_MS;
  console.log('');
  console.log(`reaction (threshold crossed → every fault reverted): median ${(median / 1000).toFixed(3)} s, max ${(max / 1000).toFixed(3)} s over ${reactions.length} trips; goal ≤ 1.5 s + grace (${GRACE_MS / 1000} s) = ${goal / 1000} s: ${max <= goal ? 'met' : 'not met'} (≤ 1.5 s alone: ${max <= GOAL_MS ? 'met' : 'not met'}); load average now ${os.loadavg()[0].toFixed(2)}`);
  if (max > goal) process.exitCode = 1;
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
