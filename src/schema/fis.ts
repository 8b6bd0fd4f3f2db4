// An AWS FIS fault spec: one gameday fault (pod-kill, az-failure, broker-failover, disk-full,
// api-throttle) carried out by AWS Fault Injection Service. One schema for the spec file that
// `gameday fis <spec>` reads and for the FIS faults the driver is given.
//
// Facts it encodes, from the AWS FIS user guide (actions reference, targets, SSM documents):
// - aws:eks:pod targets are identified by parameters only (clusterIdentifier, namespace,
//   selectorType = labelSelector | deploymentName | podName, selectorValue; targetContainerName
//   and availabilityZoneIdentifier optional), never by ARNs or tags.
// - A target cannot have both resourceArns and resourceTags, nor resourceArns and filters.
// - Durations are ISO 8601 in the API, from one minute to 12 hours.
// - AWSFIS-Run-Disk-Fill: DurationSeconds (required), Percent (default 95), InstallDependencies;
//   at 100% Systems Manager may be unable to cancel the command, so the rollback can fail.
// - aws:fis:inject-api-throttle-error: target aws:iam:role; service ec2 | kinesis; operations
//   (comma separated); percentage 1-100; duration.
// - aws:network:disrupt-connectivity scopes: all | availability-zone | dynamodb | prefix-list |
//   s3 | s3express | vpc (prefixListIdentifier with prefix-list).
// - FIS has no MSK action: a broker reboot is an SSM automation document that calls
//   kafka:RebootBroker, run by aws:ssm:start-automation-execution (documentArn,
//   documentParameters, maxDuration).
// Idempotent: a parsed spec parses again to itself, so code may hand either form to the driver.
import { z } from 'zod';
import { Duration } from './duration.ts';
import { selectionModeProblem, SPEC_TAGS_MAX } from './fis-limits.ts';

export const FIS_FAULTS = ['pod-kill', 'az-failure', 'broker-failover', 'disk-full', 'api-throttle'] as const;
export type FisFault = (typeof FIS_FAULTS)[number];

/** How each gameday fault can be carried out on FIS (`via`); the first is the default. */
export const FIS_VIAS: Record<FisFault, readonly string[]> = {
  'pod-kill': ['eks-pod-delete', 'ecs-stop-task'],
  'az-failure': ['disrupt-connectivity', 'az-power-interruption'],
  'broker-failover': ['rds-failover', 'rds-reboot', 'msk-reboot'],
  'disk-full': ['ssm-disk-fill'],
  'api-throttle': ['inject-api-throttle-error'],
};

/** Disk fill above this is refused: at 100% FIS may be unable to roll the fault back. */
export const MAX_DISK_FILL_PERCENT = 95;

const MIN_ACTION_MS = 60_000;
const MAX_ACTION_MS = 12 * 3_600_000;

const PARTITION = 'aws(?:-[a-z]+)*';
const REGION_RE = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const ACCOUNT = '\\d{12}';

const Region = z.string().regex(REGION_RE, 'write an AWS Region code, e.g. "us-east-1"');
const RoleArn = z
  .string()
  .regex(new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:role/[\\w+=,.@/-]+$`), 'write the ARN of the IAM role FIS assumes, e.g. "arn:aws:iam::123456789012:role/gameday-fis"');
const AlarmArn = z
  .string()
  .regex(
    new RegExp(`^arn:${PARTITION}:cloudwatch:[a-z0-9-]+:${ACCOUNT}:alarm:.+$`),
    'write the ARN of a CloudWatch alarm, e.g. "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx"',
  );
const DocumentArn = z
  .string()
  .regex(
    new RegExp(`^arn:${PARTITION}:ssm:[a-z0-9-]+:(?:${ACCOUNT})?:document/[A-Za-z0-9_.-]+$`),
    'write the ARN of an SSM document, e.g. "arn:aws:ssm:us-east-1:123456789012:document/Gameday-MSK-RebootBroker"',
  );
const AzName = z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d+[a-z]$/, 'write an Availability Zone name, e.g. "us-east-1a"');

/** A duration for an FIS action parameter: whole seconds, from one minute to 12 hours. */
const ActionDuration = Duration.superRefine((ms, ctx) => {
  if (ms % 1000 !== 0) ctx.addIssue({ code: 'custom', message: 'FIS takes whole seconds: round it, e.g. "90s"' });
  else if (ms < MIN_ACTION_MS || ms > MAX_ACTION_MS) ctx.addIssue({ code: 'custom', message: 'FIS takes a duration from one minute to 12 hours, e.g. "5m"' });
});

const SelectionMode = z.string().superRefine((mode, ctx) => {
  const problem = selectionModeProblem(mode);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const Filter = z.object({ path: z.string().min(1), values: z.array(z.string()).min(1) }).strict();

/** Tag keys FIS reserves, or gameday sets itself. */
const ReservedTagKey = /^(aws:|gameday:)/i;
const Tags = z.record(z.string().min(1).max(128), z.string().max(256)).superRefine((tags, ctx) => {
  const n = Object.keys(tags).length;
  if (n > SPEC_TAGS_MAX) {
    ctx.addIssue({ code: 'custom', message: `FIS takes at most 50 tags and gameday adds 3 of its own (gameday:run-id, gameday:fault, gameday:owner): give at most ${SPEC_TAGS_MAX}, not ${n}` });
  }
  for (const key of Object.keys(tags)) {
    if (ReservedTagKey.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `tag keys starting with "aws:" or "gameday:" are reserved: rename "${key}"` });
  }
});

/** Resource types gameday targets: how their ARNs look and which target parameters FIS accepts. */
export const FIS_RESOURCE_TYPES = {
  'aws:ecs:task': { arn: /^arn:aws(?:-[a-z]+)*:ecs:([a-z0-9-]+):\d{12}:task\/.+$/, parameters: ['cluster', 'service'], example: 'arn:aws:ecs:us-east-1:123456789012:task/my-cluster/0123456789abcdef' },
  'aws:ec2:subnet': { arn: /^arn:aws(?:-[a-z]+)*:ec2:([a-z0-9-]+):\d{12}:subnet\/subnet-[0-9a-f]+$/, parameters: ['availabilityZoneIdentifier', 'vpc'], example: 'arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0123456789abcdef0' },
  'aws:ec2:instance': { arn: /^arn:aws(?:-[a-z]+)*:ec2:([a-z0-9-]+):\d{12}:instance\/i-[0-9a-f]+$/, parameters: [], example: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0' },
  'aws:rds:cluster': { arn: /^arn:aws(?:-[a-z]+)*:rds:([a-z0-9-]+):\d{12}:cluster:.+$/, parameters: ['writerAvailabilityZoneIdentifiers'], example: 'arn:aws:rds:us-east-1:123456789012:cluster:orders' },
  'aws:rds:db': { arn: /^arn:aws(?:-[a-z]+)*:rds:([a-z0-9-]+):\d{12}:db:.+$/, parameters: ['availabilityZoneIdentifiers'], example: 'arn:aws:rds:us-east-1:123456789012:db:orders-1' },
  'aws:elasticache:replicationgroup': {
    arn: /^arn:aws(?:-[a-z]+)*:elasticache:([a-z0-9-]+):\d{12}:replicationgroup:.+$/,
    parameters: ['availabilityZoneIdentifier'],
    example: 'arn:aws:elasticache:us-east-1:123456789012:replicationgroup:sessions',
  },
  'aws:iam:role': { arn: /^arn:aws(?:-[a-z]+)*:iam::()\d{12}:role\/.+$/, parameters: [], example: 'arn:aws:iam::123456789012:role/checkout-api' },
  'aws:arc:zonal-shift-managed-resource': {
    arn: /^arn:aws(?:-[a-z]+)*:(?:elasticloadbalancing|autoscaling|eks):([a-z0-9-]+):\d{12}:.+$/,
    parameters: [],
    example: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/checkout/0123456789abcdef',
  },
} as const;
export type FisResourceType = keyof typeof FIS_RESOURCE_TYPES;

/**
 * A target chosen by ARNs, tags (optionally narrowed by filters) or resource parameters.
 * `defaultSelection` is the selection mode when the spec gives none.
 */
function target(resourceType: FisResourceType, defaultSelection = 'ALL') {
  const info = FIS_RESOURCE_TYPES[resourceType];
  return z
    .object({
      resourceArns: z.array(z.string()).min(1).optional(),
      resourceTags: z.record(z.string().min(1), z.string()).optional(),
      filters: z.array(Filter).min(1).optional(),
      parameters: z.record(z.string(), z.string()).optional(),
      selectionMode: SelectionMode.default(defaultSelection),
    })
    .strict()
    .superRefine((t, ctx) => {
      if (!t.resourceArns && !t.resourceTags && !t.parameters) {
        ctx.addIssue({ code: 'custom', message: `choose the ${resourceType} targets: give resourceArns (e.g. ["${info.example}"]) or resourceTags (e.g. { team: "checkout" })` });
      }
      if (t.resourceArns && t.resourceTags) ctx.addIssue({ code: 'custom', path: ['resourceTags'], message: 'FIS cannot combine resourceArns and resourceTags in one target: keep one of them' });
      if (t.resourceArns && t.filters) ctx.addIssue({ code: 'custom', path: ['filters'], message: 'FIS cannot combine resourceArns and filters in one target: remove the filters or select by resourceTags' });
      t.resourceArns?.forEach((arn, i) => {
        if (!info.arn.test(arn)) ctx.addIssue({ code: 'custom', path: ['resourceArns', i], message: `"${arn}" is not the ARN of a ${resourceType}: write e.g. "${info.example}"` });
      });
      for (const key of Object.keys(t.parameters ?? {})) {
        if (!(info.parameters as readonly string[]).includes(key)) {
          const allowed = info.parameters.length ? `it takes ${info.parameters.join(', ')}` : 'it takes none';
          ctx.addIssue({ code: 'custom', path: ['parameters', key], message: `${resourceType} has no target parameter "${key}": ${allowed}` });
        }
      }
    });
}

/** aws:eks:pod: selected by parameters only. ARNs and tags are accepted by the shape only to refuse them with the fix. */
const PodTarget = z
  .object({
    clusterIdentifier: z.string().min(1, 'the name or ARN of the EKS cluster'),
    namespace: z.string().min(1),
    selectorType: z.enum(['labelSelector', 'deploymentName', 'podName'], { error: 'write labelSelector, deploymentName or podName' }),
    selectorValue: z.string().min(1, 'e.g. "app=checkout" for a labelSelector'),
    targetContainerName: z.string().min(1).optional(),
    availabilityZoneIdentifier: z.string().min(1).optional(),
    selectionMode: SelectionMode.default('COUNT(1)'),
    resourceArns: z.unknown().optional(),
    resourceTags: z.unknown().optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    for (const key of ['resourceArns', 'resourceTags'] as const) {
      if (t[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `aws:eks:pod targets are selected by parameters, never by ${key === 'resourceArns' ? 'ARNs' : 'tags'}: remove ${key} and set clusterIdentifier, namespace, selectorType and selectorValue`,
        });
      }
    }
  });

const LogConfiguration = z
  .object({
    logSchemaVersion: z.number().int().positive().default(2),
    cloudWatchLogsConfiguration: z.object({ logGroupArn: z.string().regex(/^arn:aws(?:-[a-z]+)*:logs:[a-z0-9-]+:\d{12}:log-group:.+$/, 'write the ARN of a CloudWatch Logs log group') }).strict().optional(),
    s3Configuration: z.object({ bucketName: z.string().min(3), prefix: z.string().optional() }).strict().optional(),
  })
  .strict()
  .refine((l) => l.cloudWatchLogsConfiguration || l.s3Configuration, { message: 'say where FIS writes the experiment log: cloudWatchLogsConfiguration { logGroupArn } or s3Configuration { bucketName }' });

const Common = {
  /** the fault's name: tags the template and experiment (gameday:fault) */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, e.g. "checkout-pod-kill"').optional(),
  fault: z.enum(FIS_FAULTS, { error: `write one of ${FIS_FAULTS.join(', ')}` }),
  /** FIS targets AWS: the Region is never implied */
  region: Region,
  roleArn: RoleArn,
  description: z.string().max(400).optional(),
  /** CloudWatch alarms that stop the experiment; required unless waived */
  stopConditions: z.array(AlarmArn).max(5, 'FIS takes at most 5 stop conditions').optional(),
  /** runs the experiment without a stop condition ({source: "none"}); the reason is kept in the template description */
  stopConditionWaiver: z.object({ reason: z.string().trim().min(10, 'say why this experiment may run without an alarm to stop it (10 characters or more)') }).strict().optional(),
  tags: Tags.default({}),
  logConfiguration: LogConfiguration.optional(),
};

const EksPodDelete = z
  .object({
    ...Common,
    via: z.literal('eks-pod-delete'),
    pods: PodTarget,
    /** the Kubernetes service account the FIS pod runs as (required by FIS) */
    kubernetesServiceAccount: z.string().min(1),
    gracePeriodSeconds: z.number().int().nonnegative().optional(),
    maxErrorsPercent: z.number().int().min(0).max(100).optional(),
  })
  .strict();

const EcsStopTask = z.object({ ...Common, via: z.literal('ecs-stop-task'), tasks: target('aws:ecs:task', 'COUNT(1)') }).strict();

const CONNECTIVITY_SCOPES = ['all', 'availability-zone', 'dynamodb', 'prefix-list', 's3', 's3express', 'vpc'] as const;
const DisruptConnectivity = z
  .object({
    ...Common,
    via: z.literal('disrupt-connectivity'),
    subnets: target('aws:ec2:subnet'),
    scope: z.enum(CONNECTIVITY_SCOPES, { error: `write one of ${CONNECTIVITY_SCOPES.join(', ')}` }).default('availability-zone'),
    prefixListIdentifier: z.string().min(1).optional(),
    duration: ActionDuration,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.scope === 'prefix-list' && !s.prefixListIdentifier) ctx.addIssue({ code: 'custom', path: ['prefixListIdentifier'], message: 'scope prefix-list needs the prefix list: give its name, ID or ARN' });
    if (s.scope !== 'prefix-list' && s.prefixListIdentifier) ctx.addIssue({ code: 'custom', path: ['prefixListIdentifier'], message: 'prefixListIdentifier only goes with scope: prefix-list' });
  });

const MANAGED_RESOURCE_TYPES = ['ASG', 'ALB', 'NLB', 'EKS'] as const;
const AzPowerInterruption = z
  .object({
    ...Common,
    via: z.literal('az-power-interruption'),
    /** the zone that loses power */
    availabilityZone: AzName,
    duration: ActionDuration,
    /** EC2 instances stopped, restarted after the duration (aws:ec2:stop-instances) */
    instances: target('aws:ec2:instance').optional(),
    /** subnets cut off (aws:network:disrupt-connectivity, scope all) */
    subnets: target('aws:ec2:subnet').optional(),
    /** Aurora clusters whose writer is in the zone fail over (aws:rds:failover-db-cluster) */
    rdsClusters: target('aws:rds:cluster').optional(),
    /** ElastiCache replication groups whose nodes in the zone lose power */
    elasticache: target('aws:elasticache:replicationgroup').optional(),
    /** ARC zonal autoshift away from the zone (aws:arc:start-zonal-autoshift), the recovery */
    zonalAutoshift: z
      .object({
        managedResources: target('aws:arc:zonal-shift-managed-resource'),
        managedResourceTypes: z.array(z.enum(MANAGED_RESOURCE_TYPES, { error: `write ${MANAGED_RESOURCE_TYPES.join(', ')}` })).min(1).default([...MANAGED_RESOURCE_TYPES]),
        zonalAutoshiftStatus: z.enum(['ENABLED', 'DISABLED', 'ANY']).default('ENABLED'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.instances && !s.subnets && !s.rdsClusters && !s.elasticache && !s.zonalAutoshift) {
      ctx.addIssue({ code: 'custom', message: 'an AZ power interruption needs something to interrupt: give instances, subnets, rdsClusters, elasticache and/or zonalAutoshift' });
    }
  });

const RdsFailover = z.object({ ...Common, via: z.literal('rds-failover'), clusters: target('aws:rds:cluster') }).strict();

const RdsReboot = z
  .object({ ...Common, via: z.literal('rds-reboot'), instances: target('aws:rds:db'), forceFailover: z.boolean().default(true) })
  .strict();

const DocumentParameters = z.record(z.string().min(1), z.union([z.string(), z.array(z.string())]));

const MskReboot = z
  .object({
    ...Common,
    via: z.literal('msk-reboot'),
    /** an SSM automation document that calls kafka:RebootBroker (FIS has no MSK action) */
    documentArn: DocumentArn,
    documentVersion: z.string().min(1).optional(),
    /** the document's parameters, e.g. { ClusterArn: "...", BrokerIds: ["1"] } */
    documentParameters: DocumentParameters.default({}),
    /** how long the automation may run */
    maxDuration: ActionDuration,
  })
  .strict();

const SsmDiskFill = z
  .object({
    ...Common,
    via: z.literal('ssm-disk-fill'),
    instances: target('aws:ec2:instance'),
    /** share of the root volume to allocate (AWSFIS-Run-Disk-Fill Percent) */
    percent: z
      .number()
      .int('a whole percentage, e.g. 90')
      .min(1)
      .max(MAX_DISK_FILL_PERCENT, `at most ${MAX_DISK_FILL_PERCENT}: at 100% Systems Manager may be unable to cancel the command, so FIS could not roll the disk fill back; use ${MAX_DISK_FILL_PERCENT} or less`)
      .default(MAX_DISK_FILL_PERCENT),
    installDependencies: z.boolean().default(true),
    duration: ActionDuration,
  })
  .strict();

const ApiThrottle = z
  .object({
    ...Common,
    via: z.literal('inject-api-throttle-error'),
    /** the IAM roles whose calls are throttled */
    roles: target('aws:iam:role'),
    service: z.enum(['ec2', 'kinesis'], { error: 'FIS throttles the ec2 or kinesis API namespace: write "ec2" or "kinesis"' }),
    operations: z.array(z.string().regex(/^[A-Za-z]+$/, 'an API operation name, e.g. "DescribeInstances"')).min(1),
    percentage: z.number().int().min(1).max(100),
    duration: ActionDuration,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.roles.resourceArns === undefined) ctx.addIssue({ code: 'custom', path: ['roles', 'resourceArns'], message: 'name the IAM roles by ARN, e.g. ["arn:aws:iam::123456789012:role/checkout-api"]' });
  });

const Vias = z.discriminatedUnion('via', [EksPodDelete, EcsStopTask, DisruptConnectivity, AzPowerInterruption, RdsFailover, RdsReboot, MskReboot, SsmDiskFill, ApiThrottle], {
  error: (issue) =>
    issue.code === 'invalid_union' ? `write via: one of ${Object.entries(FIS_VIAS).map(([f, v]) => `${v.join(' | ')} (${f})`).join('; ')}` : undefined,
});

/** Fills `via` when the fault has a single FIS mechanism, so a spec can leave it out. */
function defaultVia(raw: unknown): unknown {
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && (raw as { via?: unknown }).via === undefined) {
    const fault = (raw as { fault?: unknown }).fault;
    const vias = typeof fault === 'string' ? FIS_VIAS[fault as FisFault] : undefined;
    if (vias) return { ...raw, via: vias[0] };
  }
  return raw;
}

function regionOf(arn: string): string | null {
  const region = arn.split(':')[3];
  return region ? region : null;
}

export const FisFaultSpec = z.preprocess(
  defaultVia,
  Vias.superRefine((s, ctx) => {
    if (!FIS_VIAS[s.fault].includes(s.via)) {
      ctx.addIssue({ code: 'custom', path: ['via'], message: `fault ${s.fault} is carried out via ${FIS_VIAS[s.fault].join(' or ')}, not ${s.via}` });
    }
    const alarms = s.stopConditions ?? [];
    if (alarms.length === 0 && !s.stopConditionWaiver) {
      ctx.addIssue({
        code: 'custom',
        path: ['stopConditions'],
        message:
          'an FIS experiment needs a CloudWatch alarm that stops it when the system degrades: add stopConditions: ["arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME"], or waive it explicitly with stopConditionWaiver: { reason: "..." }',
      });
    }
    if (alarms.length > 0 && s.stopConditionWaiver) {
      ctx.addIssue({ code: 'custom', path: ['stopConditionWaiver'], message: 'the experiment has stop conditions: remove stopConditionWaiver, or remove the stopConditions it waives' });
    }
    alarms.forEach((arn, i) => {
      if (regionOf(arn) !== s.region) ctx.addIssue({ code: 'custom', path: ['stopConditions', i], message: `the alarm is in ${regionOf(arn)} but the experiment runs in ${s.region}: use an alarm in ${s.region}` });
    });
    // Every ARN the experiment touches must be in its Region (IAM roles are global).
    const targets: Array<[string, { resourceArns?: unknown }] | undefined> = [];
    const record = s as unknown as Record<string, unknown>;
    for (const key of ['tasks', 'subnets', 'instances', 'rdsClusters', 'elasticache', 'clusters']) {
      const t = record[key];
      if (t && typeof t === 'object') targets.push([key, t as { resourceArns?: unknown }]);
    }
    if (s.via === 'az-power-interruption' && s.zonalAutoshift) targets.push(['zonalAutoshift.managedResources', s.zonalAutoshift.managedResources]);
    for (const entry of targets) {
      if (!entry) continue;
      const [key, t] = entry;
      if (!Array.isArray(t.resourceArns)) continue;
      t.resourceArns.forEach((arn: string, i: number) => {
        const region = regionOf(arn);
        if (region && region !== s.region) ctx.addIssue({ code: 'custom', path: [...key.split('.'), 'resourceArns', i], message: `this resource is in ${region} but the experiment runs in ${s.region}: FIS acts in one Region; use a spec per Region` });
      });
    }
    if (s.via === 'msk-reboot' && regionOf(s.documentArn) !== s.region) {
      ctx.addIssue({ code: 'custom', path: ['documentArn'], message: `the document is in ${regionOf(s.documentArn)} but the experiment runs in ${s.region}: SSM documents are regional; use one in ${s.region}` });
    }
    if (s.via === 'az-power-interruption' && !s.availabilityZone.startsWith(s.region)) {
      ctx.addIssue({ code: 'custom', path: ['availabilityZone'], message: `${s.availabilityZone} is not in ${s.region}: write a zone of ${s.region}, e.g. "${s.region}a"` });
    }
  }),
);

type ViaInput = z.input<typeof Vias>;
/** What a spec file holds (durations as strings, defaults optional, `via` optional where the fault has one mechanism). */
export type FisFaultSpecInput = ViaInput extends infer T ? (T extends { via: infer V } ? Omit<T, 'via'> & { via?: V } : never) : never;
/** A validated spec (durations in ms, defaults filled in). */
export type FisFaultSpec = z.output<typeof FisFaultSpec>;
export type FisVia = FisFaultSpec['via'];

/** "pods.resourceArns", "roles.resourceArns[0]" */
function formatPath(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') || '(top level)';
}

/** What to write when a required field is missing, by field name. */
const REQUIRED: Record<string, string> = {
  fault: `which fault: ${FIS_FAULTS.join(', ')}`,
  region: 'FIS acts on AWS, so say where: e.g. region: "us-east-1"',
  roleArn: 'the IAM role FIS assumes, e.g. "arn:aws:iam::123456789012:role/gameday-fis"',
  duration: 'how long the fault lasts, from "1m" to "12h"',
  maxDuration: 'how long the automation may run, from "1m" to "12h"',
  pods: 'the pods: { clusterIdentifier, namespace, selectorType, selectorValue }',
  tasks: 'the ECS tasks: resourceArns, or resourceTags with parameters { cluster, service }',
  subnets: 'the subnets: resourceArns or resourceTags',
  instances: 'the instances: resourceArns or resourceTags',
  clusters: 'the Aurora clusters: resourceArns or resourceTags',
  roles: 'the IAM roles whose API calls are throttled: { resourceArns: [...] }',
  kubernetesServiceAccount: 'the Kubernetes service account FIS runs its pod as (FIS requires it)',
  clusterIdentifier: 'the name or ARN of the EKS cluster',
  namespace: 'the Kubernetes namespace of the pods',
  selectorType: 'labelSelector, deploymentName or podName',
  selectorValue: 'e.g. "app=checkout" for a labelSelector',
  documentArn: 'the ARN of the SSM automation document that reboots the broker (kafka:RebootBroker)',
  availabilityZone: 'the zone that loses power, e.g. "us-east-1a"',
  service: '"ec2" or "kinesis"',
  operations: 'the API operations to throttle, e.g. ["DescribeInstances"]',
  percentage: 'the share of calls to throttle, 1 to 100',
};

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Validates a spec; each issue has its path and a message saying what is wrong and the fix. */
export function fisSpecIssues(raw: unknown): { ok: true; spec: FisFaultSpec } | { ok: false; issues: Array<{ path: PropertyKey[]; message: string }> } {
  const result = FisFaultSpec.safeParse(raw);
  if (result.success) return { ok: true, spec: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => {
      const last = issue.path[issue.path.length - 1];
      const missing = issue.path.length > 0 && valueAt(defaultVia(raw), issue.path) === undefined && typeof last === 'string' && REQUIRED[last];
      return { path: issue.path, message: missing ? `required: ${REQUIRED[last as string]}` : issue.message };
    }),
  };
}

/** Validates a spec; problems read "path: what is wrong and the fix". */
export function parseFisSpec(raw: unknown): { ok: true; spec: FisFaultSpec } | { ok: false; problems: string[] } {
  const result = fisSpecIssues(raw);
  return result.ok ? result : { ok: false, problems: result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
}
