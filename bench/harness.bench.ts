// Harness overhead per drill: the drill's scheduled time (its load, time-scaled) against the wall
// time of the whole run — start the environment, simulators, k6, faults, stop everything, judge,
// write and seal the evidence. The difference is what gameday itself costs, and the run's own task
// timings say where it goes. Goal (issue 13): ≤ 3 s per drill.
//   npm run bench harness               every drill of the catalogue at time-scale 0.1
//   BENCH_DRILLS=01,02 BENCH_TIME_SCALE=0.2 npm run bench harness
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDrill } from '../src/schema/load.ts';
import { planDrill } from '../src/plan/plan.ts';
import { runDrill } from '../src/run/run-drill.ts';

const CATALOGUE = path.resolve('examples/partner-hub/drills/catalogue');
const scale = Number(process.env.BENCH_TIME_SCALE ?? 0.1);
const only = (process.env.BENCH_DRILLS ?? '').split(',').filter(Boolean);
const files = fs
  .readdirSync(CATALOGUE)
  .filter((f) => /\.(ts|ya?ml)$/.test(f))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-bench-harness-'));
const load = os.loadavg()[0];
console.log(`harness overhead — ${files.length} drill(s) at time-scale ${scale}, node ${process.version}, ${os.cpus().length} CPU(s), load average ${load.toFixed(2)}`);
console.log('');
console.log('drill | decision | scheduled s | wall s | overhead s | before t0 s | after the schedule s | goal ≤ 3 s | slowest steps (s)');
console.log('--- | --- | --- | --- | --- | --- | --- | --- | ---');
const overheads: number[] = [];
try {
  for (const f of files) {
    const loaded = await loadDrill(path.join(CATALOGUE, f));
    const plan = planDrill(loaded.drill, scale);
    const started = Date.now();
    const outDir = path.join(out, loaded.drill.name);
    const result = await runDrill(loaded, { timeScale: scale, outDir, reportsRoot: out, progress: false, log: () => {} });
    const ended = Date.now();
    const wall = (ended - started) / 1000;
    const scheduled = plan.totalMs / 1000;
    const overhead = wall - scheduled;
    overheads.push(overhead);
    // the overhead in two: starting up to t = 0 (k6 initialising its VUs included), and from the
    // scheduled end to the sealed bundle (k6's graceful stop included)
    const t0 = Date.parse((JSON.parse(fs.readFileSync(path.join(outDir, 'chaos_report.json'), 'utf8')) as { t0: string }).t0);
    const before = (t0 - started) / 1000;
    const after = (ended - t0) / 1000 - scheduled;
    // where it went: every setup and teardown but waiting for the load itself, slowest first
    const steps = result.timings
      .filter((t) => t.title !== 'load runs to its end')
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 4)
      .map((t) => `${t.step === 'teardown' ? '↩ ' : ''}${t.title} ${(t.ms / 1000).toFixed(1)}`)
      .join('; ');
    console.log(`${loaded.drill.name} | ${result.decision.decision} | ${scheduled.toFixed(1)} | ${wall.toFixed(1)} | ${overhead.toFixed(1)} | ${before.toFixed(1)} | ${after.toFixed(1)} | ${overhead <= 3 ? 'met' : 'not met'} | ${steps}`);
  }
  const worst = Math.max(...overheads);
  const mean = overheads.reduce((a, b) => a + b, 0) / overheads.length;
  console.log('');
  console.log(`overhead: mean ${mean.toFixed(1)} s, worst ${worst.toFixed(1)} s (goal ≤ 3 s per drill: ${worst <= 3 ? 'met' : 'not met'}); load average now ${os.loadavg()[0].toFixed(2)}`);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
