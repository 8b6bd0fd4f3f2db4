// The orchestrator of one drill: environment, simulators, faults and load on one timeline,
// then verdicts, decision and evidence. Whatever happens — success, failure, abort — every
// fault is reverted, every process stopped, and the evidence written with the reason.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaultRequest, InjectedFault } from '../../chaos/driver.ts';
import { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { phaseAt } from '../../scenarios/lib/phase.ts';
import { openJournal, readJournal, type Journal, type JournalEntry } from '../../simulators/journal.ts';
import { startPartnerServer, type PartnerServer } from '../../simulators/partner-server.ts';
import { requireTool } from '../../scripts/toolchain.mjs';
import { decide, type DecisionRecord, type RunProblem } from '../decision/decide.ts';
import { DrillError, type LoadedDrill } from '../drill/load.ts';
import { writeCompliance } from '../evidence/compliance-input.ts';
import { listArtifacts, MANIFEST_FILE, sha256File, writeJson } from '../evidence/files.ts';
import { writeJunit } from '../evidence/junit.ts';
import { sealRun } from '../evidence/seal.ts';
import { scrubSecrets } from '../evidence/secrets.ts';
import { bundleScenario, DRILL_SCENARIO } from '../k6/bundle.ts';
import { buildK6Plan, secretEnvName } from '../k6/plan.ts';
import { startK6, type K6Outcome } from '../k6/runner.ts';
import { MetricsAggregator } from '../metrics/aggregate.ts';
import { planDrill, type Plan, type PlannedFault } from '../plan/plan.ts';
import type { Drill, DriverName, Fault } from '../schema/drill.ts';
import { ProcessDriver } from '../../chaos/process.ts';
import type { FaultDriver } from '../../chaos/driver.ts';
import { evaluateSlos, faultTimesFromRecords, sloThresholds, sutMetricsToCollect, type MetricPoint } from '../slo/evaluate.ts';
import { compareWithBaseline, readBaselineRuns } from '../slo/baseline.ts';
import { journalFigures } from '../slo/journal-figures.ts';
import { profileFigures } from '../slo/profile-figures.ts';
import { JOURNAL_FILE, SUT_METRICS_FILE } from '../slo/verdict.ts';
import type { Policy } from '../schema/policy.ts';
import { buildReportData } from '../report/data.ts';
import { renderReport, REPORT_FILE } from '../report/html.ts';
import { readSideEffects, runSenders, type SenderRun } from './senders.ts';
import { pollSutMetrics, type SutMetricsPoller } from './sut-metrics.ts';
import type { SideEffect } from '../../simulators/analysis.ts';
import { renderTemplate, startEnvironment, type Environment, type TemplateVars } from './environment.ts';
import { partnerRotations, previousSecretEnvName, rotationVars } from './rotation.ts';
import { Ledger, sweepLeftovers, type SweepReport } from './ledger.ts';
import { ProcessGroup } from './processes.ts';
import { ProgressLine } from './progress.ts';

export const GAMEDAY_VERSION = '0.1.0';

/** Time between starting k6 and t = 0, so that k6 is ready when the timeline starts. */
const LOAD_LEAD_MS = 2500;

export interface RunOptions {
  outDir?: string;
  timeScale?: number;
  reportsRoot?: string;
  /** run N k6 processes on k6 execution segments; their samples merge into one verdict */
  segments?: number;
  /** aborting it stops the drill: faults reverted, evidence written, NO-GO */
  signal?: AbortSignal;
  progress?: boolean;
  log?: (line: string) => void;
  /** severities, waivers and the baseline comparison; without one, the drill's severities and no baseline */
  policy?: Policy;
  /** the time waivers are judged at (default: now) */
  now?: Date;
}

export interface RunResult {
  runId: string;
  runDir: string;
  decision: DecisionRecord;
  /** the signed evidence_bundle_<app>.zip */
  bundle: string;
}

export interface FaultRecord {
  name: string;
  driver: string;
  action: Fault['action'];
  target: { service: string; proxies: string[] };
  params: Record<string, number>;
  scheduled: { startMs: number; endMs: number };
  injectedAt: string | null;
  /** the fault was observed in place after injection */
  injectVerified: boolean;
  revertedAt: string | null;
  /** the fault was observed gone after revert */
  revertVerified: boolean;
  outcome: 'not-started' | 'injected' | 'reverted' | 'inject-failed' | 'revert-failed';
  error: string | null;
}

/** File names and k6 arguments of each execution segment (one plain k6 run when n = 1). */
export function segmentFiles(n: number): Array<{ args: string[]; samples: string; summary: string; stderr: string }> {
  if (n <= 1) return [{ args: [], samples: 'k6_samples.ndjson.gz', summary: 'k6_summary.json', stderr: 'k6_stderr.log' }];
  const sequence = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? '0' : i === n ? '1' : `${i}/${n}`)).join(',');
  return Array.from({ length: n }, (_, i) => {
    const tag = `seg${i + 1}of${n}`;
    const from = i === 0 ? '0' : `${i}/${n}`;
    const to = i + 1 === n ? '1' : `${i + 1}/${n}`;
    return {
      args: ['--execution-segment', `${from}:${to}`, '--execution-segment-sequence', sequence],
      samples: `k6_samples.${tag}.ndjson.gz`,
      summary: `k6_summary.${tag}.json`,
      stderr: `k6_stderr.${tag}.log`,
    };
  });
}

/** The outcome that says the most: an invalid one over a failed-thresholds one over ok. */
function worstOutcome(outcomes: K6Outcome[]): K6Outcome {
  return outcomes.find((o) => o.invalid) ?? outcomes.find((o) => o.code !== 'ok') ?? outcomes[0];
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** The numbers a driver needs; durations inside a fault window are time-scaled with it. */
export function faultParams(fault: Fault, timeScale: number): Record<string, number> {
  switch (fault.action) {
    case 'latency':
      return { latency: fault.latency, jitter: fault.jitter };
    case 'bandwidth':
      return { rate: fault.rate };
    case 'reset':
      return { after: fault.after };
    case 'pod-kill':
      return fault.restartAfter === undefined ? { replica: fault.replica } : { replica: fault.replica, restartAfterMs: Math.round(fault.restartAfter * timeScale) };
    case 'disk-full':
      return { percent: fault.percent };
    default:
      return {};
  }
}

/** The driver's targets: Toxiproxy proxy names, replica names for the process driver, a stream (broker), a directory (disk), replica names or label selectors (containers). */
function faultTargets(fault: Fault, env: Environment): string[] {
  if (fault.driver === 'toxiproxy') return env.proxiesOf(fault.target);
  if (fault.driver === 'broker' || fault.driver === 'disk' || fault.driver === 'containers') return env.targetsOf(fault);
  const replicas = env.handles();
  if (fault.action === 'pod-kill') return [replicas[fault.replica].name];
  if (fault.action === 'az-failure') return replicas.filter((r) => r.zone === fault.zone).map((r) => r.name);
  return [];
}

/** Resolves "env:NAME" secrets; a missing one is a drill error (nothing has run yet). */
function partnerSecrets(loaded: LoadedDrill): Record<string, string> {
  const out: Record<string, string> = {};
  loaded.drill.partners.forEach((p, i) => {
    if (!p.webhookSecret) return;
    if (p.webhookSecret.startsWith('env:')) {
      const name = p.webhookSecret.slice(4);
      const value = process.env[name];
      if (!value) throw new DrillError(loaded.file, [`partners[${i}].webhookSecret: environment variable ${name} is not set`]);
      out[p.name] = value;
    } else out[p.name] = p.webhookSecret;
  });
  return out;
}

/** Checks every placeholder of the service environment before anything starts. */
function checkTemplates(loaded: LoadedDrill): void {
  const vars: TemplateVars = {
    port: '0',
    replica: '0',
    zone: 'a',
    dataDir: '/',
    partners: Object.fromEntries(
      loaded.drill.partners.map((p) => [p.name, { url: 'http://127.0.0.1', webhookSecret: '', ...(p.rotation ? { previousWebhookSecret: '', rotationAt: 0, rotationEnd: 0 } : {}) }]),
    ),
    broker: loaded.drill.target.broker ? { url: 'nats://127.0.0.1' } : undefined,
    t0File: loaded.drill.target.kind === 'process' ? '/t0.json' : undefined,
  };
  for (const [k, v] of Object.entries(loaded.drill.target.service.env)) {
    try {
      renderTemplate(v, vars);
    } catch (err) {
      throw new DrillError(loaded.file, [`target.service.env.${k}: ${(err as Error).message}`]);
    }
  }
}

export async function runDrill(loaded: LoadedDrill, opts: RunOptions = {}): Promise<RunResult> {
  const { drill } = loaded;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const secrets = partnerSecrets(loaded);
  checkTemplates(loaded);
  const plan = planDrill(drill, opts.timeScale ?? drill.timeScale);
  // partners whose webhook key is rotated during the run: previous secret and moments
  const rotations = partnerRotations(loaded, plan.timeScale);
  const segments = opts.segments ?? 1;
  const k6Tool = requireTool('k6');
  if (!k6Tool.compatible) log(`warning: k6 ${k6Tool.version ?? '(unknown version)'} at ${k6Tool.path}; gameday is pinned to ${k6Tool.pinned}`);

  const runId = newRunId();
  const runDir = path.resolve(opts.outDir ?? path.join(opts.reportsRoot ?? 'reports', drill.app, runId));
  fs.mkdirSync(runDir, { recursive: true });
  const logDir = path.join(runDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `gameday-${runId}-`));
  const startedAt = new Date();

  const problems: RunProblem[] = [];
  const problem = (code: string, message: string) => {
    problems.push({ code, message });
    log(`problem: ${message}`);
  };
  const group = new ProcessGroup(runId);
  const ledger = new Ledger(runId);
  // latency thresholds counted exactly, so verdicts agree with k6's own thresholds
  const thresholds = sloThresholds(drill.slos);
  const metrics = new MetricsAggregator({ thresholds });
  // one aggregator per k6 process (their byte streams interleave), merged after the run
  const segMetrics = segments <= 1 ? [metrics] : segmentFiles(segments).map(() => new MetricsAggregator({ thresholds }));
  const fileJournal = openJournal(path.join(runDir, JOURNAL_FILE));
  // replayed and accepted webhooks are asked about (applied how often?) while the SUT is still up
  const deliveries: JournalEntry[] = [];
  const journal: Journal = {
    record: (e) => {
      if (e.source === 'webhook-sender' && (e.variant === 'replayed-id' || e.variant === 'valid')) deliveries.push(e);
      fileJournal.record(e);
    },
    close: () => fileJournal.close(),
    get count() {
      return fileJournal.count;
    },
  };
  const runAbort = new AbortController();
  opts.signal?.addEventListener('abort', () => runAbort.abort(opts.signal?.reason), { once: true });
  let senderRuns: SenderRun[] = [];
  let sideEffects: { effects: SideEffect[]; errors: string[] } | null = null;
  let poller: SutMetricsPoller | null = null;
  let sutSeries: Record<string, MetricPoint[]> = {};
  const partners: PartnerServer[] = [];
  const faultRecords: FaultRecord[] = plan.faults.map((f) => ({
    name: f.fault.name,
    driver: f.fault.driver,
    action: f.fault.action,
    target: { service: f.fault.target, proxies: [] },
    params: faultParams(f.fault, plan.timeScale),
    scheduled: { startMs: f.startMs, endMs: f.endMs },
    injectedAt: null,
    injectVerified: false,
    revertedAt: null,
    revertVerified: false,
    outcome: 'not-started',
    error: null,
  }));
  const injected = new Map<string, { driver: DriverName; request: FaultRequest; handle: InjectedFault | null }>();
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<void>>();
  let env: Environment | null = null;
  let drivers: Partial<Record<DriverName, FaultDriver>> = {};
  const driverFor = (name: DriverName): FaultDriver => {
    const d = drivers[name];
    if (!d) throw new Error(`the ${name} driver is not available in this environment`);
    return d;
  };
  let envStarting: Promise<unknown> = Promise.resolve();
  let k6Outcome: K6Outcome | null = null;
  let sweep: SweepReport | null = null;
  let t0: number | null = null;
  let progressTimer: NodeJS.Timeout | null = null;
  const progress = new ProgressLine();

  const abortReason = () => String(opts.signal?.reason ?? 'aborted');
  const aborted = new Promise<void>((resolve) => {
    if (opts.signal?.aborted) resolve();
    opts.signal?.addEventListener('abort', () => resolve(), { once: true });
  });

  const track = (p: Promise<void>) => {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
  };

  const injectFault = async (pf: PlannedFault, record: FaultRecord) => {
    if (!env || opts.signal?.aborted) return;
    const request: FaultRequest = { name: pf.fault.name, action: pf.fault.action, targets: faultTargets(pf.fault, env), params: record.params };
    record.target.proxies = request.targets;
    injected.set(record.name, { driver: pf.fault.driver, request, handle: null });
    try {
      const handle = await driverFor(pf.fault.driver).inject(request);
      injected.set(record.name, { driver: pf.fault.driver, request, handle });
      record.injectedAt = new Date().toISOString();
      record.injectVerified = true;
      record.outcome = 'injected';
      log(`fault ${record.name}: ${record.action} injected on ${request.targets.join(', ')}`);
    } catch (err) {
      record.injectedAt = new Date().toISOString();
      record.outcome = 'inject-failed';
      record.error = String(err);
      problem('fault-not-injected', `fault ${record.name} could not be injected: ${err}`);
    }
  };

  const revertFault = async (record: FaultRecord) => {
    const entry = injected.get(record.name);
    if (!entry || !env) return;
    injected.delete(record.name);
    try {
      await driverFor(entry.driver).revert(entry.handle ?? entry.request);
      record.revertedAt = new Date().toISOString();
      record.revertVerified = true;
      if (record.outcome === 'injected') record.outcome = 'reverted';
      log(`fault ${record.name}: reverted`);
    } catch (err) {
      record.revertedAt = new Date().toISOString();
      record.outcome = 'revert-failed';
      record.error = String(err);
      problem('fault-not-reverted', `fault ${record.name} could not be reverted: ${err}`);
    }
  };

  try {
    sweep = await sweepLeftovers();
    if (sweep.processes.length || sweep.proxies.length || sweep.mounts.length) {
      log(`cleanup: removed ${sweep.processes.length} process(es), ${sweep.proxies.length} proxy(ies) and ${sweep.mounts.length} mount(s) left by earlier killed runs`);
    }

    const partnerVars: TemplateVars['partners'] = {};
    const inContainers = drill.target.kind === 'containers';
    for (const p of plan.partners) {
      // a containers target runs its simulators on its own network (the environment fills in the URL)
      if (inContainers) {
        partnerVars[p.name] = { url: '', webhookSecret: secrets[p.name] ?? '', ...rotationVars(rotations[p.name]) };
        continue;
      }
      const server = await startPartnerServer(p, journal);
      partners.push(server);
      partnerVars[p.name] = { url: server.url, webhookSecret: secrets[p.name] ?? '', ...rotationVars(rotations[p.name]) };
    }
    const dataDir = path.join(scratch, 'data');
    fs.mkdirSync(dataDir, { recursive: true });
    const envPromise = startEnvironment({ drill, drillDir: loaded.dir, runId, group, ledger, logDir, dataDir, partners: partnerVars, plannedPartners: plan.partners, journal });
    envStarting = envPromise.catch(() => undefined);
    env = await Promise.race([envPromise, aborted.then(() => null)]);
    if (!env) throw new Error(`interrupted while starting the environment (${abortReason()})`);
    const started = env;
    // the process driver only where the replicas are local processes (a containers target has none)
    drivers = { toxiproxy: started.toxiproxy, ...(drill.target.kind === 'process' ? { process: new ProcessDriver(() => started.handles()) } : {}), ...started.drivers() };

    const scriptFile = path.join(runDir, 'k6_script.js');
    await bundleScenario(DRILL_SCENARIO, scriptFile);
    t0 = Date.now() + LOAD_LEAD_MS;
    const k6Plan = buildK6Plan(drill, plan, t0, env.entryUrls);
    const planFile = path.join(runDir, 'k6_plan.json');
    writeJson(planFile, k6Plan);

    const secretEnv: Record<string, string> = {};
    for (const [partner, secret] of Object.entries(secrets)) secretEnv[secretEnvName(partner)] = secret;
    for (const [partner, r] of Object.entries(rotations)) secretEnv[previousSecretEnvName(partner)] = r.previousSecret;
    // one k6 process, or N on k6 execution segments whose samples all feed one aggregator
    const k6Runs = segmentFiles(segments).map((seg, i) =>
      startK6(group, {
        bin: k6Tool.path,
        script: scriptFile,
        args: seg.args,
        env: { ...secretEnv, GAMEDAY_PLAN: planFile, GAMEDAY_SUMMARY: path.join(runDir, seg.summary) },
        samplesFile: path.join(runDir, seg.samples),
        stderrFile: path.join(runDir, seg.stderr),
        scratchDir: scratch,
        onChunk: (chunk) => segMetrics[i].ingestChunk(chunk),
        onEnd: () => segMetrics[i].endChunks(),
      }),
    );
    const k6 = {
      done: Promise.all(k6Runs.map((r) => r.done)).then(worstOutcome),
      kill: (signal: NodeJS.Signals) => k6Runs.forEach((r) => r.process.child.kill(signal)),
    };

    for (const p of partners) p.startTimeline(t0);
    env.startTimeline?.(t0);
    const replicaUrls = () => started.replicas.map((r) => `http://127.0.0.1:${r.port}`);
    const sending = runSenders({ senders: drill.senders, timeScale: plan.timeScale, t0, baseUrl: () => started.entryUrls[0], secrets, rotations, journal, signal: runAbort.signal });
    poller = pollSutMetrics({
      targets: sutMetricsToCollect(drill.slos),
      baseUrls: replicaUrls,
      t0,
      intervalMs: 250,
      maxDurationMs: plan.totalMs + LOAD_LEAD_MS + 30_000,
      file: path.join(runDir, SUT_METRICS_FILE),
    });
    plan.faults.forEach((pf, i) => {
      const record = faultRecords[i];
      timers.push(setTimeout(() => track(injectFault(pf, record)), Math.max(0, t0! + pf.startMs - Date.now())));
      timers.push(setTimeout(() => track(revertFault(record)), Math.max(0, t0! + pf.endMs - Date.now())));
    });

    if (opts.progress !== false) {
      progressTimer = setInterval(() => {
        const elapsed = Date.now() - t0!;
        const lastFull = Math.floor(Date.now() / 1000) - 1;
        const sum = (f: (m: MetricsAggregator) => number) => segMetrics.reduce((n, m) => n + f(m), 0);
        const requests = sum((m) => m.count('http_reqs'));
        const errors = sum((m) => m.rate('http_req_failed')?.nonZero ?? 0);
        progress.update({
          phase: elapsed < 0 ? 'starting' : phaseAt(plan.phases, elapsed),
          elapsedMs: Math.max(0, elapsed),
          totalMs: plan.totalMs,
          rps: sum((m) => m.seconds.get(lastFull)?.requests ?? 0),
          requests,
          errors,
        });
      }, 1000);
    }

    const finished = await Promise.race([k6.done, aborted.then(() => null)]);
    if (finished) k6Outcome = finished;
    else {
      problem('interrupted', `the drill was interrupted (${abortReason()}): stopped before its end`);
      k6.kill('SIGINT');
      const killer = setTimeout(() => k6.kill('SIGKILL'), 5000);
      k6Outcome = await k6.done;
      clearTimeout(killer);
    }
    if (k6Outcome.invalid && !opts.signal?.aborted) problem(`k6-${k6Outcome.code}`, `${k6Outcome.message} (exit ${k6Outcome.exitCode ?? k6Outcome.signal}); see k6_stderr.log`);
    if (k6Outcome.invalid) runAbort.abort('k6 ended the load');
    senderRuns = await sending;
    for (const r of senderRuns) if (r.error && !opts.signal?.aborted) problem('sender-failed', `webhook sender ${r.name}: ${r.error}`);
    // while the SUT is still up: how often was each replayed or accepted webhook applied?
    sideEffects = await readSideEffects(drill.senders, deliveries, replicaUrls);
    for (const e of sideEffects?.errors.slice(0, 3) ?? []) log(`warning: side effects: ${e}`);
  } catch (err) {
    if (err instanceof DrillError) throw err;
    if (opts.signal?.aborted && !problems.some((p) => p.code === 'interrupted')) problem('interrupted', `the drill was interrupted (${abortReason()})`);
    problem('harness-error', err instanceof Error ? err.message : String(err));
  } finally {
    runAbort.abort('the drill is over');
    if (poller) sutSeries = await poller.stop();
    if (progressTimer) clearInterval(progressTimer);
    progress.end();
    for (const t of timers) clearTimeout(t);
    await Promise.allSettled([...inFlight]);
    for (const record of faultRecords) await revertFault(record);
    group.close();
    await group.stopAll();
    // then what the environment added: load balancer, broker, DATA_DIR's filesystem (also when it finished starting after an abort)
    const startedEnv = env ?? ((await envStarting) as Environment | undefined);
    await startedEnv?.stop().catch((err) => problem('environment-not-stopped', `the environment could not be stopped completely (gameday cleanup will retry): ${err instanceof Error ? err.message : String(err)}`));
    // proxies on a Toxiproxy the run did not start (TOXIPROXY_URL) outlive it: remove them
    let leftover = false;
    if (ledger.toxiproxyUrl && process.env.TOXIPROXY_URL) {
      const driver = new ToxiproxyDriver(ledger.toxiproxyUrl);
      for (const proxy of ledger.proxies) {
        await driver.removeProxy(proxy).catch((err) => {
          leftover = true;
          problem('proxy-not-removed', `proxy ${proxy} could not be removed (gameday cleanup will retry): ${err}`);
        });
      }
    }
    // a mount that could not be released stays in the ledger for `gameday cleanup`
    if (!leftover && ledger.mounts.length === 0) ledger.close();
    await Promise.all(partners.map((p) => p.close()));
    await journal.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  // evidence: what was collected, whatever happened above
  for (const r of faultRecords) {
    if (r.outcome === 'not-started' && !problems.some((p) => p.code === 'interrupted')) {
      problem('fault-not-injected', `fault ${r.name} was never injected`);
    }
  }
  const endedAt = new Date();
  writeJson(path.join(runDir, 'chaos_report.json'), {
    runId,
    toxiproxy: env ? { url: env.toxiproxy.apiUrl, version: env.toxiproxyVersion, source: env.toxiproxySource } : null,
    t0: t0 === null ? null : new Date(t0).toISOString(),
    faults: faultRecords,
    environment: env?.chaosEvidence() ?? null,
    sweptBeforeRun: sweep,
  });
  for (const seg of segmentFiles(segments)) {
    const file = path.join(runDir, seg.summary);
    if (!fs.existsSync(file)) writeJson(file, { missing: true, reason: k6Outcome?.message ?? 'k6 did not run' });
  }
  // a secret in any artifact makes the evidence unshippable: the run is invalid
  const scan = await scrubSecrets(runDir, [...Object.values(secrets), ...Object.values(rotations).map((r) => r.previousSecret)]);
  for (const f of scan.findings) problem('secret-in-evidence', `a secret (${f.form}) appears in ${f.file}`);
  if (segMetrics[0] !== metrics) for (const m of segMetrics) metrics.merge(m);
  if (metrics.stats.truncated) log('warning: the k6 output ended mid-line: k6 was cut off; the evidence says so (samples.truncated)');
  // figures of other evidence: the simulator journal (and the SUT's side effects), the chaos report
  let entries: JournalEntry[] = [];
  try {
    entries = readJournal(path.join(runDir, JOURNAL_FILE));
  } catch (err) {
    problem('journal-unreadable', `the simulator journal cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const journalDetails = journalFigures(drill.slos, entries, sideEffects?.effects ?? null);
  // chaosFigures: figures of the chaos drivers (broker failover time, message loss), keyed by figureKey
  const chaosFigures: Record<string, number | null> = env?.chaosFigures() ?? {};
  const figures: Record<string, number | null> = { ...Object.fromEntries(journalDetails.map((f) => [f.key, f.value])), ...chaosFigures };
  const profiles = t0 === null ? [] : profileFigures(plan.profiles, metrics, t0, drill.slos);
  let verdicts = evaluateSlos(drill.slos, {
    metrics,
    t0: t0 ?? 0,
    faults: t0 === null ? {} : faultTimesFromRecords(faultRecords, t0),
    figures,
    phases: plan.phases,
    durationMs: plan.totalMs,
    series: sutSeries,
    profiles,
  });
  let baselineSkipped: Array<{ dir: string; problem: string }> = [];
  if (opts.policy) {
    const { runs, skipped } = readBaselineRuns(path.join(path.resolve(opts.reportsRoot ?? 'reports'), drill.app), drill.name, { limit: opts.policy.baseline.runs, excludeRunId: runId });
    baselineSkipped = skipped;
    for (const s of skipped) log(`warning: baseline: ${s.problem}`);
    verdicts = [...verdicts, ...compareWithBaseline(verdicts, runs, opts.policy.baseline)];
  }
  const decision = decide(verdicts, problems, { policy: opts.policy, now: opts.now ?? new Date() });
  for (const f of profiles) {
    if (f.kind === 'soak') log(`soak (profile ${f.profile}): p95 drift ${f.p95Drift === null ? 'unknown' : `${(f.p95Drift * 100).toFixed(1)}%`}, error-rate drift ${f.errorRateDrift === null ? 'unknown' : `${(f.errorRateDrift * 100).toFixed(2)} points`} (last tenth against the first)`);
    else log(f.brokenBy ? `stress (profile ${f.profile}): broke at ${f.targetRps} rps asked (${f.achievedRps ?? '?'} rps achieved): ${f.brokenBy}` : `stress (profile ${f.profile}): no SLO broke up to ${f.maxTargetRps} rps`);
  }
  writeJson(path.join(runDir, 'slo_results.json'), {
    runId,
    drill: drill.name,
    timeScale: plan.timeScale,
    phases: plan.phases,
    samples: { ...metrics.stats, requests: metrics.count('http_reqs') },
    k6: k6Outcome,
    verdicts,
    figures,
    journal: { entries: entries.length, figures: journalDetails, sideEffects: sideEffects ? { read: sideEffects.effects.length, errors: sideEffects.errors } : null },
    senders: senderRuns,
    profiles,
    sutMetrics: Object.fromEntries(Object.entries(sutSeries).map(([k, v]) => [k, { readings: v.length, last: v.at(-1) ?? null }])),
    baselineSkipped,
  });
  writeJson(path.join(runDir, 'decisions.json'), { runId, drill: drill.name, app: drill.app, ...decision });
  writeJunit(runDir, { startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString() });
  writeCompliance(runDir, drill);
  const tools = { gameday: GAMEDAY_VERSION, node: process.version, k6: k6Tool.version, toxiproxy: env?.toxiproxyVersion ?? null };
  fs.writeFileSync(
    path.join(runDir, REPORT_FILE),
    renderReport(
      buildReportData({
        drill: { name: drill.name, app: drill.app, description: drill.description },
        runId,
        startedAt: startedAt.toISOString(),
        endedAt: endedAt.toISOString(),
        decision,
        timeScale: plan.timeScale,
        durationMs: plan.totalMs,
        phases: plan.phases,
        t0,
        faults: faultRecords,
        partners: plan.partners,
        metrics,
        tools,
      }),
    ),
  );
  writeJson(path.join(runDir, MANIFEST_FILE), {
    schema: 'gameday/run-manifest@1',
    runId,
    drill: { name: drill.name, app: drill.app, file: path.relative(process.cwd(), loaded.file), sha256: sha256File(loaded.file) },
    timeScale: plan.timeScale,
    compressed: plan.timeScale < 1,
    scheduledMs: plan.totalMs,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    tools: {
      gameday: GAMEDAY_VERSION,
      node: process.version,
      k6: { version: k6Tool.version, source: k6Tool.source, pinned: k6Tool.pinned },
      toxiproxy: env ? { version: env.toxiproxyVersion, source: env.toxiproxySource } : null,
    },
    decision: { decision: decision.decision, exitCode: decision.exitCode },
    artifacts: listArtifacts(runDir),
  });
  const sealed = await sealRun({ runDir, reportsRoot: path.resolve(opts.reportsRoot ?? 'reports'), app: drill.app, runId });
  return { runId, runDir, decision, bundle: sealed.bundle.file };
}
