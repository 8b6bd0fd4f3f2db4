// Fault spec → AWS FIS experiment template. Pure: the same spec and context give the same
// template, byte for byte; nothing here talks to AWS.
import { DrillError } from '../../src/schema/config-file.ts';
import { createHash } from 'node:crypto';
import type { CreateExperimentTemplateActionInput, CreateExperimentTemplateCommandInput, CreateExperimentTemplateTargetInput } from '@aws-sdk/client-fis';
import { parseFisSpec, type FisFaultSpec, type FisFaultSpecInput } from '../../src/schema/fis.ts';
import { diskFillDocumentArn, FIS_ACTIONS, type FisActionId } from './actions.ts';
import { FIS_LIMITS, templateLimitProblems, truncateCodePoints } from '../../src/schema/fis-limits.ts';

/** Tags gameday puts on every template and experiment, so a later run can find leftovers. */
export const GAMEDAY_TAG = { runId: 'gameday:run-id', fault: 'gameday:fault', owner: 'gameday:owner' } as const;

/** The template without its clientToken (the driver adds one per run). */
export type FisTemplate = Omit<CreateExperimentTemplateCommandInput, 'clientToken'>;

export interface TemplateContext {
  runId: string;
  /** the fault's name in the drill (or the spec's name) */
  faultName: string;
  /** marker of the process that owns the run ("pid:start"), for the sweep */
  owner?: string;
  /** overrides the spec's duration (duration, maxDuration, startInstancesAfterDuration) */
  durationMs?: number;
}

/** The spec is invalid: nothing was sent to AWS. */
export class FisSpecError extends DrillError {
  constructor(source: string, problems: string[]) {
    super(source, problems, 'the FIS fault spec');
    this.name = 'FisSpecError';
  }

  /** the spec file (or fault) the problems are in */
  get source(): string {
    return this.file;
  }
}

/** Validates a spec (either form) or throws FisSpecError naming `source`. */
export function validFisSpec(spec: FisFaultSpecInput | FisFaultSpec, source: string): FisFaultSpec {
  const parsed = parseFisSpec(spec);
  if (!parsed.ok) throw new FisSpecError(source, parsed.problems);
  return parsed.spec;
}

/** 90_000 → "PT1M30S": ISO 8601 as the FIS API takes durations. */
export function isoDuration(ms: number): string {
  if (!Number.isInteger(ms / 1000) || ms < 0) throw new RangeError(`${ms} ms is not a whole number of seconds`);
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
}

/**
 * An FIS clientToken derived from the run, the fault and what it is for: a retried create or
 * start of the same fault in the same run sends the same token, so FIS does it once.
 */
export function fisClientToken(runId: string, faultName: string, purpose: 'template' | 'start'): string {
  return `gameday-${createHash('sha256').update(`${runId}\0${faultName}\0${purpose}`).digest('hex').slice(0, 40)}`;
}

type Target = { resourceArns?: string[]; resourceTags?: Record<string, string>; filters?: Array<{ path: string; values: string[] }>; parameters?: Record<string, string>; selectionMode: string };

function target(resourceType: string, t: Target, extra: { parameters?: Record<string, string>; filters?: Array<{ path: string; values: string[] }> } = {}): CreateExperimentTemplateTargetInput {
  const out: CreateExperimentTemplateTargetInput = { resourceType, selectionMode: t.selectionMode };
  if (t.resourceArns) out.resourceArns = [...t.resourceArns];
  if (t.resourceTags) out.resourceTags = { ...t.resourceTags };
  const filters = [...(t.filters ?? []), ...(t.resourceArns ? [] : (extra.filters ?? []))];
  if (filters.length) out.filters = filters;
  const parameters = { ...(extra.parameters ?? {}), ...(t.parameters ?? {}) };
  if (Object.keys(parameters).length) out.parameters = parameters;
  return out;
}

function action(actionId: FisActionId, parameters: Record<string, string | undefined>, targetName?: string): CreateExperimentTemplateActionInput {
  const out: CreateExperimentTemplateActionInput = { actionId };
  const params = Object.fromEntries(Object.entries(parameters).filter((e): e is [string, string] => e[1] !== undefined));
  if (Object.keys(params).length) out.parameters = params;
  const key = FIS_ACTIONS[actionId].targetKey;
  if (key && targetName) out.targets = { [key]: targetName };
  return out;
}

type Plan = { targets: Record<string, CreateExperimentTemplateTargetInput>; actions: Record<string, CreateExperimentTemplateActionInput> };

function plan(spec: FisFaultSpec, durationMs: number | undefined): Plan {
  const d = (specMs: number) => isoDuration(durationMs ?? specMs);
  switch (spec.via) {
    case 'eks-pod-delete': {
      const { pods } = spec;
      const parameters: Record<string, string> = { clusterIdentifier: pods.clusterIdentifier, namespace: pods.namespace, selectorType: pods.selectorType, selectorValue: pods.selectorValue };
      if (pods.targetContainerName) parameters.targetContainerName = pods.targetContainerName;
      if (pods.availabilityZoneIdentifier) parameters.availabilityZoneIdentifier = pods.availabilityZoneIdentifier;
      return {
        targets: { pods: { resourceType: 'aws:eks:pod', selectionMode: pods.selectionMode, parameters } },
        actions: {
          'delete-pods': action(
            'aws:eks:pod-delete',
            { kubernetesServiceAccount: spec.kubernetesServiceAccount, gracePeriodSeconds: spec.gracePeriodSeconds?.toString(), maxErrorsPercent: spec.maxErrorsPercent?.toString() },
            'pods',
          ),
        },
      };
    }
    case 'ecs-stop-task':
      return { targets: { tasks: target('aws:ecs:task', spec.tasks) }, actions: { 'stop-tasks': action('aws:ecs:stop-task', {}, 'tasks') } };
    case 'disrupt-connectivity':
      return {
        targets: { subnets: target('aws:ec2:subnet', spec.subnets) },
        actions: { 'disrupt-connectivity': action('aws:network:disrupt-connectivity', { scope: spec.scope, duration: d(spec.duration), prefixListIdentifier: spec.prefixListIdentifier }, 'subnets') },
      };
    case 'az-power-interruption': {
      const az = spec.availabilityZone;
      const duration = d(spec.duration);
      const p: Plan = { targets: {}, actions: {} };
      if (spec.instances) {
        p.targets['az-instances'] = target('aws:ec2:instance', spec.instances, {
          filters: [
            { path: 'State.Name', values: ['running'] },
            { path: 'Placement.AvailabilityZone', values: [az] },
          ],
        });
        p.actions['stop-instances'] = action('aws:ec2:stop-instances', { startInstancesAfterDuration: duration, completeIfInstancesTerminated: 'true' }, 'az-instances');
      }
      if (spec.subnets) {
        p.targets['az-subnets'] = target('aws:ec2:subnet', spec.subnets, spec.subnets.resourceArns ? {} : { parameters: { availabilityZoneIdentifier: az } });
        p.actions['disrupt-connectivity'] = action('aws:network:disrupt-connectivity', { scope: 'all', duration }, 'az-subnets');
      }
      if (spec.rdsClusters) {
        p.targets['az-rds-clusters'] = target('aws:rds:cluster', spec.rdsClusters, { parameters: { writerAvailabilityZoneIdentifiers: az } });
        p.actions['failover-rds'] = action('aws:rds:failover-db-cluster', {}, 'az-rds-clusters');
      }
      if (spec.elasticache) {
        p.targets['az-replication-groups'] = target('aws:elasticache:replicationgroup', spec.elasticache, { parameters: { availabilityZoneIdentifier: az } });
        p.actions['interrupt-elasticache-power'] = action('aws:elasticache:replicationgroup-interrupt-az-power', { duration }, 'az-replication-groups');
      }
      if (spec.zonalAutoshift) {
        const z = spec.zonalAutoshift;
        p.targets['zonal-shift-resources'] = target('aws:arc:zonal-shift-managed-resource', z.managedResources);
        p.actions['start-zonal-autoshift'] = action(
          'aws:arc:start-zonal-autoshift',
          { duration, availabilityZoneIdentifier: az, managedResourceTypes: z.managedResourceTypes.join(','), zonalAutoshiftStatus: z.zonalAutoshiftStatus },
          'zonal-shift-resources',
        );
      }
      return p;
    }
    case 'rds-failover':
      return { targets: { clusters: target('aws:rds:cluster', spec.clusters) }, actions: { 'failover-db-cluster': action('aws:rds:failover-db-cluster', {}, 'clusters') } };
    case 'rds-reboot':
      return {
        targets: { 'db-instances': target('aws:rds:db', spec.instances) },
        actions: { 'reboot-db-instances': action('aws:rds:reboot-db-instances', { forceFailover: String(spec.forceFailover) }, 'db-instances') },
      };
    case 'msk-reboot':
      return {
        targets: {},
        actions: {
          'reboot-msk-broker': action('aws:ssm:start-automation-execution', {
            documentArn: spec.documentArn,
            documentVersion: spec.documentVersion,
            documentParameters: JSON.stringify(spec.documentParameters),
            maxDuration: d(spec.maxDuration),
          }),
        },
      };
    case 'ssm-disk-fill': {
      const ms = durationMs ?? spec.duration;
      const documentParameters = { DurationSeconds: String(ms / 1000), Percent: String(spec.percent), InstallDependencies: spec.installDependencies ? 'True' : 'False' };
      return {
        targets: { instances: target('aws:ec2:instance', spec.instances) },
        actions: {
          'fill-disk': action('aws:ssm:send-command', { documentArn: diskFillDocumentArn(spec.region), documentParameters: JSON.stringify(documentParameters), duration: isoDuration(ms) }, 'instances'),
        },
      };
    }
    case 'inject-api-throttle-error':
      return {
        targets: { roles: target('aws:iam:role', spec.roles) },
        actions: {
          'throttle-api': action(
            'aws:fis:inject-api-throttle-error',
            { service: spec.service, operations: spec.operations.join(','), percentage: String(spec.percentage), duration: d(spec.duration) },
            'roles',
          ),
        },
      };
  }
}

/** The spec field each target of a template comes from, by target name. */
const TARGET_FIELD: Record<string, string> = {
  pods: 'pods',
  tasks: 'tasks',
  subnets: 'subnets',
  'az-instances': 'instances',
  'az-subnets': 'subnets',
  'az-rds-clusters': 'rdsClusters',
  'az-replication-groups': 'elasticache',
  'zonal-shift-resources': 'zonalAutoshift.managedResources',
  clusters: 'clusters',
  'db-instances': 'instances',
  instances: 'instances',
  roles: 'roles',
};

/** The spec field each action parameter comes from, where its name is not the field's. */
const ACTION_PARAMETER_FIELD: Record<string, string> = {
  startInstancesAfterDuration: 'duration',
  availabilityZoneIdentifier: 'availabilityZone',
  managedResourceTypes: 'zonalAutoshift.managedResourceTypes',
  zonalAutoshiftStatus: 'zonalAutoshift.zonalAutoshiftStatus',
  completeIfInstancesTerminated: 'instances',
};

/** Template path → the spec field it is made from, for errors that say what to change in the spec. */
function specFieldOf(spec: FisFaultSpec): (templatePath: string) => string {
  const record = spec as unknown as Record<string, unknown>;
  return (at) => {
    const target = /^targets\.([^.]+)(?:\.([A-Za-z]+)(.*))?$/.exec(at);
    if (target) {
      const field = TARGET_FIELD[target[1]] ?? target[1];
      const [, , part, rest] = target;
      if (part === 'parameters') {
        const name = rest.slice(1);
        if (field === 'pods') return `pods.${name}`;
        // a parameter gameday adds for the zone comes from availabilityZone, unless the spec set it itself
        const own = (field.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], record) as { parameters?: Record<string, string> } | undefined)?.parameters;
        return own && name in own ? `${field}.parameters.${name}` : 'availabilityZone';
      }
      if (part === 'filters' && spec.via === 'az-power-interruption') return `${field}.filters (or availabilityZone)`;
      return part ? `${field}.${part}${rest}` : field;
    }
    const action = /^actions\.[^.]+\.parameters\.(.+)$/.exec(at);
    if (action) {
      const name = action[1];
      if (spec.via === 'ssm-disk-fill') return name === 'documentArn' ? 'region' : 'percent, duration, installDependencies';
      return ACTION_PARAMETER_FIELD[name] ?? name;
    }
    if (at.startsWith('tags')) return 'tags';
    if (at === 'description') return spec.stopConditionWaiver ? 'description, stopConditionWaiver.reason' : 'description';
    if (at.startsWith('stopConditions')) return at.replace(/\.(value|source)$/, '');
    return at;
  };
}

/**
 * The experiment template for one fault. Validates the spec again first (a spec built in code
 * gets the same refusals as a spec file), so an invalid combination never reaches AWS; then the
 * template itself against the limits of CreateExperimentTemplate's input (./limits.ts), so that
 * neither `gameday fis --dry-run` nor the driver hands out one the service would refuse.
 */
export function buildExperimentTemplate(specInput: FisFaultSpecInput | FisFaultSpec, ctx: TemplateContext): FisTemplate {
  const spec = validFisSpec(specInput, ctx.faultName);
  if (ctx.durationMs !== undefined && (ctx.durationMs % 1000 !== 0 || ctx.durationMs < 60_000 || ctx.durationMs > 12 * 3_600_000)) {
    throw new FisSpecError(ctx.faultName, [`duration: FIS takes whole seconds from one minute to 12 hours, not ${ctx.durationMs} ms`]);
  }
  const { targets, actions } = plan(spec, ctx.durationMs);
  const waiver = spec.stopConditionWaiver;
  const describe = spec.description ?? `gameday ${spec.fault} via ${spec.via}: fault ${ctx.faultName} of run ${ctx.runId}`;
  const template: FisTemplate = {
    // cut in code points, as FIS counts them: never half of a surrogate pair
    description: truncateCodePoints(waiver ? `${describe} [no stop condition: ${waiver.reason}]` : describe, FIS_LIMITS.descriptionMax),
    roleArn: spec.roleArn,
    stopConditions: waiver ? [{ source: 'none' }] : (spec.stopConditions ?? []).map((value) => ({ source: 'aws:cloudwatch:alarm', value })),
    targets,
    actions,
    tags: gamedayTags(spec.tags, ctx),
    experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
  };
  if (Object.keys(targets).length === 0) delete template.targets;
  if (spec.logConfiguration) {
    const l = spec.logConfiguration;
    template.logConfiguration = { logSchemaVersion: l.logSchemaVersion };
    if (l.cloudWatchLogsConfiguration) template.logConfiguration.cloudWatchLogsConfiguration = { ...l.cloudWatchLogsConfiguration };
    if (l.s3Configuration) template.logConfiguration.s3Configuration = { ...l.s3Configuration };
  }
  const problems = templateLimitProblems(template, specFieldOf(spec));
  if (problems.length) throw new FisSpecError(ctx.faultName, problems);
  return template;
}

/** The spec's tags plus gameday's run id, fault name and owner. */
export function gamedayTags(tags: Record<string, string>, ctx: Pick<TemplateContext, 'runId' | 'faultName' | 'owner'>): Record<string, string> {
  const out: Record<string, string> = { ...tags, [GAMEDAY_TAG.runId]: ctx.runId, [GAMEDAY_TAG.fault]: ctx.faultName };
  if (ctx.owner) out[GAMEDAY_TAG.owner] = ctx.owner;
  return out;
}

/** The action ids a template runs, for reports. */
export function templateActionIds(template: FisTemplate): string[] {
  return Object.values(template.actions ?? {}).map((a) => a.actionId ?? '');
}
