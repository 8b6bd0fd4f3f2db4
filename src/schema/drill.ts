// The drill: one schema for the TypeScript form (`defineDrill({...})`) and the YAML form.
import { z } from 'zod';
import { DRIVERS, FAULT_ACTIONS, FAULTS, supports, actionsOf, type DriverName, type FaultAction } from '../../chaos/registry.ts';
import { PrometheusSlo, Telemetry } from './telemetry.ts';
import { AllowRemote, DockerTarget, ExternalTarget, KubernetesTarget, type RunningTarget } from './external.ts';
import { Duration } from './duration.ts';
import { checkGuards, guardAlarms, Guards } from './guards.ts';
import { NatsName, Slug } from './names.ts';
import { Partner as PartnerSpec, routeName } from './partner.ts';
import { FaultRef, partnerOutages } from './partner-outages.ts';
import { FisBlock, fisSpecOfFault } from './fis-drill.ts';
import { Ratio } from './ratio.ts';
import { checkProbes, Probes } from './probes.ts';
import { JITTERS, WEBHOOK_VARIANTS } from './vocabulary.ts';


export const PHASES = ['steady', 'fault', 'recovery'] as const;
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;

export { Ratio } from './ratio.ts';

const Service = z.strictObject({
  name: Slug,
  /** argv of one replica ({{port}} and the other placeholders of env expand here too); arguments starting with ./ or ../ are resolved against the drill file's folder */
  command: z.array(z.string()).min(1),
  replicas: z.number().int().min(1).max(16).default(1),
  /** replica i runs in zones[i % zones.length]; exported to it as ZONE */
  zones: z.array(Slug).min(1).default(['a']),
  /** environment of every replica; {{port}}, {{replica}}, {{zone}}, {{dataDir}}, {{t0File}}, {{partners.NAME.url}}, {{partners.NAME.webhookSecret}} (and for a partner that rotates its key {{partners.NAME.previousWebhookSecret}}, {{partners.NAME.rotationAt}}, {{partners.NAME.rotationEnd}}) are filled in */
  env: z.record(z.string(), z.string()).default({}),
  healthPath: z.string().startsWith('/').default('/healthz'),
  startTimeout: Duration.default(15_000),
});

/**
 * Another service of the target — a dependency of the service under load (a database, a cache, an
 * internal API): started first, in dependsOn order, each replica behind its own Toxiproxy proxy.
 * The services after it reach it through that proxy as {{services.NAME.url}} (http://127.0.0.1:P)
 * or {{services.NAME.address}} (127.0.0.1:P), so a network fault on it cuts the app off from its
 * dependency, not only k6 from the app.
 */
const DependencyService = Service.extend({
  /** the services this one reaches ({{services.NAME...}} in its env or command): started before it */
  dependsOn: z.array(Slug).default([]),
  /** HTTP health path, or null: up once it accepts TCP connections on its port (a database, a cache) */
  healthPath: z.string().startsWith('/').nullable().default(null),
});

export type DependencySpec = z.output<typeof DependencyService>;

/** When nginx retries a request on the next replica (proxy_next_upstream); `off` alone: never. */
export const NEXT_UPSTREAM_CONDITIONS = ['error', 'timeout', 'invalid_header', 'http_500', 'http_502', 'http_503', 'http_504', 'http_429', 'non_idempotent', 'off'] as const;

/** The load balancer is a judged part of the system: its passive health check and retries are the drill's to set. */
const LoadBalancer = z.strictObject({
  kind: z.literal('nginx'),
  /** failed attempts within failTimeout that take a replica out of rotation for failTimeout (nginx max_fails; 0: never) */
  maxFails: z.number().int().min(0).max(1000).default(1),
  /** the passive health check's window and time out; time-scaled with the timeline (nginx counts whole seconds, at least 1) */
  failTimeout: Duration.default(10_000),
  /** when a request is retried on the next replica; [off]: never (a sent POST is replayed only with non_idempotent) */
  nextUpstream: z
    .array(z.enum(NEXT_UPSTREAM_CONDITIONS))
    .min(1)
    .refine((c) => !c.includes('off') || c.length === 1, 'off stands alone: write [off], or list the conditions')
    .default(['error', 'timeout', 'http_502', 'http_503']),
  /** retries on other replicas after the first attempt; default: every other replica */
  retries: z.number().int().min(0).max(99).optional(),
});

/** A size in MiB: 32, "32m", "32MB", "1g". */
export const SizeMb = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const m = typeof value === 'number' ? null : /^(\d+)\s*(m|mb|mib|g|gb|gib)$/i.exec(value.trim());
  const n = typeof value === 'number' ? value : m ? Number(m[1]) * (/^g/i.test(m[2]) ? 1024 : 1) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65_536) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a size: write e.g. "32m" or "1g" (1 MiB to 64 GiB)` });
    return z.NEVER;
  }
  return n;
});


/** A NATS JetStream cluster started for the run; replicas get its URL as {{broker.url}}. */
const NatsBroker = z.strictObject({
  kind: z.literal('nats'),
  /** what faults name as their target (toxiproxy faults on the broker's proxies, broker-failover) */
  name: Slug.default('broker'),
  /** nats-server processes; a broker-failover needs at least 3 (a replicated stream keeps a quorum) */
  nodes: z.number().int().min(1).max(5).default(3),
  /**
   * streams created replicated (R3, file storage) before the service starts, so that the service
   * finds them instead of creating unreplicated ones; a broker-failover kills the leader of one
   */
  streams: z.array(z.strictObject({ name: NatsName, subjects: z.array(z.string().min(1)).min(1) })).default([]),
});

/**
 * A Redis primary with its replicas and Sentinel quorum, started for the run (Debian's
 * redis-server); replicas get `redis-sentinel://127.0.0.1:P1,127.0.0.1:P2,.../NAME` as
 * {{broker.url}}: the sentinels to ask and the name they monitor the primary under. A
 * broker-failover SIGKILLs the primary; Sentinel promotes a replica.
 */
const RedisSentinelBroker = z.strictObject({
  kind: z.literal('redis-sentinel'),
  name: Slug.default('broker'),
  /** replicas of the primary; a failover needs at least 1 */
  replicas: z.number().int().min(1).max(4).default(2),
  /** sentinels; the quorum is a majority of them */
  sentinels: z.number().int().min(1).max(5).default(3),
  /**
   * Sentinel's down-after-milliseconds: how long the primary may not answer before a sentinel
   * calls it down (Redis' default 30s; default here 5s; not time-scaled). Too short on a busy
   * machine and a healthy primary is failed over too — a second failover that loses writes.
   */
  downAfter: Duration.default(5000),
});

/**
 * Kafka in KRaft mode, started for the run: combined broker/controller nodes on 127.0.0.1
 * (Kafka's jars from Maven Central on a JRE). Replicas get `kafka://127.0.0.1:P1,127.0.0.1:P2,...`
 * as {{broker.url}}. Declared topics are created with replication factor = nodes and
 * min.insync.replicas 2 before the service starts. A broker-failover SIGKILLs the leader of a probe
 * topic's partition.
 */
const KafkaBroker = z.strictObject({
  kind: z.literal('kafka'),
  name: Slug.default('broker'),
  /** combined broker/controller nodes; a failover needs 3 */
  nodes: z.number().int().min(1).max(5).default(3),
  /** created with one partition, replication factor = nodes (at most 3) and min.insync.replicas 2 before the service starts */
  topics: z.array(z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'a Kafka topic name: letters, digits, ".", "_" and "-"')).default([]),
  /** broker.session.timeout.ms: how long the controller waits before it fences a silent broker and moves its leaderships (Kafka's default 9s; not time-scaled) */
  sessionTimeout: Duration.default(9000),
});

/** The drill's stateful dependency, started for the run: a NATS JetStream cluster, a Redis with Sentinel, or Kafka. */
const Broker = z.discriminatedUnion('kind', [NatsBroker, RedisSentinelBroker, KafkaBroker]);

const LaunchedTarget = z.strictObject({
  /**
   * process: the service's replicas as local processes on 127.0.0.1.
   * containers: the replicas as containers on a Docker engine, on a network of the run's own with
   * a Toxiproxy container in front of them (one proxy per replica, published on 127.0.0.1). The
   * image is built locally (no registry): FROM scratch with this machine's node, the entry's
   * folder copied to /app (without node_modules, drills/, dot files, *.md and *.yaml) and the
   * packages its modules import (from package-lock.json). So a containers service is
   * `command: [node, ./path/to/entry.mjs]`, a node program listening on PORT (8080) and HOST
   * (0.0.0.0), DATA_DIR /data (the run's scratch folder, bind-mounted); it logs "listening on"
   * when ready. The partner simulators run in a container of their own on that network:
   * {{partners.NAME.url}} is their in-network address (http://gameday-<run>-partners:<port>).
   */
  kind: z.enum(['process', 'containers']),
  service: Service,
  /** process targets: the service's dependencies, started before it in dependsOn order (see DependencyService) */
  services: z.array(DependencyService).default([]),
  /** one nginx on 127.0.0.1 in front of the replicas (each still behind its own Toxiproxy proxy): load goes to it */
  loadBalancer: LoadBalancer.optional(),
  broker: Broker.optional(),
  /** the service's DATA_DIR on a filesystem of this size, mounted for the run (root or CAP_SYS_ADMIN needed): what disk-full fills */
  disk: z.strictObject({ size: SizeMb }).optional(),
});

/** What the drill runs against: a service gameday launches (process, containers), or a running system (external, docker, kubernetes). */
const Target = z.discriminatedUnion('kind', [LaunchedTarget, ExternalTarget, DockerTarget, KubernetesTarget]);
type TargetOutput = z.output<typeof Target>;

/** A system that already runs (external, docker, kubernetes): gameday starts and stops nothing of it. */
export function isRunningSystem(target: TargetOutput): target is RunningTarget {
  return target.kind === 'external' || target.kind === 'docker' || target.kind === 'kubernetes';
}
type LaunchedTargetOut = z.output<typeof LaunchedTarget>;
export type Service = LaunchedTargetOut['service'];
export type BrokerSpec = NonNullable<LaunchedTargetOut['broker']>;

/** The target when gameday launches it (process, containers: its load balancer, broker, disk), else null. */
export function launchedTarget(target: TargetOutput): LaunchedTargetOut | null {
  return isRunningSystem(target) ? null : target;
}

/** The service gameday launches, or null: an external system is not gameday's to start. */
export function launchedService(target: TargetOutput): Service | null {
  return isRunningSystem(target) ? null : target.service;
}

/** The shape of what was drilled, for the report and compliance: an external system's endpoints count as its replicas. */
export type TopologyInput = { kind: 'external' | 'docker' | 'kubernetes'; name: string; endpoints: readonly unknown[] } | { kind?: 'process' | 'containers'; service: { name: string; replicas: number; zones: string[] } };
export function targetTopology(target: TopologyInput): { service: string; replicas: number; zones: string[] } {
  if ('endpoints' in target) return { service: target.name, replicas: target.endpoints.length, zones: [] };
  return { service: target.service.name, replicas: target.service.replicas, zones: target.service.zones };
}

/** The name faults target and the report shows: the launched service's, or the external system's. */
export function targetName(target: TargetOutput): string {
  return isRunningSystem(target) ? target.name : target.service.name;
}

export const WEBHOOK_SCHEMES = ['standard-webhooks', 'stripe', 'github'] as const;

const Webhook = z.strictObject({
  partner: Slug,
  scheme: z.enum(WEBHOOK_SCHEMES).default('standard-webhooks'),
  /**
   * idempotency replay: deliver the same webhook (same id, same bytes) twice, then GET this
   * path ("{id}" replaced) and check that the SUT applied it once ({"applied": 1})
   */
  replay: z.strictObject({ checkPath: z.string().startsWith('/').refine((p) => p.includes('{id}'), 'the check path needs an "{id}" placeholder') }).optional(),
});

const WebSocketFlow = z.strictObject({
  /** messages sent on each connection, one every `interval`; each must be echoed back */
  messages: z.number().int().positive().default(10),
  interval: Duration.default(1000),
  /** how long to wait for the last echo before counting a drop */
  echoTimeout: Duration.default(2000),
});

const Request = z.strictObject({
  name: Slug,
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  path: z.string().startsWith('/'),
  /** relative share of iterations */
  weight: z.number().positive().default(1),
  /** JSON body; a webhook request sends {"id", "type", "data"} when none is given */
  body: z.unknown().optional(),
  /** statuses that count as success (k6 http_req_failed and a check); default 200-399 */
  expect: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  /** sign the body as a webhook from this partner */
  webhook: Webhook.optional(),
  /** a WebSocket session on `path` instead of an HTTP request */
  websocket: WebSocketFlow.optional(),
});

const ProfileBase = {
  /** start, from the start of load; default: when the previous profile ends (profiles run in sequence) */
  at: Duration.optional(),
  preAllocatedVUs: z.number().int().positive().optional(),
  maxVUs: z.number().int().positive().optional(),
  /** names of load.requests this profile sends; default all */
  requests: z.array(Slug).min(1).optional(),
};

const Rate = z.number().positive();

export const LoadProfile = z.discriminatedUnion('profile', [
  /** constant arrival rate */
  z.strictObject({ ...ProfileBase, profile: z.literal('baseline'), rate: Rate, duration: Duration }),
  /** long constant arrival rate; drift between the first and last tenth is reported */
  z.strictObject({ ...ProfileBase, profile: z.literal('soak'), rate: Rate, duration: Duration }),
  /** base rate, jump to the peak, hold, back down, observe recovery */
  z.strictObject({
    ...ProfileBase,
    profile: z.literal('spike'),
    baseRate: Rate,
    peakRate: Rate,
    warmup: Duration,
    rampUp: Duration,
    hold: Duration,
    rampDown: Duration,
    recovery: Duration,
  }),
  /** ramp the arrival rate until an SLO breaks; the breaking point is reported (rps) */
  z.strictObject({ ...ProfileBase, profile: z.literal('stress'), startRate: Rate, maxRate: Rate, duration: Duration }),
  /** closed model: VUs ramp through stages */
  z.strictObject({
    ...ProfileBase,
    profile: z.literal('vu-ramp'),
    startVUs: z.number().int().nonnegative().default(0),
    stages: z.array(z.strictObject({ duration: Duration, target: z.number().int().nonnegative() })).min(1),
  }),
]);
export type LoadProfile = z.output<typeof LoadProfile>;

/** Length of one profile, ms (unscaled). */
export function profileLength(p: LoadProfile): number {
  switch (p.profile) {
    case 'baseline':
    case 'soak':
    case 'stress':
      return p.duration;
    case 'spike':
      return p.warmup + p.rampUp + p.hold + p.rampDown + p.recovery;
    case 'vu-ramp':
      return p.stages.reduce((sum, st) => sum + st.duration, 0);
  }
}

/** Start of each profile, ms: its `at`, or the end of the one before (sequence). */
export function profileStarts(profiles: readonly LoadProfile[]): number[] {
  const starts: number[] = [];
  let previousEnd = 0;
  for (const p of profiles) {
    const start = p.at ?? previousEnd;
    starts.push(start);
    previousEnd = start + profileLength(p);
  }
  return starts;
}

/** The length of the load: the end of the last profile, ms. */
export function loadLengthMs(profiles: readonly LoadProfile[]): number {
  const starts = profileStarts(profiles);
  return profiles.reduce((end, p, i) => Math.max(end, starts[i] + profileLength(p)), 0);
}

const Load = z.strictObject({
  requests: z.array(Request).min(1),
  /** composed on one timeline: in sequence by default, in parallel when given the same `at` */
  profiles: z.array(LoadProfile).min(1),
  /** the share of the arrival-rate profiles' planned iterations k6 must start (not drop) for the run to be valid */
  minDelivered: Ratio.default(0.99),
});

/**
 * A partner's webhook sender on the timeline: delivers webhooks to the SUT at a rate, valid or
 * forged per `mix`, retrying on 429/5xx like a real sender; every attempt goes to the journal.
 */
const WebhookSender = z.strictObject({
  name: Slug,
  /** whose webhooks: the partner's webhookSecret signs them */
  partner: Slug,
  /** the SUT's webhook endpoint, e.g. "/webhooks/acme" */
  path: z.string().startsWith('/'),
  scheme: z.enum(WEBHOOK_SCHEMES).default('standard-webhooks'),
  /** start, from t = 0 (time-scaled) */
  at: Duration.default(0),
  /** how long deliveries start (time-scaled); in-flight ones get their retries within it */
  duration: Duration,
  /** deliveries started per second */
  rate: z.number().positive().max(1000),
  /** relative weights of the variants, e.g. {valid: 8, wrong-secret: 1, stale-timestamp: 1} */
  mix: z.partialRecord(z.enum(WEBHOOK_VARIANTS), z.number().nonnegative()).default({ valid: 1 }),
  retry: z.strictObject({ maxAttempts: z.number().int().min(1).max(10).default(5), base: Duration.default(100), cap: Duration.default(2000) }).optional(),
  /**
   * where the SUT says how often a webhook was applied ("{id}" replaced; answers {"applied": n}):
   * read after the load for every replayed id, so idempotency-violations can be judged
   */
  appliedPath: z.string().startsWith('/').refine((p) => p.includes('{id}'), 'the path needs an "{id}" placeholder').optional(),
});

// Partner (routes, behaviour timelines, webhookSecret) lives in ./partner.ts: the same schema
// validates the partners file of `gameday simulate`. Its timelines check their own order.

export { FAULT_ACTIONS, type DriverName, type FaultAction };

const FaultBase = {
  name: Slug,
  /** toxiproxy: network faults on the proxies in front of the service (or the broker); process: the service's replica processes; containers: its replica containers (target.kind containers); broker: the NATS cluster; disk: the service's DATA_DIR */
  driver: z.enum(DRIVERS).default('toxiproxy'),
  /** the service that gets the fault, or the broker's name (target.broker.name); external: the system's or one endpoint's name */
  target: Slug,
  /** toxiproxy on an external target: an existing proxy of the team's Toxiproxy (target.toxiproxy.url or TOXIPROXY_URL); gameday adds and removes only its own toxics there */
  proxy: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a Toxiproxy proxy name: letters, digits, ".", "_" and "-"').optional(),
  at: Duration,
  duration: Duration,
  /** driver fis: the AWS FIS spec minus the action and the window (src/schema/fis-drill.ts) */
  fis: FisBlock.optional(),
};

/** One fault of the drill: the common fields and the action's own parameters, from the fault registry (chaos/registry.ts). */
function faultOption<A extends FaultAction>(action: A) {
  return z.strictObject({ ...FaultBase, action: z.literal(action), ...(FAULTS[action].params.shape as (typeof FAULTS)[A]['params']['shape']) });
}
type FaultOption = { [A in FaultAction]: ReturnType<typeof faultOption<A>> }[FaultAction];
const Fault = z.discriminatedUnion('action', FAULT_ACTIONS.map((a) => faultOption(a)) as [FaultOption, ...FaultOption[]]);
const SloBase = {
  name: Slug,
  /** restrict to one phase of the timeline; the whole run when absent */
  phase: Phase.optional(),
  /** restrict to one request of the load (its name) */
  request: Slug.optional(),
  /** blocking: a failure makes the decision NO-GO; advisory: CONDITIONAL */
  severity: z.enum(['blocking', 'advisory']).default('blocking'),
};

/** SLOs judged from figures other evidence produces: no phase or request of the load. */
const SloOwnEvidence = {
  name: Slug,
  severity: SloBase.severity,
};

/** A share of the error budget, may exceed 1: 0.15 or "15%" (or "150%"). */
const BudgetShare = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : /^\d+(\.\d+)?%$/.test(value.trim()) ? Number(`${value.trim().slice(0, -1)}e-2`) : NaN;
  if (!(n >= 0)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a share of the error budget: write a number (0.15) or a percentage ("15%")` });
    return z.NEVER;
  }
  return n;
});

/** A figure to compare: a number (a count, a ratio 0..1, ms) or a percentage ("99%"). */
const Figure = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : /^-?\d+(\.\d+)?%$/.test(value.trim()) ? Number(`${value.trim().slice(0, -1)}e-2`) : NaN;
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a figure: write a number (0, 0.99) or a percentage ("99%")` });
    return z.NEVER;
  }
  return n;
});

/** The windowed SLI a recovery is judged on, per 1-second window. */
const RecoverySli = z.discriminatedUnion('metric', [
  z.strictObject({ metric: z.literal('error-rate'), below: Ratio }),
  z.strictObject({ metric: z.literal('latency'), percentile: z.number().gt(0).lt(100), below: Duration }),
]);

/** Figures of the simulator journal analysis (src/judge/journal-analysis.ts). Ratios: higher is better; counts: lower is. */
export const JOURNAL_FIGURES = ['backoff-compliance', 'backoff-jitter', 'retry-after-honoured', 'idempotency-violations', 'forged-accepted', 'valid-rejected', 'accepted-not-applied'] as const;
export const JOURNAL_RATIO_FIGURES: readonly string[] = ['backoff-compliance', 'backoff-jitter', 'retry-after-honoured'];

/** The retry policy the SUT declares for its partner calls: what backoff-compliance and backoff-jitter judge against. */
export const BackoffExpectation = z.strictObject({
  base: Duration,
  cap: Duration,
  jitter: z.enum(JITTERS).default('full'),
  /** attempts per call, the first included */
  maxAttempts: z.number().int().min(1).max(20),
});
/** Figures of the chaos report. */
export const CHAOS_FIGURES = ['broker-failover-time', 'message-loss', 'pod-replacement-time'] as const;
/** The chaos figures that are durations (judged `within`); the others are counts (`atMost`). */
export const CHAOS_TIME_FIGURES: ReadonlySet<string> = new Set(['broker-failover-time', 'pod-replacement-time']);

const DAY_MS = 86_400_000;

export const Slo = z.discriminatedUnion('kind', [
  z.strictObject({ ...SloBase, kind: z.literal('latency'), percentile: z.number().gt(0).lt(100), below: Duration }),
  z.strictObject({ ...SloBase, kind: z.literal('error-rate'), below: Ratio }),
  /** successful / total requests ≥ objective; success = not http_req_failed */
  z.strictObject({ ...SloBase, kind: z.literal('availability'), objective: Ratio }),
  /** requests per second over the phase (or the run) ≥ atLeast */
  z.strictObject({ ...SloBase, kind: z.literal('throughput'), atLeast: z.number().positive() }),
  /**
   * After `fault` is reverted, the windowed SLI (per 1-s window) is back within its objective
   * and stays there for `hold`, within `within` of the revert.
   */
  z.strictObject({
    ...SloOwnEvidence,
    kind: z.literal('recovery-time'),
    /** a fault of `faults`, or a partner outage ("partner:acme GET /offers") */
    fault: FaultRef,
    request: Slug.optional(),
    sli: RecoverySli,
    within: Duration,
    hold: Duration.default(5000),
  }),
  /**
   * Error budget of an availability objective over the drill: burn = bad fraction / (1 − objective),
   * met when burn ≤ maxBurn. Multi-window burn-rate alerts (SRE workbook, factors 14.4/6/3/1 over
   * `period`) are evaluated with their windows scaled to the drill's length and reported.
   */
  z.strictObject({
    ...SloBase,
    kind: z.literal('error-budget-burn'),
    objective: Ratio,
    maxBurn: BudgetShare,
    /** the SLO period the alert factors are defined over */
    period: Duration.default(30 * DAY_MS),
  }),
  /** After `fault` is reverted, the SUT metric `metric` (read from `path` during the run) returns to ≤ atMost within `within`. */
  z.strictObject({
    ...SloOwnEvidence,
    kind: z.literal('backlog-drain'),
    fault: FaultRef,
    metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'use a Prometheus metric name, e.g. "queue_depth"'),
    path: z.string().startsWith('/').default('/metrics'),
    atMost: z.number(),
    within: Duration,
    hold: Duration.default(0),
  }),
  /** A figure of the simulator journal analysis against atLeast / atMost (counts default to atMost 0). */
  z.strictObject({
    ...SloOwnEvidence,
    kind: z.literal('journal'),
    figure: z.enum(JOURNAL_FIGURES),
    partner: Slug.optional(),
    atLeast: Figure.optional(),
    atMost: Figure.optional(),
    /** backoff-compliance / backoff-jitter: the SUT's declared retry policy */
    backoff: BackoffExpectation.optional(),
  }),
  /** A figure of the chaos report: broker-failover-time or pod-replacement-time (kubernetes pod-kill / az-failure: delete → replacement Ready) `within` a duration, message-loss `atMost` a count. */
  z.strictObject({
    ...SloOwnEvidence,
    kind: z.literal('chaos'),
    figure: z.enum(CHAOS_FIGURES),
    fault: Slug.optional(),
    within: Duration.optional(),
    atMost: z.number().int().nonnegative().optional(),
  }),
  /**
   * A soak profile's drift, its last tenth against its first: `latency-p95` as a relative increase
   * (atMost "20%": at most 20% slower), `error-rate` as a difference of ratios (atMost "1%": at most
   * one point more errors). `profile` is the index in load.profiles (default: the first soak).
   */
  z.strictObject({
    ...SloOwnEvidence,
    kind: z.literal('drift'),
    metric: z.enum(['latency-p95', 'error-rate']),
    profile: z.number().int().nonnegative().optional(),
    atMost: Ratio,
  }),
  /** A PromQL expression over a phase / the window after a fault / the run, reduced and bounded (src/schema/telemetry.ts) */
  PrometheusSlo,
]);

/** The subject gameday's broker-failover probe publishes on, captured by `stream` (and consumed by nothing else). */
export function probeSubject(stream: string): string {
  return `gameday.probe.${stream}`;
}

/** Whether NATS subject pattern `pattern` (with * and >) matches the literal `subject`. */
function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const t = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length || (p[i] !== '*' && p[i] !== t[i])) return false;
  }
  return p.length === t.length;
}

type TargetOut = LaunchedTargetOut;
type FaultOut = z.output<typeof Fault>;

function checkBroker(target: TargetOut, ctx: z.RefinementCtx): void {
  const broker = target.broker;
  if (!broker) return;
  if (broker.name === target.service.name) ctx.addIssue({ code: 'custom', path: ['target', 'broker', 'name'], message: `the broker needs a name of its own: "${broker.name}" is the service's` });
  if (broker.kind !== 'nats') return;
  const seen = new Set<string>();
  broker.streams.forEach((st, i) => {
    if (seen.has(st.name)) ctx.addIssue({ code: 'custom', path: ['target', 'broker', 'streams', i, 'name'], message: `stream names must be unique: "${st.name}" is used twice` });
    seen.add(st.name);
    st.subjects.forEach((subject, j) => {
      if (subjectMatches(subject, probeSubject(st.name)) || subject.startsWith('gameday.')) {
        ctx.addIssue({ code: 'custom', path: ['target', 'broker', 'streams', i, 'subjects', j], message: `"${subject}" overlaps gameday's probe subjects (gameday.probe.*): narrow it, e.g. "hub.events.>"` });
      }
    });
  });
}

/** The drivers that act on the replicas themselves, per target kind. */
const REPLICA_DRIVER = { process: 'process', containers: 'containers' } as const;

/** A containers target: what it can run and which faults reach it; and the containers driver only on one. */
function checkContainers(target: TargetOut, faults: readonly FaultOut[], ctx: z.RefinementCtx): void {
  const own = REPLICA_DRIVER[target.kind];
  const other = target.kind === 'process' ? 'containers' : 'process';
  faults.forEach((f, i) => {
    if (f.driver !== other) return;
    ctx.addIssue({
      code: 'custom',
      path: ['faults', i, 'driver'],
      message:
        target.kind === 'process'
          ? `the containers driver acts on replica containers, and this target runs processes: use driver "${own}" (or target.kind: containers)`
          : `the replicas of a containers target are containers, not local processes: use driver "${own}"`,
    });
  });
  if (target.kind !== 'containers') return;
  if (target.services.length) ctx.addIssue({ code: 'custom', path: ['target', 'services'], message: 'a containers target has no other services yet: remove target.services, or use target.kind: process' });
  for (const part of ['loadBalancer', 'broker', 'disk'] as const) {
    if (target[part]) ctx.addIssue({ code: 'custom', path: ['target', part], message: `a containers target has no ${part} yet: remove target.${part}, or use target.kind: process` });
  }
  const [cmd, entry, ...rest] = target.service.command;
  // an executable (a static Go server, ...) runs alone in its image, its arguments per container
  if (cmd !== 'node') {
    if (!/^(\.\.?\/|\/)/.test(cmd)) ctx.addIssue({ code: 'custom', path: ['target', 'service', 'command', 0], message: `a containers service is [node, ./entry.mjs] or an executable's path (./bin/server, relative to the drill, or absolute), not a name on PATH: write the path of "${cmd}"` });
    return;
  }
  if (!entry || !/^\.\.?\//.test(entry) || !/\.(mjs|cjs|js)$/.test(entry) || rest.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['target', 'service', 'command'], message: 'a containers service runs in the node image built from its folder: write [node, ./path/to/entry.mjs] (relative to the drill, no further arguments), or give an executable\'s path' });
  }
}

/**
 * The target's other services in the order they start: each after those in its dependsOn. Pure;
 * unknown names and cycles are left to checkServices (they are not ordered here).
 */
export function serviceStartOrder<T extends { name: string; dependsOn: readonly string[] }>(services: readonly T[]): T[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (s: T, path: Set<string>) => {
    if (done.has(s.name) || path.has(s.name)) return;
    path.add(s.name);
    for (const d of s.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep, path);
    }
    path.delete(s.name);
    done.add(s.name);
    out.push(s);
  };
  for (const s of services) visit(s, new Set());
  return out;
}

/** The other services: names unique (also against the service and the broker), dependsOn known and acyclic. */
function checkServices(target: TargetOut, ctx: z.RefinementCtx): void {
  const names = new Set<string>([target.service.name, ...(target.broker ? [target.broker.name] : [])]);
  target.services.forEach((svc, i) => {
    if (names.has(svc.name)) ctx.addIssue({ code: 'custom', path: ['target', 'services', i, 'name'], message: `"${svc.name}" is taken (by the service, the broker or another service): give each its own name` });
    names.add(svc.name);
  });
  const known = new Set(target.services.map((s) => s.name));
  target.services.forEach((svc, i) => {
    svc.dependsOn.forEach((d, j) => {
      if (!known.has(d)) ctx.addIssue({ code: 'custom', path: ['target', 'services', i, 'dependsOn', j], message: `no service named "${d}" in target.services${known.size ? ` (${[...known].join(', ')})` : ''}` });
      if (d === svc.name) ctx.addIssue({ code: 'custom', path: ['target', 'services', i, 'dependsOn', j], message: 'a service cannot depend on itself' });
    });
  });
  // a cycle: some service cannot start after all of its dependencies
  const order = serviceStartOrder(target.services);
  const position = new Map(order.map((s, k) => [s.name, k]));
  target.services.forEach((svc, i) => {
    const late = svc.dependsOn.filter((d) => known.has(d) && d !== svc.name && (position.get(d) ?? 0) > (position.get(svc.name) ?? 0));
    if (late.length) ctx.addIssue({ code: 'custom', path: ['target', 'services', i, 'dependsOn'], message: `"${svc.name}" and ${late.map((d) => `"${d}"`).join(', ')} depend on each other: nothing could start first — break the cycle` });
  });
}

/** The driver that acts on what a running target selects (its containers, its pods). */
const RUNNING_DRIVERS: Partial<Record<RunningTarget['kind'], { driver: DriverName; what: string }>> = { docker: { driver: 'docker', what: 'its containers' }, kubernetes: { driver: 'kubernetes', what: 'its pods' } };

/** An external target: endpoint names unique; faults on it are network faults (on the load path or the team's proxies) or commands. */
function checkExternal(target: RunningTarget, faults: readonly FaultOut[], ctx: z.RefinementCtx): void {
  checkUniqueNames(target.endpoints, ['target', 'endpoints'], 'endpoint', ctx);
  const names = new Set([target.name, ...target.endpoints.map((e) => e.name)]);
  faults.forEach((f, i) => {
    const own = RUNNING_DRIVERS[target.kind];
    if (f.driver === 'docker' && target.kind !== 'docker') {
      ctx.addIssue({ code: 'custom', path: ['faults', i, 'driver'], message: 'the docker driver acts on the containers of a docker target: write target.kind: docker with containers: { labels: ... }, or use driver toxiproxy or command' });
    } else if (f.driver === 'kubernetes' && target.kind !== 'kubernetes') {
      ctx.addIssue({ code: 'custom', path: ['faults', i, 'driver'], message: 'the kubernetes driver acts on the pods of a kubernetes target: write target.kind: kubernetes with kubernetes: { namespace, labelSelector }, or use driver toxiproxy or command' });
    } else if (f.driver !== 'toxiproxy' && f.driver !== 'command' && f.driver !== 'fis' && f.driver !== own?.driver) {
      ctx.addIssue({ code: 'custom', path: ['faults', i, 'driver'], message: `gameday starts nothing of ${target.kind === 'external' ? 'an external' : `a ${target.kind}`} target, so the ${f.driver} driver has nothing to act on: use driver toxiproxy (the load path, or proxy: on the team's Toxiproxy)${own ? `, ${own.driver} (${own.what})` : ''} or command` });
    }
    if (f.proxy !== undefined && f.action === 'down') ctx.addIssue({ code: 'custom', path: ['faults', i, 'action'], message: `down disables a proxy, and "${f.proxy}" is your team's: gameday only adds and removes its own toxics there — use partition (a blackhole both ways) or reset` });
    if (!names.has(f.target)) ctx.addIssue({ code: 'custom', path: ['faults', i, 'target'], message: `no endpoint named "${f.target}": write the system's name "${target.name}" (every endpoint) or one of ${target.endpoints.map((e) => e.name).join(', ')}` });
  });
}

/** A fault's target: the service, or the broker for network faults and broker-failover; each needs its part of the target. */

/** Every later item whose name an earlier one already has: an issue naming both paths. */
function checkUniqueNames(items: ReadonlyArray<{ name: string }>, at: Array<string | number>, what: string, ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const j = first.get(item.name);
    if (j === undefined) first.set(item.name, i);
    else ctx.addIssue({ code: 'custom', path: [...at, i, 'name'], message: `${what} names must be unique: "${item.name}" is also ${formatAt([...at, j, 'name'])}: rename one of them` });
  });
}

function formatAt(p: Array<string | number>): string {
  return p.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${key}` : key), '');
}

/**
 * What a fault acts on, for telling whether two faults collide: the replicas a process or
 * containers fault kills (pod-kill: one, az-failure: those of the zone), else the driver and its target.
 */
function faultScope(f: FaultOut, target: TargetOutput): string[] {
  if (f.proxy) return [`the team's proxy ${f.proxy}`];
  // docker and kubernetes faults pick their containers / pods at inject: two at once may pick the same one
  if (f.driver === 'docker') return ['the containers'];
  if (f.driver === 'kubernetes') return ['the pods'];
  // on an external target the system's name stands for every endpoint's proxy
  if (isRunningSystem(target)) return f.driver === 'toxiproxy' && f.target === target.name ? target.endpoints.map((e) => `toxiproxy ${e.name}`) : [`${f.driver} ${f.target}`];
  const service = target.service;
  const zones = service.zones.slice(0, service.replicas);
  if ((f.driver === 'process' || f.driver === 'containers') && f.action === 'pod-kill') return [`replica ${f.replica}`];
  if ((f.driver === 'process' || f.driver === 'containers') && f.action === 'az-failure') return zones.flatMap((z, r) => (z === f.zone ? [`replica ${r}`] : []));
  return [`${f.driver} ${f.target}`];
}

/** Two faults acting on the same replica, zone, proxy or service at overlapping times: one would undo the other. */
function checkFaultOverlaps(faults: readonly FaultOut[], target: z.output<typeof Target>, ctx: z.RefinementCtx): void {
  faults.forEach((b, i) => {
    const bScope = new Set(faultScope(b, target));
    for (let j = 0; j < i; j++) {
      const a = faults[j];
      if (!(a.at < b.at + b.duration && b.at < a.at + a.duration)) continue;
      const shared = faultScope(a, target).filter((x) => bScope.has(x));
      if (!shared.length) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['faults', i, 'at'],
        message: `fault "${b.name}" acts on ${shared.join(', ')} while faults[${j}] ("${a.name}", ${a.at}–${a.at + a.duration} ms) does too: start it after ${a.at + a.duration} ms or aim it elsewhere`,
      });
    }
  });
}

function checkFaultTarget(target: TargetOut, f: FaultOut, i: number, ctx: z.RefinementCtx): void {
  const { service, broker } = target;
  const at = (...p: Array<string | number>) => ['faults', i, ...p];
  if (f.action === 'broker-failover') {
    if (!broker) {
      ctx.addIssue({ code: 'custom', path: at('action'), message: 'a broker-failover needs a broker to fail over: add target.broker: { kind: nats, nodes: 3 }' });
      return;
    }
    if (f.target !== broker.name) ctx.addIssue({ code: 'custom', path: at('target'), message: `a broker-failover targets the broker: write target: "${broker.name}"` });
    if (broker.kind === 'kafka' && broker.nodes < 3) ctx.addIssue({ code: 'custom', path: at('action'), message: `a broker-failover needs at least 3 Kafka nodes (acks=all with min.insync.replicas 2 survives one): set target.broker.nodes to 3, not ${broker.nodes}` });
    if (broker.kind !== 'nats') {
      if (f.stream !== undefined) ctx.addIssue({ code: 'custom', path: at('stream'), message: `a ${broker.kind} broker has no streams: remove stream (the failover kills ${broker.kind === 'kafka' ? "a probe topic's partition leader" : 'the primary'})` });
      return;
    }
    if (broker.nodes < 3) ctx.addIssue({ code: 'custom', path: at('action'), message: `a broker-failover needs at least 3 nodes (a replicated stream keeps its quorum): set target.broker.nodes to 3, not ${broker.nodes}` });
    if (f.stream !== undefined && !broker.streams.some((st) => st.name === f.stream)) {
      ctx.addIssue({ code: 'custom', path: at('stream'), message: `no stream named "${f.stream}" in target.broker.streams${broker.streams.length ? ` (${broker.streams.map((st) => st.name).join(', ')})` : ': declare it there'}` });
    }
    return;
  }
  if (f.action === 'disk-full' && !target.disk) {
    ctx.addIssue({ code: 'custom', path: at('action'), message: 'disk-full fills a size-limited DATA_DIR, never the host\'s disk: add target.disk: { size: "32m" }' });
  }
  if (target.services.some((svc) => svc.name === f.target)) {
    if (f.driver !== 'toxiproxy') ctx.addIssue({ code: 'custom', path: at('driver'), message: `"${f.target}" is one of target.services: network faults on its proxies (driver toxiproxy) reach it — cutting the service off from it; the ${f.driver} driver acts on the service "${service.name}" only` });
    return;
  }
  if (broker && f.target === broker.name) {
    if (f.driver !== 'toxiproxy') ctx.addIssue({ code: 'custom', path: at('target'), message: `the ${f.driver} driver acts on the service: write target: "${service.name}" (network faults on the broker use driver toxiproxy)` });
    return;
  }
  if (f.target !== service.name) {
    ctx.addIssue({ code: 'custom', path: at('target'), message: `no service named "${f.target}": the drill's service is "${service.name}"${broker ? ` (and its broker "${broker.name}")` : ''}${target.services.length ? ` (and its services ${target.services.map((x) => `"${x.name}"`).join(', ')})` : ''}` });
  }
}

/** A driver: fis fault acts on AWS: its spec (completed from the fault) must be valid; its target names the service (or broker) the SLOs watch. */
function checkFisFault(target: TargetOutput, f: FaultOut, i: number, alarms: readonly string[], ctx: z.RefinementCtx): void {
  const result = fisSpecOfFault(f, alarms);
  if (!result.ok) for (const issue of result.issues) ctx.addIssue({ code: 'custom', path: ['faults', i, ...issue.path], message: issue.message });
  const names = isRunningSystem(target) ? [target.name, ...target.endpoints.map((e) => e.name)] : [target.service.name, ...(target.broker ? [target.broker.name] : [])];
  if (!names.includes(f.target)) ctx.addIssue({ code: 'custom', path: ['faults', i, 'target'], message: `an FIS fault names what the SLOs watch: write target: "${names.join('" or "')}"` });
}

/** A partner's timelines at time-scale 1, in the shape partner outages are derived from. */
function unscaledTimelines(p: z.output<typeof PartnerSpec>) {
  const timeline = (bs: typeof p.behaviours) => bs.map((b) => ({ ...b, atMs: b.at, latencyMs: b.latency }));
  return { name: p.name, behaviours: timeline(p.behaviours), routes: p.routes.map((r) => ({ name: routeName(r), behaviours: timeline(r.behaviours) })) };
}

export const Drill = z
  .strictObject({
    name: Slug,
    /** the application the drill belongs to (reports/<app>/...) */
    app: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'use letters, digits, "-" and "_", e.g. "APP2"'),
    description: z.string().optional(),
    /** compresses every duration of the drill (0.1 = ten times faster); the CLI's --time-scale overrides it */
    timeScale: z.number().gt(0).max(10).default(1),
    /**
     * Blast radius: a run only touches what it creates on loopback. A shared Toxiproxy elsewhere
     * (TOXIPROXY_URL) is refused unless the drill says why it may be used.
     */
    allowRemote: AllowRemote.optional(),
    target: Target,
    load: Load,
    partners: z.array(PartnerSpec).default([]),
    faults: z.array(Fault).default([]),
    /** webhook senders delivering to the SUT on the timeline (valid and forged) */
    senders: z.array(WebhookSender).default([]),
    /** the drill's Prometheus: managed by gameday or the team's own (kind: prometheus SLOs read it) */
    telemetry: Telemetry.optional(),
    /** steady-state probes before the first fault and after the last recovery (src/schema/probes.ts) */
    probes: Probes.default([]),
    slos: z.array(Slo).min(1, 'a drill needs at least one SLO: without one there is nothing to decide'),
    /** stop conditions checked every second while the drill runs (src/schema/guards.ts) */
    guards: Guards.default([]),
  })
  .superRefine((drill, ctx) => {
    checkGuards(drill, ctx);
    const partners = new Map(drill.partners.map((p) => [p.name, p]));
    const requests = new Set(drill.load.requests.map((r) => r.name));
    drill.load.profiles.forEach((p, i) => {
      p.requests?.forEach((name, j) => {
        if (!requests.has(name)) ctx.addIssue({ code: 'custom', path: ['load', 'profiles', i, 'requests', j], message: `no request named "${name}" in load.requests (${[...requests].join(', ')})` });
      });
      if (p.profile === 'stress' && p.maxRate <= p.startRate) ctx.addIssue({ code: 'custom', path: ['load', 'profiles', i, 'maxRate'], message: 'a stress profile ramps up: maxRate must be above startRate' });
      if (p.profile === 'spike' && p.peakRate <= p.baseRate) ctx.addIssue({ code: 'custom', path: ['load', 'profiles', i, 'peakRate'], message: 'a spike goes up: peakRate must be above baseRate' });
    });
    drill.load.requests.forEach((r, i) => {
      if (r.websocket && r.webhook) ctx.addIssue({ code: 'custom', path: ['load', 'requests', i], message: 'a request is either a webhook or a websocket session, not both' });
      if (r.webhook?.replay && r.method !== 'POST') ctx.addIssue({ code: 'custom', path: ['load', 'requests', i, 'method'], message: 'a replayed webhook is delivered with POST' });
      if (!r.webhook) return;
      const p = partners.get(r.webhook.partner);
      if (!p) ctx.addIssue({ code: 'custom', path: ['load', 'requests', i, 'webhook', 'partner'], message: `no partner named "${r.webhook.partner}": add it under partners` });
      else if (!p.webhookSecret) ctx.addIssue({ code: 'custom', path: ['partners', drill.partners.indexOf(p), 'webhookSecret'], message: `partner "${p.name}" signs webhooks, so it needs a webhookSecret` });
    });
    const loadMs = loadLengthMs(drill.load.profiles);
    drill.partners.forEach((p, i) => {
      for (const field of ['webhookSecret', 'previousWebhookSecret'] as const) {
        const secret = p[field];
        if (secret && !/^(whsec_[A-Za-z0-9+/=]+|env:[A-Za-z_][A-Za-z0-9_]*)$/.test(secret)) {
          ctx.addIssue({ code: 'custom', path: ['partners', i, field], message: 'write "whsec_<base64>" or "env:VARIABLE_NAME"' });
        }
      }
      if (p.rotation && p.rotation.at + p.rotation.overlap > loadMs) {
        ctx.addIssue({ code: 'custom', path: ['partners', i, 'rotation', 'overlap'], message: `the overlap ends after the load does (at ${loadMs} ms): end it by then` });
      }
    });
    drill.senders.forEach((w, i) => {
      const p = partners.get(w.partner);
      if (!p) ctx.addIssue({ code: 'custom', path: ['senders', i, 'partner'], message: `no partner named "${w.partner}": add it under partners` });
      else if (!p.webhookSecret) ctx.addIssue({ code: 'custom', path: ['partners', drill.partners.indexOf(p), 'webhookSecret'], message: `partner "${p.name}" sends webhooks, so it needs a webhookSecret` });
      if (!Object.values(w.mix).some((n) => (n ?? 0) > 0)) ctx.addIssue({ code: 'custom', path: ['senders', i, 'mix'], message: 'give at least one variant a weight above 0, e.g. {valid: 1}' });
      if ((w.mix['old-key-after-rotation'] ?? 0) > 0 && p) {
        // signing with a key the SUT never held is just another wrong secret: the variant needs a real rotation
        if (!p.rotation) ctx.addIssue({ code: 'custom', path: ['senders', i, 'mix', 'old-key-after-rotation'], message: `old-key-after-rotation signs with a retired key: give partner "${p.name}" previousWebhookSecret and rotation: { at, overlap }` });
        else if (w.at + w.duration <= p.rotation.at + p.rotation.overlap) {
          ctx.addIssue({ code: 'custom', path: ['senders', i, 'duration'], message: `old-key-after-rotation is sent once partner "${p.name}"'s previous secret is retired (at ${p.rotation.at + p.rotation.overlap} ms): run the sender past it` });
        }
      }
      if (w.at + w.duration > loadMs) ctx.addIssue({ code: 'custom', path: ['senders', i, 'duration'], message: `the sender runs past the end of the load (${loadMs} ms): end it by then` });
    });
    checkUniqueNames(drill.load.requests, ['load', 'requests'], 'request', ctx);
    checkUniqueNames(drill.partners, ['partners'], 'partner', ctx);
    checkUniqueNames(drill.senders, ['senders'], 'sender', ctx);
    checkUniqueNames(drill.faults, ['faults'], 'fault', ctx);
    checkUniqueNames(drill.slos, ['slos'], 'SLO', ctx);
    const service = launchedService(drill.target);
    checkFaultOverlaps(drill.faults, drill.target, ctx);
    if (isRunningSystem(drill.target)) checkExternal(drill.target, drill.faults, ctx);
    else {
      checkBroker(drill.target, ctx);
      checkServices(drill.target, ctx);
      checkContainers(drill.target, drill.faults, ctx);
    }
    checkProbes(drill, ctx);
    const faultNames = new Set(drill.faults.map((f) => f.name));
    // a partner's outages are fault windows too (unscaled here: a name does not depend on the time-scale)
    const outageNames = drill.partners.flatMap((p) => partnerOutages(unscaledTimelines(p), loadMs, p.slowAbove).map((o) => o.name));
    const checkFaultLengths = (f: FaultOut, i: number) => {
      if (f.duration <= 0) ctx.addIssue({ code: 'custom', path: ['faults', i, 'duration'], message: 'a fault needs a duration above 0' });
      if (f.at + f.duration > loadMs) ctx.addIssue({ code: 'custom', path: ['faults', i, 'duration'], message: `the fault ends after the load does (at ${loadMs} ms): end it by then, or lengthen load.profiles` });
    };
    drill.faults.forEach((f, i) => {
      checkFaultLengths(f, i);
      if (f.fis !== undefined && f.driver !== 'fis') ctx.addIssue({ code: 'custom', path: ['faults', i, 'fis'], message: `fis: is the spec of a driver: fis fault: remove it, or set driver: fis` });
      if (!supports(f.driver, f.action)) {
        const other = DRIVERS.find((d) => supports(d, f.action));
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'driver'], message: `the ${f.driver} driver does not support "${f.action}" (it supports ${actionsOf(f.driver).join(', ')})${other ? `: use driver "${other}"` : ''}` });
      }
      if (f.action === 'az-failure' && f.mode === 'disconnect' && f.driver !== 'containers') ctx.addIssue({ code: 'custom', path: ['faults', i, 'mode'], message: 'only the containers driver can cut a zone off the network: use mode: stop, or driver: containers' });
      if (f.proxy !== undefined && f.driver !== 'toxiproxy') ctx.addIssue({ code: 'custom', path: ['faults', i, 'proxy'], message: `proxy names a proxy of the team's Toxiproxy: only a toxiproxy fault has one (this is driver ${f.driver})` });
      if ('select' in f && f.select !== undefined && f.driver !== 'docker' && f.driver !== 'kubernetes') ctx.addIssue({ code: 'custom', path: ['faults', i, 'select'], message: `select picks containers of a docker target or pods of a kubernetes target; the ${f.driver} driver takes ${f.action === 'pod-kill' ? 'replica: N' : 'its target'} instead — remove select` });
      if (f.action === 'pod-kill' && f.gracePeriod !== undefined && f.driver !== 'kubernetes') ctx.addIssue({ code: 'custom', path: ['faults', i, 'gracePeriod'], message: `gracePeriod is a pod's termination grace period (driver kubernetes); the ${f.driver} driver kills at once — remove gracePeriod` });
      if (f.action === 'pod-kill' && f.restartAfter !== undefined && f.driver === 'kubernetes') ctx.addIssue({ code: 'custom', path: ['faults', i, 'restartAfter'], message: "a deleted pod is replaced by its Deployment or StatefulSet, not by gameday: remove restartAfter (the replacement's time to Ready is measured)" });
      if (f.driver === 'fis') return checkFisFault(drill.target, f, i, guardAlarms(drill.guards), ctx);
      if (f.driver === 'command' || !service || isRunningSystem(drill.target)) return;
      if (f.action === 'pod-kill' && f.replica >= service.replicas) ctx.addIssue({ code: 'custom', path: ['faults', i, 'replica'], message: `the service has ${service.replicas} replica(s): use 0 to ${service.replicas - 1}` });
      if (f.action === 'pod-kill' && f.restartAfter !== undefined && f.restartAfter >= f.duration) ctx.addIssue({ code: 'custom', path: ['faults', i, 'restartAfter'], message: 'the replica restarts within the fault window: make restartAfter shorter than duration' });
      if (f.action === 'az-failure' && !service.zones.slice(0, service.replicas).includes(f.zone)) ctx.addIssue({ code: 'custom', path: ['faults', i, 'zone'], message: `no replica runs in zone "${f.zone}" (zones: ${service.zones.slice(0, service.replicas).join(', ')})` });
      if (f.proxy !== undefined) ctx.addIssue({ code: 'custom', path: ['faults', i, 'proxy'], message: "a proxy of the team's Toxiproxy is for an external target: remove proxy (gameday's own proxies are in front of the service already)" });
      checkFaultTarget(drill.target, f, i, ctx);
    });
    drill.slos.forEach((s, i) => {
      const request = 'request' in s ? s.request : undefined;
      const phase = 'phase' in s ? s.phase : undefined;
      if (request && !requests.has(request)) ctx.addIssue({ code: 'custom', path: ['slos', i, 'request'], message: `no request named "${request}" in load.requests (${[...requests].join(', ')})` });
      if (phase && phase !== 'steady' && drill.faults.length === 0 && outageNames.length === 0) ctx.addIssue({ code: 'custom', path: ['slos', i, 'phase'], message: `phase "${phase}" never happens: the drill has no faults and no partner outage` });
      const fault = 'fault' in s ? s.fault : s.kind === 'prometheus' ? s.afterFault : undefined;
      if (fault && FaultRef.safeParse(fault).success && !faultNames.has(fault) && !outageNames.includes(fault)) {
        const faults = faultNames.size ? ` in faults (${[...faultNames].join(', ')})` : '';
        const message = outageNames.length
          ? `no fault or partner outage named "${fault}"${faults}${faults ? ' or' : ''} among the partner outages (${outageNames.map((n) => `"${n}"`).join(', ')})`
          : `no fault named "${fault}" in faults${faultNames.size ? ` (${[...faultNames].join(', ')})` : ': add it under faults'}`;
        ctx.addIssue({ code: 'custom', path: ['slos', i, s.kind === 'prometheus' ? 'afterFault' : 'fault'], message });
      }
      if (s.kind === 'error-budget-burn' && s.objective >= 1) ctx.addIssue({ code: 'custom', path: ['slos', i, 'objective'], message: 'an objective of 100% leaves no error budget to burn: write e.g. "99.9%"' });
      if (s.kind === 'journal') {
        if (s.partner && !partners.has(s.partner)) ctx.addIssue({ code: 'custom', path: ['slos', i, 'partner'], message: `no partner named "${s.partner}": add it under partners` });
        if (s.atLeast !== undefined && s.atMost !== undefined) ctx.addIssue({ code: 'custom', path: ['slos', i], message: 'give atLeast or atMost, not both' });
        if ((s.figure === 'backoff-compliance' || s.figure === 'backoff-jitter') && !s.backoff) {
          ctx.addIssue({ code: 'custom', path: ['slos', i, 'backoff'], message: `${s.figure} is judged against the SUT's retry policy: give backoff {base, cap, jitter, maxAttempts}` });
        }
        if (s.atLeast === undefined && s.atMost === undefined && JOURNAL_RATIO_FIGURES.includes(s.figure)) {
          ctx.addIssue({ code: 'custom', path: ['slos', i, 'atLeast'], message: `${s.figure} is a share of retries: give its objective, e.g. atLeast: "99%"` });
        }
      }
      if (s.kind === 'drift') {
        const soaks = drill.load.profiles.map((p, j) => (p.profile === 'soak' ? j : -1)).filter((j) => j >= 0);
        if (s.profile === undefined ? soaks.length === 0 : drill.load.profiles[s.profile]?.profile !== 'soak') {
          ctx.addIssue({ code: 'custom', path: ['slos', i, 'profile'], message: `drift is measured on a soak profile: ${soaks.length ? `use profile ${soaks.join(' or ')}` : 'add a { profile: soak } to load.profiles'}` });
        }
      }
      if (s.kind === 'chaos') {
        if (CHAOS_TIME_FIGURES.has(s.figure) && s.within === undefined) ctx.addIssue({ code: 'custom', path: ['slos', i, 'within'], message: `give the ${s.figure} objective as a duration, e.g. within: "30s"` });
        if (CHAOS_TIME_FIGURES.has(s.figure) && s.atMost !== undefined) ctx.addIssue({ code: 'custom', path: ['slos', i, 'atMost'], message: `${s.figure} is a duration: write within: "30s"` });
        if (s.figure === 'message-loss' && s.within !== undefined) ctx.addIssue({ code: 'custom', path: ['slos', i, 'within'], message: 'message-loss is a count of messages: write atMost: 0' });
        if (s.figure === 'pod-replacement-time') {
          // measured only where gameday deletes pods itself: a kubernetes pod-kill or az-failure
          const deleting = drill.faults.filter((f) => f.driver === 'kubernetes' && (f.action === 'pod-kill' || f.action === 'az-failure')).map((f) => f.name);
          const named = drill.faults.find((f) => f.name === s.fault);
          if (s.fault === undefined ? deleting.length === 0 : named && !deleting.includes(s.fault)) {
            ctx.addIssue({ code: 'custom', path: ['slos', i, s.fault === undefined ? 'figure' : 'fault'], message: `pod-replacement-time is measured on a kubernetes pod-kill or az-failure fault${deleting.length ? `: name one of ${deleting.join(', ')}` : ': add one (driver: kubernetes), or judge recovery with kind: recovery-time'}` });
          }
        }
      }
    });
  });

/** What a drill file holds (durations as strings, defaults optional). */
export type DrillInput = z.input<typeof Drill>;
/** A validated drill (durations in ms, defaults filled in). */
export type Drill = z.output<typeof Drill>;
export type Fault = Drill['faults'][number];
export type Slo = Drill['slos'][number];
export type SloKind = Slo['kind'];
/** Every SLO kind, for what a run did and did not judge. */
export const SLO_KINDS = Slo.options.map((o) => o.shape.kind.value) as SloKind[];
/** The SLOs that are also k6 thresholds (latency and error-rate on tagged sub-metrics). */
export type K6ThresholdSlo = Extract<Slo, { kind: 'latency' | 'error-rate' }>;
export function isK6ThresholdSlo(slo: Slo): slo is K6ThresholdSlo {
  return slo.kind === 'latency' || slo.kind === 'error-rate';
}
export type Partner = Drill['partners'][number];
export type WebhookSender = Drill['senders'][number];
export type LoadRequest = Drill['load']['requests'][number];
export type Load = Drill['load'];
