// The run directory: one table of the files a run writes, by what they hold. Writers and readers
// (src/evidence, src/judge, gameday verify and ingest) name files through it, never by literal.
import { ChaosReportFile, ComplianceReport, DecisionFile, RunManifest, SloResultsFile } from './evidence.ts';
import { ProbesFile } from './probes.ts';

export const RUN_FILES = {
  /** every artifact with its SHA-256; written last, before the seal */
  manifest: 'run_manifest.json',
  /** GO / NO-GO / CONDITIONAL, the reasons, every verdict as the decision judged it */
  decisions: 'decisions.json',
  /** verdicts with their observed values, phases, figures, samples statistics */
  sloResults: 'slo_results.json',
  /** every fault: scheduled, injected, verified, reverted; the partners' outages; the target's own evidence */
  chaosReport: 'chaos_report.json',
  /** every exchange of the partner simulators and webhook senders */
  journal: 'simulator_journal.ndjson',
  /** every PromQL question the run asked its Prometheus, and the answer */
  telemetry: 'telemetry.ndjson',
  /** every reading of the drill's guards (stop conditions) while it ran */
  guards: 'guards.ndjson',
  /** the steady-state probes before the first fault and after the last recovery: what each asked and got */
  probes: 'probes.json',
  /** readings of the SUT's own metrics endpoint */
  sutMetrics: 'sut_metrics.ndjson',
  /** k6's samples (gzip NDJSON), summary and stderr (per execution segment: k6_samples.segIofN...) */
  samples: 'k6_samples.ndjson.gz',
  k6Summary: 'k6_summary.json',
  k6Stderr: 'k6_stderr.log',
  /** the bundled scenario and the plan it reads */
  k6Script: 'k6_script.js',
  k6Plan: 'k6_plan.json',
  junit: 'junit.xml',
  compliance: 'compliance.json',
  report: 'report.html',
  /** output of every process and container the run started */
  logs: 'logs',
  /** the seal: the DSSE envelope of the in-toto statement, and the public key */
  envelope: 'attestation.intoto.jsonl',
  publicKey: 'signing-key.pub.pem',
} as const;

export type RunFileKey = keyof typeof RUN_FILES;

/** The schema each JSON file of the run is read back through (gameday verify, ingest, baselines). */
export const RUN_FILE_SCHEMAS = {
  manifest: RunManifest,
  decisions: DecisionFile,
  sloResults: SloResultsFile,
  chaosReport: ChaosReportFile,
  compliance: ComplianceReport,
  probes: ProbesFile,
} as const;
