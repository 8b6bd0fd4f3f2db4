// The end of a run, whatever happened during it: what was observed written as evidence, the
// secret scan, the verdicts and the decision (one pure judge), the judged evidence, the seal.
import fs from 'node:fs';
import path from 'node:path';
import { readBaselineRuns } from '../evidence/baseline-runs.ts';
import { writeJudgedEvidence, writeObservedEvidence, type ChaosReport } from '../evidence/run-evidence.ts';
import { partnerOutageRecords } from '../evidence/partner-outage-records.ts';
import { sealRun } from '../evidence/seal.ts';
import { scrubSecrets } from '../evidence/secrets.ts';
import type { DecisionRecord } from '../judge/decide.ts';
import { timelineFaultTimes } from '../judge/evaluate.ts';
import { judge, type Observations } from '../judge/judge.ts';
import { segmentFiles } from '../k6/segments.ts';
import { GAMEDAY_VERSION } from '../platform/run-id.ts';
import type { RunContext } from './context.ts';
import type { TaskTiming } from './tasks.ts';

export interface RunResult {
  runId: string;
  runDir: string;
  decision: DecisionRecord;
  /** the signed evidence_bundle_<app>.zip */
  bundle: string;
  /** the drill's timeline after time-scaling, ms */
  scheduledMs: number;
  startedAt: string;
  endedAt: string;
  /** how long each task's setup and teardown took (the harness benchmark reads it) */
  timings: TaskTiming[];
}

export async function concludeRun(ctx: RunContext, timings: TaskTiming[]): Promise<RunResult> {
  const began = performance.now();
  const { drill, plan, runDir, runId, opts, loaded } = ctx;
  // evidence of what was observed, whatever happened above
  const { env, t0, metrics } = ctx;
  const chaos: ChaosReport = {
    runId,
    toxiproxy: env ? { url: env.toxiproxy.apiUrl, version: env.toxiproxyVersion, source: env.toxiproxySource } : null,
    t0: t0 === null ? null : new Date(t0).toISOString(),
    faults: ctx.faults.records,
    partnerOutages: partnerOutageRecords(plan.partnerOutages, t0),
    environment: env?.chaosEvidence() ?? null,
    fis: ctx.fis?.evidence() ?? null,
    sweptBeforeRun: ctx.sweep,
    guardTrip: ctx.guardTrip,
  };
  const segments = segmentFiles(opts.segments ?? 1);
  writeObservedEvidence(
    runDir,
    chaos,
    segments.map((s) => s.summary),
    ctx.k6Outcome?.message ?? 'k6 did not run',
  );
  // a secret in any artifact makes the evidence unshippable: the run is invalid
  const scan = await scrubSecrets(runDir, [...Object.values(ctx.secrets), ...Object.values(ctx.rotations).map((r) => r.previousSecret), ...ctx.headerSecrets]);
  for (const f of scan.findings) ctx.problem('secret-in-evidence', `a secret (${f.form}) appears in ${f.file}`);
  if (ctx.segmentMetrics[0] !== metrics) for (const m of ctx.segmentMetrics) metrics.merge(m);
  if (metrics.stats.truncated) ctx.log('warning: the k6 output ended mid-line: k6 was cut off; the evidence says so (samples.truncated)');

  const reportsRoot = path.resolve(opts.reportsRoot ?? 'reports');
  const baseline = opts.policy ? readBaselineRuns(path.join(reportsRoot, drill.app), drill.name, { limit: opts.policy.baseline.runs, excludeRunId: runId }) : null;
  for (const s of baseline?.skipped ?? []) ctx.log(`warning: baseline: ${s.problem}`);
  const judgement = judge(
    {
      metrics,
      t0,
      phases: plan.phases,
      timeScale: plan.timeScale,
      profiles: plan.profiles,
      durationMs: plan.totalMs,
      faults: t0 === null ? {} : timelineFaultTimes(ctx.faults.records, plan.partnerOutages, t0),
      journal: ctx.journalEntries,
      sideEffects: ctx.sideEffects?.effects ?? null,
      chaosFigures: env?.chaosFigures() ?? {},
      series: ctx.sutSeries,
      problems: ctx.problems,
      loadBalancer: loadBalancerLogs(ctx),
      telemetry: ctx.telemetry ?? undefined,
      guardTrip: ctx.guardTrip,
      probes: ctx.probes,
    },
    drill,
    { policy: opts.policy, now: opts.now ?? new Date(), baseline: baseline?.runs },
  );
  logProfiles(ctx, judgement.profileFigures);

  const endedAt = new Date();
  const records = writeJudgedEvidence(runDir, {
    drill,
    drillFile: loaded.file,
    runId,
    startedAt: ctx.startedAt,
    endedAt,
    timeScale: plan.timeScale,
    scheduledMs: plan.totalMs,
    chaos,
    results: {
      runId,
      drill: drill.name,
      timeScale: plan.timeScale,
      phases: plan.phases,
      samples: { ...metrics.stats, requests: metrics.count('http_reqs') },
      k6: ctx.k6Outcome,
      verdicts: judgement.verdicts,
      figures: judgement.figures,
      journal: { entries: ctx.journalEntries.length, figures: judgement.journalFigures, sideEffects: ctx.sideEffects ? { read: ctx.sideEffects.effects.length, errors: ctx.sideEffects.errors } : null },
      senders: ctx.senderRuns,
      profiles: judgement.profileFigures,
      load: judgement.load,
      attribution: judgement.attribution,
      sutMetrics: Object.fromEntries(Object.entries(ctx.sutSeries).map(([k, v]) => [k, { readings: v.length, last: v.at(-1) ?? null }])),
      baselineSkipped: baseline?.skipped ?? [],
    },
    decision: judgement.decision,
    journal: ctx.journalEntries,
    metrics,
    partners: plan.partners,
    probes: ctx.probes,
    tools: {
      gameday: GAMEDAY_VERSION,
      node: process.version,
      k6: { version: ctx.k6Tool.version, source: ctx.k6Tool.source, pinned: ctx.k6Tool.pinned },
      toxiproxy: env ? { version: env.toxiproxyVersion, source: env.toxiproxySource } : null,
    },
  });
  // the chain of runs lives in the reports root, or beside the run's own --out: never in the current folder by accident
  const chainRoot = opts.reportsRoot ? reportsRoot : opts.outDir ? path.dirname(runDir) : reportsRoot;
  const sealed = await sealRun({ runDir, reportsRoot: chainRoot, app: drill.app, runId, records });
  return {
    runId,
    runDir,
    decision: judgement.decision,
    bundle: sealed.bundle.file,
    scheduledMs: plan.totalMs,
    startedAt: ctx.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    timings: [...timings, { title: 'judge, write and seal the evidence', step: 'setup', ms: performance.now() - began }],
  };
}

/** nginx's access and error logs (copied into logs/ when the target stopped), and which replica each upstream is. */
function loadBalancerLogs(ctx: RunContext): Observations['loadBalancer'] {
  const lb = ctx.env?.loadBalancer;
  if (!lb) return null;
  const read = (name: string) => {
    const file = path.join(ctx.logDir, name);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  };
  const replicaOf = Object.fromEntries(lb.upstreams.map((u) => [`${u.host ?? '127.0.0.1'}:${u.port}`, u.name ?? `${u.host ?? '127.0.0.1'}:${u.port}`]));
  return { accessLog: read('nginx-access.log'), errorLog: read('nginx-error.log'), replicaOf };
}

function logProfiles(ctx: RunContext, profiles: ReturnType<typeof judge>['profileFigures']): void {
  for (const f of profiles) {
    if (f.kind === 'soak') ctx.log(`soak (profile ${f.profile}): p95 drift ${f.p95Drift === null ? 'unknown' : `${(f.p95Drift * 100).toFixed(1)}%`}, error-rate drift ${f.errorRateDrift === null ? 'unknown' : `${(f.errorRateDrift * 100).toFixed(2)} points`} (last tenth against the first)`);
    else ctx.log(f.brokenBy ? `stress (profile ${f.profile}): broke at ${f.targetRps} rps asked (${f.achievedRps ?? '?'} rps achieved): ${f.brokenBy}` : `stress (profile ${f.profile}): no SLO broke up to ${f.maxTargetRps} rps`);
  }
}

