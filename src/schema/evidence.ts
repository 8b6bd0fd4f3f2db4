// Schemas of the evidence files: the ones the evidence layer writes (attestation envelope,
// in-toto statement and its predicate, run chain line, compliance.json) and the run files it
// reads back (run_manifest.json, decisions.json, slo_results.json, chaos_report.json; the
// simulator journal has its own schema in journal.ts). The run files are written by the orchestrator; these
// schemas accept extra fields (loose objects) so that adding a field there never breaks
// verification of older or newer runs.
import { z } from 'zod';

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 digest: 64 lowercase hex characters');
const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time, e.g. "2026-11-23T19:20:14.000Z"');
/** A path inside the run directory: relative, POSIX separators, no "..". */
export const RunPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').some((s) => s === '..' || s === '.' || s === ''), 'expected a relative POSIX path inside the run directory, e.g. "logs/hub-0.log"');

// ---------------------------------------------------------------------------------------
// Run files (written by src/run/run-drill.ts)

export const ManifestArtifact = z.object({ path: RunPath, sha256: Sha256Hex, bytes: z.number().int().nonnegative() });
export type ManifestArtifact = z.infer<typeof ManifestArtifact>;

/** run_manifest.json */
export const RunManifest = z.looseObject({
  schema: z.literal('gameday/run-manifest@1'),
  runId: z.string().min(1),
  drill: z.looseObject({ name: z.string(), app: z.string(), file: z.string(), sha256: Sha256Hex }),
  timeScale: z.number().positive(),
  compressed: z.boolean(),
  scheduledMs: z.number().nonnegative(),
  startedAt: IsoTime,
  endedAt: IsoTime,
  tools: z.looseObject({ gameday: z.string() }),
  decision: z.looseObject({ decision: z.enum(['GO', 'NO-GO', 'CONDITIONAL']), exitCode: z.number().int() }),
  artifacts: z.array(ManifestArtifact),
});
export type RunManifest = z.infer<typeof RunManifest>;

/** One verdict as decisions.json and slo_results.json hold it (src/judge/evaluate.ts Verdict). */
export const VerdictRecord = z.looseObject({
  slo: z.string(),
  kind: z.string(),
  phase: z.string(),
  request: z.string().nullable(),
  objective: z.string(),
  observed: z.number().nullable(),
  unit: z.string(),
  samples: z.number().int().nonnegative(),
  pass: z.boolean(),
  blocking: z.boolean(),
  reason: z.string(),
  detail: z.string(),
  evidence: z.array(z.string()),
  /** the policy's waiver that covered this failed verdict */
  waivedBy: z.looseObject({ owner: z.string(), reason: z.string(), expires: z.string() }).optional(),
});
export type VerdictRecord = z.infer<typeof VerdictRecord>;

export const RunProblemRecord = z.looseObject({ code: z.string(), message: z.string() });

/** What became of one waiver of the drill's policy (src/judge/decide.ts WaiverOutcome). */
export const WaiverRecord = z.looseObject({
  slo: z.string(),
  owner: z.string(),
  reason: z.string(),
  expires: z.string(),
  status: z.string(),
});

/** decisions.json (src/judge/decide.ts DecisionRecord plus runId, drill, app) */
export const DecisionFile = z.looseObject({
  runId: z.string().min(1),
  drill: z.string(),
  app: z.string(),
  decision: z.enum(['GO', 'NO-GO', 'CONDITIONAL']),
  exitCode: z.number().int(),
  reasons: z.array(z.string()),
  invalid: z.boolean(),
  problems: z.array(RunProblemRecord),
  verdicts: z.array(VerdictRecord),
  /** only with a policy */
  waivers: z.array(WaiverRecord).optional(),
});
export type DecisionFile = z.infer<typeof DecisionFile>;

export const PhaseWindowRecord = z.looseObject({ phase: z.string(), startMs: z.number(), endMs: z.number() });

/** slo_results.json (the parts the evidence layer reads) */
export const SloResultsFile = z.looseObject({
  runId: z.string(),
  phases: z.array(PhaseWindowRecord),
  verdicts: z.array(VerdictRecord),
});
export type SloResultsFile = z.infer<typeof SloResultsFile>;

export const FaultRecordSchema = z.looseObject({
  name: z.string(),
  driver: z.string(),
  action: z.string(),
  /** which replicas the fault hit: one proxy per replica (toxiproxy), or the replicas (process) */
  target: z.looseObject({ service: z.string(), proxies: z.array(z.string()).optional(), replicas: z.array(z.unknown()).optional() }),
  scheduled: z.looseObject({ startMs: z.number(), endMs: z.number() }),
  injectedAt: IsoTime.nullable(),
  injectVerified: z.boolean(),
  revertedAt: IsoTime.nullable(),
  revertVerified: z.boolean(),
  outcome: z.enum(['not-started', 'injected', 'reverted', 'inject-failed', 'revert-failed']),
  error: z.string().nullable(),
});
export type FaultRecordSchema = z.infer<typeof FaultRecordSchema>;

/** A partner outage: a fault window of the timeline made by a partner simulator's behaviour, not injected. */
export const PartnerOutageRecordSchema = z.looseObject({
  name: z.string(),
  kind: z.literal('partner-outage'),
  partner: z.string(),
  route: z.string().nullable(),
  reasons: z.array(z.string()),
  scheduled: z.looseObject({ startMs: z.number(), endMs: z.number() }),
  startedAt: IsoTime.nullable(),
  endedAt: IsoTime.nullable(),
});

/** chaos_report.json (the parts the evidence layer reads) */
export const ChaosReportFile = z.looseObject({
  runId: z.string(),
  t0: IsoTime.nullable(),
  faults: z.array(FaultRecordSchema),
  /** absent in runs made before partner outages were recorded */
  partnerOutages: z.array(PartnerOutageRecordSchema).optional(),
});
export type ChaosReportFile = z.infer<typeof ChaosReportFile>;

// ---------------------------------------------------------------------------------------
// Attestation: an in-toto Statement v1 in a DSSE envelope (attestation.intoto.jsonl)

export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/**
 * The predicate type of a gameday drill run. Version 1: the fields of DrillRunPredicate below.
 * A breaking change to the predicate gets a new URI (…/drill-run/v2).
 */
export const DRILL_RUN_PREDICATE_TYPE = 'https://gameday.dev/drill-run/v1';

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected standard base64');

export const DsseSignature = z.strictObject({ keyid: z.string(), sig: Base64.min(1) });

/** DSSE envelope, one JSON object on one line. */
export const DsseEnvelope = z.strictObject({
  payload: Base64,
  payloadType: z.string().min(1),
  signatures: z.array(DsseSignature).min(1, 'a signed envelope has at least one signature'),
});
export type DsseEnvelope = z.infer<typeof DsseEnvelope>;

export const StatementSubject = z.strictObject({ name: RunPath, digest: z.strictObject({ sha256: Sha256Hex }) });
export type StatementSubject = z.infer<typeof StatementSubject>;

export const VerdictSummary = z.strictObject({
  total: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  failedBlocking: z.array(z.string()),
  failedAdvisory: z.array(z.string()),
  noEvidence: z.array(z.string()),
});

export const DrillRunPredicate = z.strictObject({
  drill: z.strictObject({ name: z.string(), file: z.string(), sha256: Sha256Hex }),
  app: z.string(),
  runId: z.string().min(1),
  startedAt: IsoTime,
  endedAt: IsoTime,
  timeScale: z.number().positive(),
  compressed: z.boolean(),
  /** gameday, node, k6, toxiproxy, as run_manifest.json records them */
  toolVersions: z.record(z.string(), z.unknown()),
  /** how verdicts became the decision */
  policy: z.strictObject({
    name: z.literal('gameday/decision@1'),
    /** SLO names by severity, after the drill's policy */
    blocking: z.array(z.string()),
    advisory: z.array(z.string()),
    /** the policy's waivers: who accepted which failure, until when, and whether it applied */
    waivers: z.array(z.strictObject({ slo: z.string(), owner: z.string(), reason: z.string(), expires: z.string(), status: z.string() })),
  }),
  decision: z.strictObject({
    decision: z.enum(['GO', 'NO-GO', 'CONDITIONAL']),
    exitCode: z.number().int(),
    invalid: z.boolean(),
    problems: z.array(z.string()),
    reasons: z.array(z.string()),
  }),
  verdicts: VerdictSummary,
  /** as the in-toto test-result predicate grades it: GO → PASSED, CONDITIONAL → WARNED, NO-GO → FAILED */
  result: z.enum(['PASSED', 'WARNED', 'FAILED']),
  /** sha256 of the previous line of reports/<app>/runs.chain.ndjson; null for the app's first run */
  previousRunDigest: Sha256Hex.nullable(),
});
export type DrillRunPredicate = z.infer<typeof DrillRunPredicate>;

export const InTotoStatement = z.strictObject({
  _type: z.literal(IN_TOTO_STATEMENT_TYPE),
  subject: z.array(StatementSubject).min(1),
  predicateType: z.literal(DRILL_RUN_PREDICATE_TYPE),
  predicate: DrillRunPredicate,
});
export type InTotoStatement = z.infer<typeof InTotoStatement>;

// ---------------------------------------------------------------------------------------
// reports/<app>/runs.chain.ndjson: one line per run, each naming the digest of the line before

export const ChainLine = z.strictObject({
  /** 1 for the app's first run, +1 per line: a gap is a deleted line */
  seq: z.number().int().positive(),
  runId: z.string().min(1),
  manifestSha256: Sha256Hex,
  /** sha256 of the previous line's text (without its newline); null on the first line */
  previous: Sha256Hex.nullable(),
  at: IsoTime,
});
export type ChainLine = z.infer<typeof ChainLine>;

// ---------------------------------------------------------------------------------------
// compliance.json

export const FRAMEWORKS = ['SOC 2', 'ISO/IEC 27001:2022', 'PCI DSS 4.0', 'HIPAA Security Rule', 'NIST SP 800-53 Rev. 5', 'DORA'] as const;

export const ControlRef = z
  .strictObject({
    framework: z.enum(FRAMEWORKS),
    control: z.string().min(1),
    title: z.string(),
    /** direct: the run itself is evidence of the control; supporting: it is part of the evidence */
    grade: z.enum(['direct', 'supporting']),
  })
  .refine((c) => !(c.framework === 'PCI DSS 4.0' && /^11(\.|$)/.test(c.control)), {
    message: 'PCI DSS 11.x is security (penetration and vulnerability) testing: a chaos drill is no evidence of it',
    path: ['control'],
  })
  .refine((c) => !(c.framework === 'DORA' && /^Art\. 2[6-7]\b/.test(c.control)), {
    message: 'DORA Art. 26-27 is threat-led penetration testing: a chaos drill is no evidence of it',
    path: ['control'],
  });
export type ControlRef = z.infer<typeof ControlRef>;

export const CLAIM_IDS = ['recovery-tested', 'incident-response-tested', 'redundancy-exercised', 'capacity-under-load', 'partner-outage-fallback'] as const;
export const ClaimId = z.enum(CLAIM_IDS);
export type ClaimId = z.infer<typeof ClaimId>;

export const ComplianceClaim = z.strictObject({
  id: ClaimId,
  /** what the run showed, in one sentence */
  statement: z.string(),
  /** held: the SLOs judged for this claim passed; not-held: the test ran and they did not */
  outcome: z.enum(['held', 'not-held']),
  /** the facts of the run the claim rests on */
  basis: z.array(z.string()).min(1),
  controls: z.array(ControlRef).min(1),
  /** artifact paths in the run directory that show it */
  artifacts: z.array(RunPath).min(1),
});
export type ComplianceClaim = z.infer<typeof ComplianceClaim>;

export const ComplianceReport = z.strictObject({
  schema: z.literal('gameday/compliance@1'),
  runId: z.string(),
  drill: z.string(),
  app: z.string(),
  decision: z.enum(['GO', 'NO-GO', 'CONDITIONAL']),
  note: z.string(),
  claims: z.array(ComplianceClaim),
  /** what was looked for and not claimed, with the reason */
  notClaimed: z.array(z.strictObject({ id: ClaimId, reason: z.string() })),
  /** controls this kind of evidence never supports */
  neverClaimed: z.array(z.strictObject({ framework: z.enum(FRAMEWORKS), control: z.string(), reason: z.string() })),
});
export type ComplianceReport = z.infer<typeof ComplianceReport>;
