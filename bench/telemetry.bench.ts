// What the managed Prometheus costs a drill: each catalogue drill that asks for one
// (`telemetry.prometheus: { managed: true }`) run with it and without it (the same drill minus its
// telemetry and its kind: prometheus SLOs), one after the other, and the run's own timings of the
// telemetry task (start, wait for every replica scraped; at the end wait for the last scrape, ask,
// stop). Printed per drill and round; the difference of wall times is what the demo pays.
//   npm run bench telemetry                                   time-scale 0.2 (the demo's), 1 round
//   BENCH_ROUNDS=3 BENCH_TIME_SCALE=0.1 npm run bench telemetry
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDrill, type LoadedDrill } from '../src/schema/load.ts';
import { runDrill } from '../src/run/run-drill.ts';

const CATALOGUE = path.resolve('examples/partner-hub/drills/catalogue');
const scale = Number(process.env.BENCH_TIME_SCALE ?? 0.2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const drills: LoadedDrill[] = [];
for (const f of fs.readdirSync(CATALOGUE).filter((x) => /\.(ts|ya?ml)$/.test(x)).sort()) {
  const loaded = await loadDrill(path.join(CATALOGUE, f));
  const spec = loaded.drill.telemetry?.prometheus;
  if (spec && 'managed' in spec) drills.push(loaded);
}
const without = (l: LoadedDrill): LoadedDrill => ({ ...l, drill: { ...l.drill, telemetry: undefined, slos: l.drill.slos.filter((s) => s.kind !== 'prometheus') } });

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-bench-telemetry-'));
console.log(`managed Prometheus cost — ${drills.map((d) => d.drill.name).join(', ')} at time-scale ${scale}, ${rounds} round(s), ${os.cpus().length} CPU(s), load average ${os.loadavg()[0].toFixed(2)}`);
console.log('');
console.log('drill | round | wall without s | wall with s | added s | telemetry start s | ask + stop s | decision with');
console.log('--- | --- | --- | --- | --- | --- | --- | ---');
const added: number[] = [];
try {
  let n = 0;
  for (let round = 1; round <= rounds; round++) {
    for (const loaded of drills) {
      const run = async (l: LoadedDrill) => {
        const started = performance.now();
        const result = await runDrill(l, { timeScale: scale, outDir: path.join(out, `${n++}`), reportsRoot: out, progress: false, log: () => {} });
        return { wall: (performance.now() - started) / 1000, result };
      };
      const a = await run(without(loaded));
      const b = await run(loaded);
      const step = (title: string) => (b.result.timings.find((t) => t.title === title)?.ms ?? 0) / 1000;
      added.push(b.wall - a.wall);
      console.log(`${loaded.drill.name} | ${round} | ${a.wall.toFixed(1)} | ${b.wall.toFixed(1)} | ${(b.wall - a.wall).toFixed(1)} | ${step('telemetry (Prometheus)').toFixed(1)} | ${step('ask Prometheus and stop it').toFixed(1)} | ${b.result.decision.decision}`);
    }
  }
  const sorted = [...added].sort((x, y) => x - y);
  console.log('');
  console.log(`added by the managed Prometheus: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} s, max ${sorted.at(-1)!.toFixed(1)} s per drill; load average now ${os.loadavg()[0].toFixed(2)}`);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
