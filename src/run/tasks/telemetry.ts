// Task: the drill's Prometheus — the managed one scraping every replica, or the team's own —
// ready and every kind: prometheus query parsed before any fault. Its teardown runs once the
// faults are reverted and the load has stopped (and before the system under test stops): it asks
// each SLO's range query, writes telemetry.ndjson and stops the managed Prometheus.
import { faultTimesFromRecords } from '../../judge/evaluate.ts';
import type { RunContext } from '../context.ts';
import type { Task } from '../tasks.ts';
import { finishDrillTelemetry, runWindows, startDrillTelemetry, stopDrillTelemetry } from '../telemetry.ts';

export const telemetryTask: Task<RunContext> = {
  title: 'telemetry (Prometheus)',
  async setup(ctx, teardown) {
    const env = ctx.env!;
    const telemetry = await startDrillTelemetry(ctx.drill, {
      replicas: env.replicas.map((r) => ({ port: r.port, zone: r.zone, name: `replica-${r.index}` })),
      env: { GAMEDAY_RUN_ID: ctx.runId },
    });
    if (!telemetry) return;
    ctx.prometheus = telemetry.endpoint;
    teardown('ask Prometheus and stop it', async () => {
      const t0 = ctx.t0;
      if (t0 === null) return stopDrillTelemetry(telemetry);
      const windows = runWindows(t0, ctx.plan.phases, faultTimesFromRecords(ctx.faults.records, t0), ctx.plan.totalMs, Date.now());
      const done = await finishDrillTelemetry(ctx.drill, telemetry, windows, ctx.runDir);
      ctx.telemetry = { records: done.records, windowProblems: done.windowProblems };
      for (const p of done.problems) ctx.problem(p.code, p.message);
    });
  },
};
