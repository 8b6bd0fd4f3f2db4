// The gameday command line.
import { checkDrillQueries } from '../run/telemetry.ts';
import path from 'node:path';
import { Command, InvalidArgumentError, CommanderError } from 'commander';
import { EXIT_CODES } from '../judge/decide.ts';
import { printDecision } from './print.ts';
import { loadPolicy } from '../judge/policy.ts';
import { REPORT_FILE } from '../report/html.ts';
import { ingestCommand } from './ingest.ts';
import { bundleCommand } from './bundle.ts';
import { fisCommand } from './fis.ts';
import { matrixCommand, suiteCommand } from './suite.ts';
import { k8sCommand } from './k8s.ts';
import { simulateCommand } from './simulate.ts';
import { verifyCommand } from './verify.ts';
import { verdictCommand } from './verdict.ts';
import { doctorCommand } from './doctor.ts';
import { initCommand } from './init.ts';
import { actionCommand } from './action.ts';
import { DrillError, loadDrill } from '../schema/load.ts';
import { SetupError } from '../platform/setup-error.mjs';
import { planDrill } from '../plan/plan.ts';
import { preflight } from '../plan/preflight.ts';
import { describeSweep, sweepFailures, sweepLeftovers, sweptAnything } from '../run/sweep.ts';
import { forgetRun } from '../run/forget.ts';
import { GAMEDAY_VERSION } from '../platform/run-id.ts';
import { runDrill } from '../run/run-drill.ts';

function timeScale(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 10)) throw new InvalidArgumentError('expected a number above 0 and at most 10, e.g. 0.1 to run ten times faster');
  return n;
}

function segments(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new InvalidArgumentError('expected a whole number from 1 to 16');
  return n;
}

async function runCommand(drillFile: string, o: { out?: string; timeScale?: number; segments?: number; progress: boolean; policy?: string }): Promise<number> {
  const loaded = await loadDrill(drillFile);
  const policy = o.policy ? loadPolicy(o.policy) : undefined;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\n${signal} again: still reverting faults and stopping processes, please wait\n`);
      return;
    }
    process.stderr.write(`\n${signal}: stopping the drill, reverting faults, writing evidence\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runDrill(loaded, { outDir: o.out, timeScale: o.timeScale, segments: o.segments, signal: controller.signal, progress: o.progress, policy });
    const d = result.decision;
    process.stdout.write(`\n${printDecision(loaded.drill.name, d)}`);
    process.stdout.write(`evidence: ${path.relative(process.cwd(), result.runDir) || '.'}\n`);
    process.stdout.write(`report:   ${path.relative(process.cwd(), path.join(result.runDir, REPORT_FILE))}\n`);
    process.stdout.write(`bundle:   ${path.relative(process.cwd(), result.bundle)} (gameday verify checks it)\n`);
    return d.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('gameday')
    .description('Chaos and performance drills: real k6 load, real faults, partner simulators → SLO verdicts, a release decision and evidence.')
    .version(GAMEDAY_VERSION)
    .addHelpText(
      'after',
      '\nExit codes of run: 0 GO, 1 NO-GO (a blocking SLO failed, or the run was invalid or interrupted), 2 CONDITIONAL (only advisory SLOs failed), 3 the drill could not be read or is invalid (nothing was run).',
    )
    .exitOverride();

  program
    .command('init')
    .description('write a commented starter drill (baseline load, one latency fault, recovery and error-rate SLOs) that validates and runs as written')
    .option('--url <url>', 'your service, already running, e.g. http://127.0.0.1:8080 (an external target: gameday starts nothing)')
    .option('--process <command>', 'the command that starts one replica of your service, e.g. "node server.mjs" (it listens on 127.0.0.1:$PORT)')
    .option('--health <path>', "your service's health path (200 when up)", '/healthz')
    .option('--template <name>', "start from a drill of gameday's incident catalogue (e.g. partner-429-storm), against the demo partner hub")
    .option('--out <file>', 'the drill file to write (default drills/<project>.yaml, or drills/<template>.yaml)')
    .option('--force', 'overwrite the file when it exists')
    .action(async (o) => setExit(await initCommand(o)));

  program
    .command('run')
    .description('run a drill and decide: GO, NO-GO or CONDITIONAL')
    .argument('<drill>', 'drill file: .ts/.js module (export default defineDrill({...})) or .yaml/.json')
    .option('--out <dir>', 'the run directory to write (default reports/<app>/<run-id>/)')
    .option('--time-scale <factor>', 'multiply every duration of the drill by this factor (0.1 = ten times faster)', timeScale)
    .option('--segments <n>', 'split the load over N k6 processes (k6 execution segments); verdicts use the union of their samples', segments)
    .option('--policy <file>', 'release policy (YAML/JSON): per-SLO blocking/advisory, waivers with owner and expiry, baseline comparison with earlier GO runs')
    .option('--no-progress', 'no progress line while the drill runs')
    .action(async (drill: string, o) => setExit(await runCommand(drill, o)));

  program
    .command('ingest')
    .description('judge k6 NDJSON output written elsewhere (k6-operator runners, plain k6 runs of a bundled drill) against the drill\'s SLOs')
    .argument('<drill>', 'the drill the samples were produced by')
    .argument('<files...>', 'k6 --out json files, plain or gzipped; several runners merge into one verdict')
    .option('--out <dir>', 'where to write slo_results.json and decisions.json (default reports/<app>/<run-id>-ingest/)')
    .option('--policy <file>', 'release policy (YAML/JSON)')
    .action(async (drill: string, files: string[], o) => setExit(await ingestCommand(drill, files, o)));

  program
    .command('validate')
    .description('check a drill file without running it: the schema, placeholders and env: secrets, every check run makes before starting')
    .argument('<drill>', 'drill file')
    .action(async (drill: string) => {
      const loaded = await loadDrill(drill);
      preflight(loaded);
      // kind: prometheus queries: Prometheus' own parser says whether they are PromQL (src/run/telemetry.ts)
      const promql = await checkDrillQueries(loaded.drill, drill);
      if (promql.problems.length) {
        process.stderr.write(`${drill}: the drill is not valid\n${promql.problems.map((p) => `  - ${p}`).join('\n')}\n`);
        return setExit(3);
      }
      if (promql.note) process.stderr.write(`${drill}: ${promql.note}\n`);
      const outages = planDrill(loaded.drill).partnerOutages.map((o) => o.name);
      const outageText = outages.length ? `, ${outages.length} partner outage${outages.length > 1 ? 's' : ''} (${outages.join(', ')})` : '';
      process.stdout.write(`${drill}: valid drill "${loaded.drill.name}" (${loaded.drill.faults.length} faults${outageText}, ${loaded.drill.slos.length} SLOs)\n`);
      setExit(0);
    });

  program
    .command('bundle')
    .description('bundle a TypeScript k6 scenario — or a drill, with --target — into one script for plain `k6 run`')
    .argument('<file>', 'scenario .ts/.js, or a drill file when --target is given')
    .requiredOption('-o, --out <script.js>', 'the k6 script to write')
    .option('--target <url...>', 'drill mode: base URL(s) of the SUT to send load to')
    .option('--time-scale <factor>', 'drill mode: multiply every duration by this factor', timeScale)
    .action(async (file: string, o) => {
      process.stdout.write(`${await bundleCommand(file, o)}\n`);
      setExit(0);
    });

  program
    .command('k8s')
    .description('write a ConfigMap and a k6-operator TestRun that run the drill on N runners')
    .argument('<drill>', 'drill file')
    .requiredOption('-o, --out <dir>', 'where to write configmap.yaml and testrun.yaml')
    .requiredOption('--target <url...>', 'base URL(s) of the SUT as the runners reach it')
    .option('--parallelism <n>', 'number of k6 runners', segments, 2)
    .option('--namespace <ns>', 'Kubernetes namespace')
    .option('--time-scale <factor>', 'multiply every duration by this factor', timeScale)
    .action(async (drill: string, o) => {
      process.stdout.write(`${await k8sCommand(drill, o)}\n`);
      setExit(0);
    });

  program
    .command('verify')
    .description('verify an evidence bundle or run directory: signature, every file, nothing missing or added; exit 0 or 1')
    .argument('<target>', 'evidence_bundle_<app>.zip or a run directory')
    .option('--key <pub>', "the signer's public key (PEM); without it the bundle's own key is used (integrity, not origin)")
    .option('--json', 'print the result as JSON')
    .action(async (target: string, o) => setExit(await verifyCommand(target, o)));

  program
    .command('verdict')
    .description("print a run's decision and failed SLOs from its run directory (--json: the JSON an Argo Rollouts web provider reads); exit = the run's decision, 3 when unreadable")
    .argument('<run-dir>', 'the run directory gameday run wrote')
    .option('--json', 'print the verdict as one JSON object')
    .action((runDir: string, o) => setExit(verdictCommand(runDir, o)));

  program
    .command('doctor')
    .description('print which k6, Toxiproxy, nginx and nats-server a drill would use, where they are, what is missing and how to install it; exit 1 when k6 or Toxiproxy is missing')
    .option('--install', 'first install the missing pinned tools (k6, Toxiproxy, go-httpbin) with Go into the tools folder')
    .action((o: { install?: boolean }) => setExit(doctorCommand(undefined, o)));

  program
    .command('action')
    .description('the GitHub Action\'s entry (action.yml): run or suite from the INPUT_* variables, a job summary and step outputs; exit as `conditional` and `fail-on-no-go` map the decision')
    .action(async () => setExit(await actionCommand()));

  program.addCommand(fisCommand(setExit));
  program.addCommand(suiteCommand(setExit));
  program.addCommand(matrixCommand(setExit));

  program
    .command('simulate')
    .description('serve partner simulators from a partners file on 127.0.0.1 until Ctrl-C (control API under /__gameday/)')
    .argument('<partners-file>', 'YAML/JSON: partners: [{ name, routes, behaviours }]')
    .option('--port <port>', 'port on 127.0.0.1 (default: a free one)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
      return n;
    })
    .option('--journal <file>', 'append one NDJSON line per exchange to this file')
    .action(async (file: string, o) => setExit(await simulateCommand(file, o)));

  program
    .command('cleanup')
    .description('remove what earlier, killed runs left behind: processes, proxies, toxics, size-limited filesystems, containers, networks, cordoned nodes, NetworkPolicies, scaled workloads, scratch folders')
    .option('--forget <run-id>', "drop a killed run's ledger entry without undoing it (for what is gone for good: a deleted cluster, a Toxiproxy that no longer exists); prints what it named")
    .action(async (o: { forget?: string }) => {
      if (o.forget) {
        const r = forgetRun(o.forget);
        if (!r.forgotten) {
          process.stderr.write(`gameday cleanup: ${r.reason}\n`);
          return setExit(3);
        }
        process.stdout.write(`forgot run ${o.forget} (${r.file}) without undoing it; check by hand what it named:\n${r.named.map((n) => `  ${n}\n`).join('') || '  nothing\n'}`);
        return setExit(0);
      }
      const report = await sweepLeftovers();
      for (const p of report.processes) process.stdout.write(`killed pid ${p.pid} (run ${p.runId ?? '?'}): ${p.command}\n`);
      for (const p of report.proxies) process.stdout.write(`${p.removed ? 'removed' : 'could not remove'} proxy ${p.proxy} on ${p.toxiproxyUrl} (run ${p.runId})${p.error ? `: ${p.error}` : ''}\n`);
      for (const t of report.toxics ?? []) process.stdout.write(`${t.removed ? 'removed' : 'could not remove'} toxic ${t.toxic} from proxy ${t.proxy} on ${t.toxiproxyUrl}, the proxy kept (run ${t.runId})${t.error ? `: ${t.error}` : ''}\n`);
      for (const c of report.commands ?? []) process.stdout.write(`${c.reverted ? 'ran the revert of' : 'could not revert'} command fault ${c.fault} (run ${c.runId})${c.error ? `: ${c.error}` : ''}\n`);
      for (const c of report.teamContainers ?? []) process.stdout.write(`${c.undone ? 'undid' : 'could not undo'} ${c.change} of container ${c.container} (run ${c.runId})${c.error ? `: ${c.error}` : ''}\n`);
      for (const k of report.kube ?? []) process.stdout.write(`${k.undone ? 'undid' : 'could not undo'} ${k.what} (run ${k.runId})${k.error ? `: ${k.error}` : ''}\n`);
      for (const m of report.mounts) process.stdout.write(`${m.released ? 'unmounted' : 'could not unmount'} ${m.dir} (run ${m.runId})${m.error ? `: ${m.error}` : ''}\n`);
      for (const f of report.folders) process.stdout.write(`removed folder ${f.dir} (run ${f.runId})\n`);
      for (const c of [...report.containers.containers.map((c) => ({ ...c, kind: 'container' })), ...report.containers.networks.map((n) => ({ ...n, kind: 'network' }))]) {
        process.stdout.write(`${c.removed ? 'removed' : 'could not remove'} ${c.kind} ${c.name} (run ${c.runId ?? '?'})${c.error ? `: ${c.error}` : ''}\n`);
      }
      for (const e of report.fis?.experiments ?? []) process.stdout.write(`${e.error ? 'could not stop' : e.stopped ? 'stopped' : 'found ended'} FIS experiment ${e.id} in ${e.region} (run ${e.runId}, was ${e.was})${e.error ? `: ${e.error}` : ''}\n`);
      for (const t of report.fis?.templates ?? []) process.stdout.write(`${t.deleted ? 'deleted' : 'could not delete'} FIS template ${t.id} in ${t.region} (run ${t.runId})${t.error ? `: ${t.error}` : ''}\n`);
      const failed = sweepFailures(report);
      const done = describeSweep(report);
      if (!sweptAnything(report)) process.stdout.write('nothing left behind\n');
      else if (done !== 'nothing left behind') process.stdout.write(`removed ${done} left by killed runs\n`);
      if (failed > 0) process.stdout.write(`could not undo ${failed} thing(s) named above: their ledger entries stay for the next cleanup; for a system gone for good, gameday cleanup --forget RUN drops its entry\n`);
      setExit(failed > 0 ? 1 : 0);
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    // input the user can fix (drill and config files, flags, K6_BIN, GAMEDAY_STATE_DIR, --out): cause and fix, exit 3
    if (err instanceof SetupError) {
      process.stderr.write(`${err instanceof DrillError ? '' : 'gameday: '}${err.message}\n`);
      return EXIT_CODES.INVALID_DRILL;
    }
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_CODES.INVALID_DRILL;
    // anything else is gameday's own failure: the message, and the stack only when asked for
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`gameday: ${message}\n`);
    if (process.env.GAMEDAY_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('(an error of gameday itself: set GAMEDAY_DEBUG=1 to see where it happened, and report it)\n');
    return 1;
  }
}
