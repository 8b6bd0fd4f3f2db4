// An emulator of the AWS FIS API (REST-JSON, as @aws-sdk/client-fis serializes it) written as
// msw handlers, so tests run the real SDK — serialization, SigV4 signing, retries — against
// https://fis.<region>.amazonaws.com without anything leaving the process.
//
// Its validation table is written from the AWS FIS user guide (actions reference, targets,
// pre-configured SSM documents) independently of chaos/fis: a generator bug is caught here,
// not mirrored. Where AWS documents no behaviour, the emulator picks one and says so (EMULATED).
//
// State machine: StartExperiment → pending; each observation of an experiment (GetExperiment,
// ListExperiments, StopExperiment) moves it at most one state on: pending → initiating →
// running; running → completed once its actions' durations have elapsed (scaled by
// msPerActionSecond; without it an experiment runs until stopped); StopExperiment → stopping →
// stopped. failNextExperiment() makes the next experiment fail with a reason.
import { createHash } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';

export type ExperimentStatus = 'pending' | 'initiating' | 'running' | 'completed' | 'stopping' | 'stopped' | 'failed' | 'cancelled';
const TERMINAL: ReadonlySet<ExperimentStatus> = new Set(['completed', 'stopped', 'failed', 'cancelled']);

// ---------------------------------------------------------------------------------------------
// What FIS accepts, from the AWS FIS user guide.

interface ActionRule {
  /** target key → resource type; empty for actions without targets */
  targets: Record<string, string>;
  required: string[];
  optional: string[];
  /** parameters that are ISO 8601 durations from one minute to 12 hours */
  durations: string[];
}

const EKS_POD_OPTIONAL = ['fisPodContainerImage', 'maxErrorsPercent', 'fisPodLabels', 'fisPodAnnotations', 'fisPodSecurityPolicy'];

const ACTION_RULES: Record<string, ActionRule> = {
  'aws:eks:pod-delete': { targets: { Pods: 'aws:eks:pod' }, required: ['kubernetesServiceAccount'], optional: ['gracePeriodSeconds', ...EKS_POD_OPTIONAL], durations: [] },
  'aws:ecs:stop-task': { targets: { Tasks: 'aws:ecs:task' }, required: [], optional: [], durations: [] },
  'aws:network:disrupt-connectivity': { targets: { Subnets: 'aws:ec2:subnet' }, required: ['scope', 'duration'], optional: ['prefixListIdentifier'], durations: ['duration'] },
  'aws:arc:start-zonal-autoshift': {
    targets: { ManagedResources: 'aws:arc:zonal-shift-managed-resource' },
    required: ['duration', 'availabilityZoneIdentifier', 'managedResourceTypes'],
    optional: ['zonalAutoshiftStatus'],
    durations: ['duration'],
  },
  'aws:ec2:stop-instances': { targets: { Instances: 'aws:ec2:instance' }, required: [], optional: ['startInstancesAfterDuration', 'completeIfInstancesTerminated'], durations: ['startInstancesAfterDuration'] },
  'aws:ec2:reboot-instances': { targets: { Instances: 'aws:ec2:instance' }, required: [], optional: [], durations: [] },
  'aws:rds:failover-db-cluster': { targets: { Clusters: 'aws:rds:cluster' }, required: [], optional: [], durations: [] },
  'aws:rds:reboot-db-instances': { targets: { DBInstances: 'aws:rds:db' }, required: [], optional: ['forceFailover'], durations: [] },
  'aws:elasticache:replicationgroup-interrupt-az-power': { targets: { ReplicationGroups: 'aws:elasticache:replicationgroup' }, required: ['duration'], optional: [], durations: ['duration'] },
  'aws:ssm:send-command': { targets: { Instances: 'aws:ec2:instance' }, required: ['documentArn', 'duration'], optional: ['documentVersion', 'documentParameters'], durations: ['duration'] },
  'aws:ssm:start-automation-execution': { targets: {}, required: ['documentArn', 'maxDuration'], optional: ['documentVersion', 'documentParameters'], durations: ['maxDuration'] },
  'aws:fis:inject-api-throttle-error': { targets: { Roles: 'aws:iam:role' }, required: ['duration', 'service', 'percentage', 'operations'], optional: [], durations: ['duration'] },
  'aws:fis:inject-api-internal-error': { targets: { Roles: 'aws:iam:role' }, required: ['duration', 'service', 'percentage', 'operations'], optional: [], durations: ['duration'] },
  'aws:fis:wait': { targets: {}, required: ['duration'], optional: [], durations: ['duration'] },
};

/** Resource types and the target parameters each accepts (required ones listed separately). */
const RESOURCE_TYPES: Record<string, { allowed: string[]; required: string[]; byParametersOnly?: boolean }> = {
  'aws:arc:zonal-shift-managed-resource': { allowed: [], required: [] },
  'aws:ec2:autoscaling-group': { allowed: [], required: [] },
  'aws:ec2:ebs-volume': { allowed: ['availabilityZoneIdentifier'], required: [] },
  'aws:ec2:instance': { allowed: [], required: [] },
  'aws:ec2:spot-instance': { allowed: [], required: [] },
  'aws:ec2:subnet': { allowed: ['availabilityZoneIdentifier', 'vpc'], required: [] },
  'aws:ecs:cluster': { allowed: [], required: [] },
  'aws:ecs:task': { allowed: ['cluster', 'service'], required: [] },
  'aws:eks:cluster': { allowed: [], required: [] },
  'aws:eks:nodegroup': { allowed: [], required: [] },
  'aws:eks:pod': {
    allowed: ['availabilityZoneIdentifier', 'clusterIdentifier', 'namespace', 'selectorType', 'selectorValue', 'targetContainerName'],
    required: ['clusterIdentifier', 'namespace', 'selectorType', 'selectorValue'],
    byParametersOnly: true,
  },
  'aws:elasticache:replicationgroup': { allowed: ['availabilityZoneIdentifier'], required: ['availabilityZoneIdentifier'] },
  'aws:iam:role': { allowed: [], required: [] },
  'aws:lambda:function': { allowed: ['functionQualifier'], required: [] },
  'aws:rds:cluster': { allowed: ['writerAvailabilityZoneIdentifiers'], required: [] },
  'aws:rds:db': { allowed: ['availabilityZoneIdentifiers'], required: [] },
  'aws:s3:bucket': { allowed: [], required: [] },
};

const SCOPES = ['all', 'availability-zone', 'dynamodb', 'prefix-list', 's3', 's3express', 'vpc'];
const ISO_DURATION = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/;

/** "PT1H30M" → 5400; null when it is not an ISO 8601 time duration. */
export function isoSeconds(text: string): number | null {
  const m = ISO_DURATION.exec(text);
  if (!m || text === 'PT') return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

class FisError extends Error {
  constructor(
    readonly type: 'ValidationException' | 'ResourceNotFoundException' | 'ConflictException' | 'ServiceQuotaExceededException',
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return { ValidationException: 400, ResourceNotFoundException: 404, ConflictException: 409, ServiceQuotaExceededException: 402 }[this.type];
  }
}

const invalid = (message: string) => new FisError('ValidationException', message);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkParameterValue(actionName: string, actionId: string, name: string, value: string, params: Record<string, string>): void {
  const where = `actions.${actionName}.parameters.${name}`;
  const rule = ACTION_RULES[actionId];
  if (rule.durations.includes(name)) {
    const s = isoSeconds(value);
    if (s === null) throw invalid(`${where}: "${value}" is not an ISO 8601 duration`);
    if (s < 60 || s > 43_200) throw invalid(`${where}: the duration must be from one minute to 12 hours`);
  }
  const oneOf = (allowed: string[]) => {
    if (!allowed.includes(value)) throw invalid(`${where}: "${value}" is not one of ${allowed.join(', ')}`);
  };
  const intIn = (lo: number, hi: number) => {
    if (!/^\d+$/.test(value) || Number(value) < lo || Number(value) > hi) throw invalid(`${where}: must be an integer from ${lo} to ${hi}`);
  };
  switch (name) {
    case 'scope':
      oneOf(SCOPES);
      if (value === 'prefix-list' && !params.prefixListIdentifier) throw invalid(`actions.${actionName}: scope prefix-list requires prefixListIdentifier`);
      break;
    case 'service':
      oneOf(['ec2', 'kinesis']);
      break;
    case 'percentage':
      intIn(1, 100);
      break;
    case 'maxErrorsPercent':
      intIn(0, 100);
      break;
    case 'gracePeriodSeconds':
      intIn(0, Number.MAX_SAFE_INTEGER);
      break;
    case 'forceFailover':
    case 'completeIfInstancesTerminated':
      oneOf(['true', 'false']);
      break;
    case 'zonalAutoshiftStatus':
      oneOf(['ENABLED', 'DISABLED', 'ANY']);
      break;
    case 'managedResourceTypes':
      for (const t of value.split(',')) if (!['ASG', 'ALB', 'NLB', 'EKS'].includes(t.trim())) throw invalid(`${where}: "${t}" is not one of ASG, ALB, NLB, EKS`);
      break;
    case 'operations':
      if (!value.split(',').every((op) => /^[A-Za-z]+$/.test(op.trim()))) throw invalid(`${where}: operations are API operation names separated by commas`);
      break;
    case 'documentArn':
      if (!/^arn:aws[a-z-]*:ssm:[a-z0-9-]+:(\d{12})?:document\/[A-Za-z0-9_.-]+$/.test(value)) throw invalid(`${where}: "${value}" is not the ARN of an SSM document`);
      break;
    case 'documentParameters': {
      let doc: unknown;
      try {
        doc = JSON.parse(value);
      } catch {
        throw invalid(`${where}: documentParameters must be a JSON object`);
      }
      if (!isObject(doc) || !Object.values(doc).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')))) {
        throw invalid(`${where}: documentParameters must be a JSON object whose values are strings or arrays of strings`);
      }
      if (String(params.documentArn ?? '').endsWith(':document/AWSFIS-Run-Disk-Fill')) checkDiskFill(where, doc as Record<string, string>);
      break;
    }
  }
}

/** AWSFIS-Run-Disk-Fill: DurationSeconds required; Percent optional, a percentage; InstallDependencies True/False. */
function checkDiskFill(where: string, doc: Record<string, string>): void {
  if (doc.DurationSeconds === undefined) throw invalid(`${where}: AWSFIS-Run-Disk-Fill requires DurationSeconds`);
  if (!/^\d+$/.test(doc.DurationSeconds) || Number(doc.DurationSeconds) < 1) throw invalid(`${where}: DurationSeconds must be a positive integer`);
  if (doc.Percent !== undefined && (!/^\d+$/.test(doc.Percent) || Number(doc.Percent) > 100)) throw invalid(`${where}: Percent must be an integer from 0 to 100`);
  if (doc.InstallDependencies !== undefined && !['True', 'False'].includes(doc.InstallDependencies)) throw invalid(`${where}: InstallDependencies must be True or False`);
}

function checkTarget(name: string, t: unknown): void {
  const where = `targets.${name}`;
  if (!isObject(t)) throw invalid(`${where}: must be an object`);
  const type = t.resourceType;
  if (typeof type !== 'string') throw invalid(`${where}.resourceType is required`);
  const rule = RESOURCE_TYPES[type];
  if (!rule) throw invalid(`${where}.resourceType: "${type}" is not a supported resource type`);
  if (typeof t.selectionMode !== 'string' || !/^(ALL|COUNT\(\d+\)|PERCENT\(\d+\))$/.test(t.selectionMode)) throw invalid(`${where}.selectionMode must be ALL, COUNT(n) or PERCENT(n)`);
  const arns = t.resourceArns as unknown[] | undefined;
  const tags = t.resourceTags as Record<string, string> | undefined;
  const params = (t.parameters ?? {}) as Record<string, unknown>;
  if (rule.byParametersOnly && (arns !== undefined || tags !== undefined)) throw invalid(`${where}: ${type} targets cannot be specified using resourceArns or resourceTags; use parameters`);
  if (arns !== undefined && tags !== undefined) throw invalid(`${where}: resourceArns and resourceTags cannot be specified together`);
  if (arns !== undefined && t.filters !== undefined) throw invalid(`${where}: resourceArns and filters cannot be specified together`);
  if (arns === undefined && tags === undefined && Object.keys(params).length === 0) throw invalid(`${where}: specify resourceArns, resourceTags or parameters`);
  if (arns !== undefined && (!Array.isArray(arns) || arns.length === 0 || !arns.every((a) => typeof a === 'string' && a.startsWith('arn:')))) throw invalid(`${where}.resourceArns must be ARNs`);
  for (const [key, value] of Object.entries(params)) {
    if (!rule.allowed.includes(key)) throw invalid(`${where}.parameters.${key} is not a parameter of ${type}`);
    if (typeof value !== 'string') throw invalid(`${where}.parameters.${key} must be a string`);
  }
  for (const key of rule.required) if (params[key] === undefined) throw invalid(`${where}.parameters.${key} is required for ${type}`);
  if (type === 'aws:eks:pod' && !['labelSelector', 'deploymentName', 'podName'].includes(String(params.selectorType))) {
    throw invalid(`${where}.parameters.selectorType must be labelSelector, deploymentName or podName`);
  }
  if (Array.isArray(t.filters)) {
    for (const f of t.filters) if (!isObject(f) || typeof f.path !== 'string' || !Array.isArray(f.values) || f.values.length === 0) throw invalid(`${where}.filters: each filter needs a path and values`);
  }
}

function checkAction(name: string, a: unknown, targets: Record<string, Json>, actionNames: string[]): void {
  const where = `actions.${name}`;
  if (!isObject(a)) throw invalid(`${where}: must be an object`);
  const id = a.actionId;
  if (typeof id !== 'string') throw invalid(`${where}.actionId is required`);
  const rule = ACTION_RULES[id];
  if (!rule) throw invalid(`${where}.actionId: action "${id}" does not exist`);
  const params = (a.parameters ?? {}) as Record<string, unknown>;
  if (!isObject(params)) throw invalid(`${where}.parameters must be a map`);
  for (const key of rule.required) if (params[key] === undefined) throw invalid(`${where}: missing required parameter "${key}" for ${id}`);
  for (const key of Object.keys(params)) {
    if (![...rule.required, ...rule.optional].includes(key)) throw invalid(`${where}: "${key}" is not a parameter of ${id}`);
    if (typeof params[key] !== 'string') throw invalid(`${where}.parameters.${key} must be a string`);
  }
  for (const [key, value] of Object.entries(params)) checkParameterValue(name, id, key, value as string, params as Record<string, string>);
  const given = (a.targets ?? {}) as Record<string, unknown>;
  for (const [key, resourceType] of Object.entries(rule.targets)) {
    const ref = given[key];
    if (typeof ref !== 'string') throw invalid(`${where}.targets.${key} is required for ${id}`);
    const t = targets[ref];
    if (!t) throw invalid(`${where}.targets.${key}: no target named "${ref}"`);
    if (t.resourceType !== resourceType) throw invalid(`${where}.targets.${key}: target "${ref}" is ${t.resourceType}, ${id} needs ${resourceType}`);
  }
  for (const key of Object.keys(given)) if (!(key in rule.targets)) throw invalid(`${where}.targets: ${id} has no target "${key}"`);
  for (const after of (a.startAfter as unknown[] | undefined) ?? []) if (typeof after !== 'string' || !actionNames.includes(after)) throw invalid(`${where}.startAfter: no action named "${String(after)}"`);
}

function checkStopConditions(sc: unknown): void {
  if (!Array.isArray(sc) || sc.length === 0) throw invalid('stopConditions is required');
  if (sc.length > 5) throw new FisError('ServiceQuotaExceededException', 'an experiment template can have at most 5 stop conditions');
  sc.forEach((c, i) => {
    if (!isObject(c) || typeof c.source !== 'string') throw invalid(`stopConditions[${i}].source is required`);
    if (c.source === 'none') {
      if (c.value !== undefined) throw invalid(`stopConditions[${i}]: source "none" takes no value`);
      if (sc.length > 1) throw invalid(`stopConditions[${i}]: source "none" cannot be combined with other stop conditions`);
    } else if (c.source === 'aws:cloudwatch:alarm') {
      if (typeof c.value !== 'string' || !/^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/.test(c.value)) throw invalid(`stopConditions[${i}].value must be the ARN of a CloudWatch alarm`);
    } else {
      throw invalid(`stopConditions[${i}].source: "${c.source}" is not supported`);
    }
  });
}

function checkTags(tags: unknown, where: string): void {
  if (tags === undefined) return;
  if (!isObject(tags)) throw invalid(`${where} must be a map`);
  for (const [k, v] of Object.entries(tags)) {
    if (k.length > 128 || typeof v !== 'string' || v.length > 256) throw invalid(`${where}: tag keys are at most 128 characters and values at most 256`);
    if (/^aws:/i.test(k)) throw invalid(`${where}: tag keys cannot start with "aws:"`);
  }
}

/** CreateExperimentTemplate's body, checked as FIS documents it. */
export function validateTemplateRequest(body: Json): void {
  if (!isObject(body)) throw invalid('the request body must be a JSON object');
  if (typeof body.description !== 'string' || body.description.length > 512) throw invalid('description is required (at most 512 characters)');
  if (typeof body.roleArn !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(body.roleArn)) throw invalid('roleArn must be the ARN of an IAM role');
  checkStopConditions(body.stopConditions);
  const targets = (body.targets ?? {}) as Record<string, Json>;
  if (!isObject(targets)) throw invalid('targets must be a map');
  for (const [name, t] of Object.entries(targets)) checkTarget(name, t);
  const actions = body.actions;
  if (!isObject(actions) || Object.keys(actions).length === 0) throw invalid('actions is required: at least one action');
  if (Object.keys(actions).length > 20) throw new FisError('ServiceQuotaExceededException', 'an experiment template can have at most 20 actions');
  for (const [name, a] of Object.entries(actions)) checkAction(name, a, targets, Object.keys(actions));
  checkTags(body.tags, 'tags');
  const opts = body.experimentOptions;
  if (opts !== undefined) {
    if (!isObject(opts)) throw invalid('experimentOptions must be an object');
    if (opts.accountTargeting !== undefined && !['single-account', 'multi-account'].includes(String(opts.accountTargeting))) throw invalid('experimentOptions.accountTargeting must be single-account or multi-account');
    if (opts.emptyTargetResolutionMode !== undefined && !['fail', 'skip'].includes(String(opts.emptyTargetResolutionMode))) throw invalid('experimentOptions.emptyTargetResolutionMode must be fail or skip');
  }
  const log = body.logConfiguration;
  if (log !== undefined) {
    if (!isObject(log) || typeof log.logSchemaVersion !== 'number') throw invalid('logConfiguration.logSchemaVersion is required');
    if (!log.cloudWatchLogsConfiguration && !log.s3Configuration) throw invalid('logConfiguration needs cloudWatchLogsConfiguration or s3Configuration');
  }
}

// ---------------------------------------------------------------------------------------------
// State.

interface Template {
  id: string;
  body: Json;
  creationTime: number;
}

interface Experiment {
  id: string;
  templateId: string;
  template: Json;
  tags: Record<string, string>;
  status: ExperimentStatus;
  reason: string;
  creationTime: number;
  startTime: number;
  endTime?: number;
  /** wall ms when it became running */
  runningSince?: number;
  /** seconds of FIS action time until every action is done */
  actionSeconds: number;
  fail?: { reason: string; at: 'initiating' | 'running' };
  /** every state it went through, server side */
  history: Array<{ status: ExperimentStatus; reason: string; at: number }>;
}

export interface RecordedCall {
  operation: string;
  method: string;
  path: string;
  status: number;
  errorType?: string;
  clientToken?: string;
}

export interface FisEmulatorOptions {
  region?: string;
  /** where it answers (default https://fis.<region>.amazonaws.com); http://127.0.0.1:<port> when served over HTTP (fis-emulator-http.ts) */
  endpoint?: string;
  /** wall milliseconds per second of FIS action time; without it, running experiments run until stopped */
  msPerActionSecond?: number;
  /** page size of ListExperiments / ListExperimentTemplates (default 50) */
  pageSize?: number;
  now?: () => number;
}

const REASONS: Record<ExperimentStatus, string> = {
  pending: 'Experiment is pending.',
  initiating: 'Experiment is initiating.',
  running: 'Experiment is running.',
  completed: 'Experiment completed.',
  stopping: 'Experiment is stopping.',
  stopped: 'Experiment stopped.',
  failed: 'Experiment failed.',
  cancelled: 'Experiment cancelled.',
};

/** Seconds until every action of a template is done, following startAfter. */
function actionSeconds(actions: Record<string, Json>): number {
  const end = new Map<string, number>();
  const visit = (name: string, seen: Set<string>): number => {
    if (end.has(name)) return end.get(name)!;
    if (seen.has(name)) return 0;
    seen.add(name);
    const a = actions[name];
    const start = Math.max(0, ...((a.startAfter ?? []) as string[]).map((n) => visit(n, seen)));
    const rule = ACTION_RULES[a.actionId];
    const own = Math.max(0, ...(rule?.durations ?? []).map((p) => (a.parameters?.[p] ? (isoSeconds(a.parameters[p]) ?? 0) : 0)));
    end.set(name, start + own);
    return start + own;
  };
  return Math.max(0, ...Object.keys(actions).map((n) => visit(n, new Set())));
}

function hash(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(v)).digest('hex');
}

export class FisEmulator {
  readonly region: string;
  readonly endpoint: string;
  /** every request answered, in order */
  readonly calls: RecordedCall[] = [];
  private readonly templates = new Map<string, Template>();
  private readonly experiments = new Map<string, Experiment>();
  private readonly templateTokens = new Map<string, { id: string; hash: string }>();
  private readonly experimentTokens = new Map<string, { id: string; hash: string }>();
  private seq = 0;
  private throttleLeft = 0;
  private throttleOnly?: string;
  private readonly dropAfterCommit = new Map<string, number>();
  private failNext?: { reason: string; at: 'initiating' | 'running' };
  private readonly now: () => number;

  constructor(private readonly opts: FisEmulatorOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.endpoint = opts.endpoint ?? `https://fis.${this.region}.amazonaws.com`;
    this.now = opts.now ?? Date.now;
  }

  // -- switches --------------------------------------------------------------------------------

  /** The next `n` requests (of `operation`, or any) are refused with ThrottlingException, HTTP 429. */
  throttle(n: number, operation?: string): void {
    this.throttleLeft = n;
    this.throttleOnly = operation;
  }

  /** The next `n` `operation` requests are carried out, then answered 500 (the response is lost). */
  loseResponses(operation: 'StartExperiment' | 'CreateExperimentTemplate' | 'StopExperiment', n: number): void {
    this.dropAfterCommit.set(operation, n);
  }

  /** The next experiment started fails with `reason` instead of leaving `at`. */
  failNextExperiment(reason: string, at: 'initiating' | 'running' = 'initiating'): void {
    this.failNext = { reason, at };
  }

  // -- inspection ------------------------------------------------------------------------------

  experimentIds(): string[] {
    return [...this.experiments.keys()];
  }

  templateIds(): string[] {
    return [...this.templates.keys()];
  }

  experiment(id: string): { status: ExperimentStatus; reason: string; tags: Record<string, string>; history: Experiment['history']; templateId: string } | undefined {
    const e = this.experiments.get(id);
    return e && { status: e.status, reason: e.reason, tags: { ...e.tags }, history: e.history.map((h) => ({ ...h })), templateId: e.templateId };
  }

  template(id: string): Json | undefined {
    return this.templates.get(id)?.body;
  }

  operations(): string[] {
    return this.calls.map((c) => c.operation);
  }

  /** Puts a template and experiment in place as if an earlier run had left them (for sweep tests). */
  seedLeftover(body: Json, tags: Record<string, string>, status: ExperimentStatus = 'running'): { templateId: string; experimentId: string } {
    validateTemplateRequest(body);
    const t = this.createTemplate(body);
    const e = this.startExperiment(t, tags);
    this.setStatus(e, status, REASONS[status]);
    if (status === 'running') e.runningSince = this.now();
    return { templateId: t.id, experimentId: e.id };
  }

  // -- msw ---------------------------------------------------------------------------------------

  handlers() {
    return [http.all(`${this.endpoint}/*`, ({ request }) => this.handle(request))];
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const operation = this.operationOf(request.method, parts);
    const body = request.method === 'POST' || request.method === 'PATCH' ? await request.text() : '';
    let clientToken: string | undefined;
    try {
      const token = body ? (JSON.parse(body) as { clientToken?: unknown }).clientToken : undefined;
      if (typeof token === 'string') clientToken = token;
    } catch {
      // not JSON: dispatch answers it
    }
    const record = (status: number, errorType?: string) => this.calls.push({ operation, method: request.method, path: url.pathname, status, errorType, clientToken });

    const auth = request.headers.get('authorization') ?? '';
    const scope = new RegExp(`^AWS4-HMAC-SHA256 Credential=[^/]+/\\d{8}/${this.region}/fis/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$`);
    if (!scope.test(auth) || !/^\d{8}T\d{6}Z$/.test(request.headers.get('x-amz-date') ?? '')) {
      record(403, 'IncompleteSignatureException');
      return this.error(403, 'IncompleteSignatureException', 'The request is not signed with AWS Signature Version 4 for fis in this Region');
    }
    if (this.throttleLeft > 0 && (!this.throttleOnly || this.throttleOnly === operation)) {
      this.throttleLeft--;
      record(429, 'ThrottlingException');
      return this.error(429, 'ThrottlingException', 'Rate exceeded');
    }
    try {
      let json: Json = {};
      if (body) {
        try {
          json = JSON.parse(body);
        } catch {
          throw invalid('the request body is not JSON');
        }
      }
      const result = this.dispatch(operation, parts, url, json);
      const lose = this.dropAfterCommit.get(operation) ?? 0;
      if (lose > 0) {
        this.dropAfterCommit.set(operation, lose - 1);
        record(500, 'InternalServerException');
        return this.error(500, 'InternalServerException', 'Internal server error');
      }
      record(200);
      return HttpResponse.json(result, { headers: { 'x-amzn-requestid': `req-${++this.seq}` } });
    } catch (err) {
      if (err instanceof FisError) {
        record(err.status, err.type);
        return this.error(err.status, err.type, err.message);
      }
      throw err;
    }
  }

  private error(status: number, type: string, message: string): Response {
    return HttpResponse.json({ message }, { status, headers: { 'x-amzn-errortype': type, 'x-amzn-requestid': `req-${++this.seq}` } });
  }

  private operationOf(method: string, p: string[]): string {
    const [root, id] = p;
    if (root === 'experimentTemplates' && p.length === 1) return method === 'POST' ? 'CreateExperimentTemplate' : method === 'GET' ? 'ListExperimentTemplates' : 'Unknown';
    if (root === 'experimentTemplates' && p.length === 2 && id) return method === 'GET' ? 'GetExperimentTemplate' : method === 'DELETE' ? 'DeleteExperimentTemplate' : 'Unknown';
    if (root === 'experiments' && p.length === 1) return method === 'POST' ? 'StartExperiment' : method === 'GET' ? 'ListExperiments' : 'Unknown';
    if (root === 'experiments' && p.length === 2 && id) return method === 'GET' ? 'GetExperiment' : method === 'DELETE' ? 'StopExperiment' : 'Unknown';
    return 'Unknown';
  }

  private dispatch(operation: string, p: string[], url: URL, body: Json): Json {
    switch (operation) {
      case 'CreateExperimentTemplate': {
        if (typeof body.clientToken !== 'string' || !body.clientToken) throw invalid('clientToken is required');
        const { clientToken, ...request } = body;
        const prior = this.templateTokens.get(clientToken);
        if (prior) {
          if (prior.hash !== hash(request)) throw new FisError('ConflictException', 'the clientToken was used with different parameters');
          const existing = this.templates.get(prior.id);
          if (existing) return { experimentTemplate: this.templateView(existing) };
        }
        validateTemplateRequest(request);
        const t = this.createTemplate(request);
        this.templateTokens.set(clientToken, { id: t.id, hash: hash(request) });
        return { experimentTemplate: this.templateView(t) };
      }
      case 'GetExperimentTemplate':
        return { experimentTemplate: this.templateView(this.findTemplate(p[1])) };
      case 'DeleteExperimentTemplate': {
        const t = this.findTemplate(p[1]);
        // EMULATED: FIS does not document this; refusing keeps a driver from deleting a template under a live experiment.
        const live = [...this.experiments.values()].find((e) => e.templateId === t.id && !TERMINAL.has(e.status));
        if (live) throw new FisError('ConflictException', `experiment ${live.id} of template ${t.id} is ${live.status}`);
        this.templates.delete(t.id);
        return { experimentTemplate: this.templateView(t) };
      }
      case 'ListExperimentTemplates':
        return this.page(url, [...this.templates.values()].map((t) => ({ id: t.id, description: t.body.description, creationTime: t.creationTime, lastUpdateTime: t.creationTime, tags: t.body.tags ?? {} })), 'experimentTemplates');
      case 'StartExperiment': {
        if (typeof body.clientToken !== 'string' || !body.clientToken) throw invalid('clientToken is required');
        if (typeof body.experimentTemplateId !== 'string') throw invalid('experimentTemplateId is required');
        checkTags(body.tags, 'tags');
        const { clientToken, ...request } = body;
        const prior = this.experimentTokens.get(clientToken);
        if (prior) {
          if (prior.hash !== hash(request)) throw new FisError('ConflictException', 'the clientToken was used with different parameters');
          return { experiment: this.experimentView(this.experiments.get(prior.id)!) };
        }
        const t = this.findTemplate(body.experimentTemplateId);
        const running = [...this.experiments.values()].filter((e) => !TERMINAL.has(e.status)).length;
        if (running >= 5) throw new FisError('ServiceQuotaExceededException', 'at most 5 experiments can run at a time');
        const e = this.startExperiment(t, body.tags ?? {});
        this.experimentTokens.set(clientToken, { id: e.id, hash: hash(request) });
        return { experiment: this.experimentView(e) };
      }
      case 'GetExperiment': {
        const e = this.findExperiment(p[1]);
        this.observe(e);
        return { experiment: this.experimentView(e) };
      }
      case 'StopExperiment': {
        const e = this.findExperiment(p[1]);
        this.observe(e);
        // EMULATED: stopping a finished experiment is refused; the driver must treat that as "already stopped".
        if (TERMINAL.has(e.status)) throw new FisError('ConflictException', `experiment ${e.id} is ${e.status} and cannot be stopped`);
        if (e.status !== 'stopping') this.setStatus(e, 'stopping', REASONS.stopping);
        return { experiment: this.experimentView(e) };
      }
      case 'ListExperiments': {
        for (const e of this.experiments.values()) this.observe(e);
        return this.page(url, [...this.experiments.values()].map((e) => ({ id: e.id, experimentTemplateId: e.templateId, state: { status: e.status, reason: e.reason }, creationTime: e.creationTime, tags: e.tags })), 'experiments');
      }
      default:
        throw invalid(`unknown operation ${operation}`);
    }
  }

  private page(url: URL, items: Json[], key: string): Json {
    const size = Math.min(Number(url.searchParams.get('maxResults') ?? Infinity), this.opts.pageSize ?? 50);
    const start = Number(url.searchParams.get('nextToken') ?? 0);
    const out: Json = { [key]: items.slice(start, start + size) };
    if (start + size < items.length) out.nextToken = String(start + size);
    return out;
  }

  private createTemplate(body: Json): Template {
    const t: Template = { id: `EXT${String(++this.seq).padStart(14, '0')}`, body: structuredClone(body), creationTime: this.now() / 1000 };
    this.templates.set(t.id, t);
    return t;
  }

  private startExperiment(t: Template, tags: Record<string, string>): Experiment {
    const now = this.now();
    const e: Experiment = {
      id: `EXP${String(++this.seq).padStart(14, '0')}`,
      templateId: t.id,
      template: structuredClone(t.body),
      tags: { ...tags },
      status: 'pending',
      reason: REASONS.pending,
      creationTime: now / 1000,
      startTime: now / 1000,
      actionSeconds: actionSeconds(t.body.actions),
      history: [{ status: 'pending', reason: REASONS.pending, at: now }],
    };
    if (this.failNext) {
      e.fail = this.failNext;
      this.failNext = undefined;
    }
    this.experiments.set(e.id, e);
    return e;
  }

  private setStatus(e: Experiment, status: ExperimentStatus, reason: string): void {
    e.status = status;
    e.reason = reason;
    e.history.push({ status, reason, at: this.now() });
    if (status === 'running') e.runningSince = this.now();
    if (TERMINAL.has(status)) e.endTime = this.now() / 1000;
  }

  /** One observation: at most one step of the state machine. */
  private observe(e: Experiment): void {
    switch (e.status) {
      case 'pending':
        return this.setStatus(e, 'initiating', REASONS.initiating);
      case 'initiating':
        if (e.fail?.at === 'initiating') return this.setStatus(e, 'failed', e.fail.reason);
        return this.setStatus(e, 'running', REASONS.running);
      case 'running': {
        if (e.fail?.at === 'running') return this.setStatus(e, 'failed', e.fail.reason);
        const scale = this.opts.msPerActionSecond;
        if (scale !== undefined && this.now() - (e.runningSince ?? 0) >= e.actionSeconds * scale) this.setStatus(e, 'completed', REASONS.completed);
        return;
      }
      case 'stopping':
        return this.setStatus(e, 'stopped', REASONS.stopped);
      default:
        return;
    }
  }

  private findTemplate(id: string | undefined): Template {
    const t = id ? this.templates.get(id) : undefined;
    if (!t) throw new FisError('ResourceNotFoundException', `experiment template ${id} not found`);
    return t;
  }

  private findExperiment(id: string | undefined): Experiment {
    const e = id ? this.experiments.get(id) : undefined;
    if (!e) throw new FisError('ResourceNotFoundException', `experiment ${id} not found`);
    return e;
  }

  private templateView(t: Template): Json {
    const b = t.body;
    return {
      id: t.id,
      arn: `arn:aws:fis:${this.region}:123456789012:experiment-template/${t.id}`,
      description: b.description,
      targets: b.targets ?? {},
      actions: b.actions,
      stopConditions: b.stopConditions,
      roleArn: b.roleArn,
      tags: b.tags ?? {},
      logConfiguration: b.logConfiguration,
      experimentOptions: b.experimentOptions,
      creationTime: t.creationTime,
      lastUpdateTime: t.creationTime,
    };
  }

  private experimentView(e: Experiment): Json {
    const actionStatus = e.status === 'stopping' || e.status === 'stopped' ? 'stopped' : e.status === 'initiating' ? 'pending' : e.status;
    return {
      id: e.id,
      arn: `arn:aws:fis:${this.region}:123456789012:experiment/${e.id}`,
      experimentTemplateId: e.templateId,
      roleArn: e.template.roleArn,
      state: { status: e.status, reason: e.reason },
      targets: e.template.targets ?? {},
      actions: Object.fromEntries(Object.entries(e.template.actions as Record<string, Json>).map(([n, a]) => [n, { ...a, state: { status: actionStatus, reason: e.reason } }])),
      stopConditions: e.template.stopConditions,
      creationTime: e.creationTime,
      startTime: e.startTime,
      ...(e.endTime !== undefined ? { endTime: e.endTime } : {}),
      tags: e.tags,
      logConfiguration: e.template.logConfiguration,
      experimentOptions: e.template.experimentOptions,
    };
  }
}

export interface RunningFisEmulator {
  emulator: FisEmulator;
  server: SetupServer;
  /** every request msw saw, to any host */
  requests: () => number;
  close: () => void;
}

/** Starts msw with the emulator's handlers; requests to any other host are errors. */
export function startFisEmulator(opts: FisEmulatorOptions = {}): RunningFisEmulator {
  const emulator = new FisEmulator(opts);
  const server = setupServer(...emulator.handlers());
  let seen = 0;
  server.events.on('request:start', () => {
    seen++;
  });
  server.listen({ onUnhandledRequest: 'error' });
  return { emulator, server, requests: () => seen, close: () => server.close() };
}

/** SDK client settings that point at the emulator: fake static credentials, the regional endpoint. */
export function emulatorClientConfig(region = 'us-east-1') {
  return { region, endpoint: `https://fis.${region}.amazonaws.com`, credentials: { accessKeyId: 'AKIDGAMEDAYTEST00000', secretAccessKey: 'gameday-test-secret-not-a-real-key' }, maxAttempts: 3 };
}
