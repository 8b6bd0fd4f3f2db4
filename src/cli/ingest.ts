// `gameday ingest <drill> <files...>`: k6 NDJSON produced elsewhere (k6-operator runners, a
// bundled drill run with plain k6) judged against the drill's SLOs. Only what samples can show is
// judged here: request SLOs and burn; SLOs that need the run's faults, journal or SUT metrics get
// "no evidence" — the decision says so rather than passing them.
import fs from 'node:fs';
import path from 'node:path';
import { EXIT_CODES } from '../judge/decide.ts';
import { judge } from '../judge/judge.ts';
import { loadPolicy } from '../judge/policy.ts';
import { loadDrill } from '../schema/load.ts';
import { decisionsFile, writeVerdictEvidence } from '../evidence/run-evidence.ts';
import { MetricsAggregator } from '../metrics/aggregate.ts';
import { IngestError, ingestFile } from '../metrics/ingest.ts';
import { planDrill } from '../plan/plan.ts';
import { newRunId } from '../platform/run-id.ts';
import { sloThresholds } from '../judge/evaluate.ts';
import { printDecision } from './print.ts';

export async function ingestCommand(drillFile: string, files: string[], o: { out?: string; policy?: string }): Promise<number> {
  const { drill, file } = await loadDrill(drillFile);
  const policy = o.policy ? loadPolicy(o.policy) : undefined;
  const plan = planDrill(drill);
  const thresholds = sloThresholds(drill.slos);
  const merged = new MetricsAggregator({ thresholds });
  const perFile: Array<{ file: string; lines: number; corrupt: number; truncated: boolean }> = [];
  for (const f of files) {
    let agg: MetricsAggregator;
    try {
      agg = await ingestFile(f, new MetricsAggregator({ thresholds }));
    } catch (err) {
      if (err instanceof IngestError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
        process.stderr.write(`gameday ingest: ${err instanceof IngestError ? err.message : `${f}: no such file`}\n`);
        return EXIT_CODES.INVALID_DRILL;
      }
      throw err;
    }
    perFile.push({ file: f, lines: agg.stats.lines, corrupt: agg.stats.corrupt, truncated: agg.stats.truncated });
    merged.merge(agg);
  }
  const problems = perFile.filter((f) => f.truncated).map((f) => ({ code: 'samples-truncated', message: `${f.file} ends mid-line: that runner was cut off` }));
  // the same judge as a run; what only a run can observe (faults, journal, SUT metrics) is absent: those SLOs say no-evidence
  const { verdicts, decision } = judge(
    { metrics: merged, t0: merged.stats.firstSampleMs ?? 0, phases: plan.phases, timeScale: plan.timeScale, profiles: [], durationMs: plan.totalMs, faults: {}, journal: null, sideEffects: null, chaosFigures: {}, series: {}, problems },
    drill,
    { policy, now: new Date() },
  );
  const runId = `${newRunId()}-ingest`;
  const outDir = path.resolve(o.out ?? path.join('reports', drill.app, runId));
  fs.mkdirSync(outDir, { recursive: true });
  writeVerdictEvidence(
    outDir,
    {
      runId,
      drill: drill.name,
      source: { kind: 'ingest', drillFile: path.relative(process.cwd(), file), files: perFile },
      timeScale: plan.timeScale,
      phases: plan.phases,
      samples: { ...merged.stats, requests: merged.count('http_reqs') },
      k6: null,
      verdicts,
    },
    decisionsFile(runId, drill, decision),
  );
  process.stdout.write(printDecision(drill.name, decision));
  process.stdout.write(`results: ${path.relative(process.cwd(), outDir) || '.'}\n`);
  return decision.exitCode;
}
