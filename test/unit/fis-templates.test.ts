// The FIS fault spec (zod) and the pure spec → experiment template generator.
import { describe, expect, it } from 'vitest';
import { buildExperimentTemplate, fisClientToken, FisSpecError, GAMEDAY_TAG, isoDuration } from '../../chaos/fis/templates.ts';
import { parseFisSpec, type FisFaultSpecInput } from '../../src/schema/fis.ts';
import { wellFormed } from '../../src/schema/fis-limits.ts';

const ACCOUNT = '123456789012';
const R = 'us-east-1';
const ALARM = `arn:aws:cloudwatch:${R}:${ACCOUNT}:alarm:checkout-5xx`;
const BASE = { region: R, roleArn: `arn:aws:iam::${ACCOUNT}:role/gameday-fis`, stopConditions: [ALARM] };
const CTX = { runId: '20261123T192014Z-bb2f44', faultName: 'the-fault' };

function template(spec: Record<string, unknown>, ctx: Partial<typeof CTX & { owner: string; durationMs: number }> = {}) {
  return buildExperimentTemplate({ ...BASE, ...spec } as FisFaultSpecInput, { ...CTX, ...ctx });
}

function problems(spec: Record<string, unknown>): string[] {
  const r = parseFisSpec({ ...BASE, ...spec });
  if (r.ok) throw new Error('expected the spec to be refused');
  return r.problems;
}

const POD = { clusterIdentifier: 'prod-eks', namespace: 'checkout', selectorType: 'labelSelector', selectorValue: 'app=checkout' };
const DISK = { fault: 'disk-full', instances: { resourceTags: { role: 'ledger' } }, duration: '5m' };

describe('durations and tokens', () => {
  it('writes ISO 8601 durations as FIS takes them', () => {
    expect([isoDuration(60_000), isoDuration(90_000), isoDuration(3_600_000), isoDuration(5_400_000), isoDuration(43_200_000), isoDuration(0)]).toEqual(['PT1M', 'PT1M30S', 'PT1H', 'PT1H30M', 'PT12H', 'PT0S']);
    expect(() => isoDuration(1500)).toThrow(RangeError);
  });

  it('derives one clientToken per run, fault and purpose, within FIS limits', () => {
    const t = fisClientToken('run-1', 'f', 'start');
    expect(fisClientToken('run-1', 'f', 'start')).toBe(t);
    expect(new Set([t, fisClientToken('run-2', 'f', 'start'), fisClientToken('run-1', 'g', 'start'), fisClientToken('run-1', 'f', 'template')]).size).toBe(4);
    expect(t.length).toBeLessThanOrEqual(64);
    expect(t).toMatch(/^\S+$/);
  });
});

describe('fault → experiment template', () => {
  it('pod-kill via eks-pod-delete: pods chosen by parameters, service account and options as strings', () => {
    const t = template({ fault: 'pod-kill', pods: { ...POD, targetContainerName: 'app' }, kubernetesServiceAccount: 'fis-sa', gracePeriodSeconds: 0, maxErrorsPercent: 20 });
    expect(t.targets).toEqual({
      pods: { resourceType: 'aws:eks:pod', selectionMode: 'COUNT(1)', parameters: { ...POD, targetContainerName: 'app' } },
    });
    expect(t.actions).toEqual({
      'delete-pods': { actionId: 'aws:eks:pod-delete', parameters: { kubernetesServiceAccount: 'fis-sa', gracePeriodSeconds: '0', maxErrorsPercent: '20' }, targets: { Pods: 'pods' } },
    });
  });

  it('pod-kill via ecs-stop-task', () => {
    const t = template({ fault: 'pod-kill', via: 'ecs-stop-task', tasks: { resourceTags: { service: 'checkout' }, parameters: { cluster: 'prod' } } });
    expect(t.targets!.tasks).toEqual({ resourceType: 'aws:ecs:task', selectionMode: 'COUNT(1)', resourceTags: { service: 'checkout' }, parameters: { cluster: 'prod' } });
    expect(t.actions).toEqual({ 'stop-tasks': { actionId: 'aws:ecs:stop-task', targets: { Tasks: 'tasks' } } });
  });

  it('az-failure via disrupt-connectivity defaults to scope availability-zone', () => {
    const t = template({ fault: 'az-failure', subnets: { resourceTags: { tier: 'app' }, parameters: { availabilityZoneIdentifier: 'us-east-1a' } }, duration: '10m' });
    expect(t.actions).toEqual({
      'disrupt-connectivity': { actionId: 'aws:network:disrupt-connectivity', parameters: { scope: 'availability-zone', duration: 'PT10M' }, targets: { Subnets: 'subnets' } },
    });
    expect(t.targets!.subnets.resourceType).toBe('aws:ec2:subnet');
  });

  it('az-failure via az-power-interruption combines the zone actions, each aimed at the zone', () => {
    const t = template({
      fault: 'az-failure',
      via: 'az-power-interruption',
      availabilityZone: 'us-east-1b',
      duration: '30m',
      instances: { resourceTags: { az: 'power' } },
      subnets: { resourceTags: { az: 'power' } },
      rdsClusters: { resourceTags: { az: 'power' } },
      elasticache: { resourceTags: { az: 'power' } },
      zonalAutoshift: { managedResources: { resourceTags: { az: 'power' } }, managedResourceTypes: ['ALB', 'EKS'] },
    });
    const byId = Object.fromEntries(Object.values(t.actions!).map((a) => [a.actionId, a]));
    expect(Object.keys(byId).sort()).toEqual([
      'aws:arc:start-zonal-autoshift',
      'aws:ec2:stop-instances',
      'aws:elasticache:replicationgroup-interrupt-az-power',
      'aws:network:disrupt-connectivity',
      'aws:rds:failover-db-cluster',
    ]);
    expect(byId['aws:ec2:stop-instances'].parameters).toEqual({ startInstancesAfterDuration: 'PT30M', completeIfInstancesTerminated: 'true' });
    expect(byId['aws:arc:start-zonal-autoshift'].parameters).toEqual({ duration: 'PT30M', availabilityZoneIdentifier: 'us-east-1b', managedResourceTypes: 'ALB,EKS', zonalAutoshiftStatus: 'ENABLED' });
    expect(byId['aws:elasticache:replicationgroup-interrupt-az-power'].parameters).toEqual({ duration: 'PT30M' });
    expect(byId['aws:network:disrupt-connectivity'].parameters).toEqual({ scope: 'all', duration: 'PT30M' });
    expect(t.targets!['az-instances'].filters).toEqual([
      { path: 'State.Name', values: ['running'] },
      { path: 'Placement.AvailabilityZone', values: ['us-east-1b'] },
    ]);
    expect(t.targets!['az-subnets'].parameters).toEqual({ availabilityZoneIdentifier: 'us-east-1b' });
    expect(t.targets!['az-rds-clusters'].parameters).toEqual({ writerAvailabilityZoneIdentifiers: 'us-east-1b' });
    expect(t.targets!['az-replication-groups'].parameters).toEqual({ availabilityZoneIdentifier: 'us-east-1b' });
  });

  it('broker-failover via rds-failover, rds-reboot (forceFailover) and msk-reboot (SSM automation)', () => {
    expect(template({ fault: 'broker-failover', clusters: { resourceArns: [`arn:aws:rds:${R}:${ACCOUNT}:cluster:orders`] } }).actions).toEqual({
      'failover-db-cluster': { actionId: 'aws:rds:failover-db-cluster', targets: { Clusters: 'clusters' } },
    });
    expect(template({ fault: 'broker-failover', via: 'rds-reboot', instances: { resourceTags: { db: 'orders' } } }).actions).toEqual({
      'reboot-db-instances': { actionId: 'aws:rds:reboot-db-instances', parameters: { forceFailover: 'true' }, targets: { DBInstances: 'db-instances' } },
    });
    const msk = template({
      fault: 'broker-failover',
      via: 'msk-reboot',
      documentArn: `arn:aws:ssm:${R}:${ACCOUNT}:document/Gameday-MSK-RebootBroker`,
      documentParameters: { ClusterArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/events/abc', BrokerIds: ['1', '2'] },
      maxDuration: '15m',
    });
    expect(msk.targets).toBeUndefined();
    expect(msk.actions!['reboot-msk-broker'].actionId).toBe('aws:ssm:start-automation-execution');
    expect(msk.actions!['reboot-msk-broker'].parameters!.maxDuration).toBe('PT15M');
    expect(JSON.parse(msk.actions!['reboot-msk-broker'].parameters!.documentParameters)).toEqual({ ClusterArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/events/abc', BrokerIds: ['1', '2'] });
  });

  it('disk-full via AWSFIS-Run-Disk-Fill: DurationSeconds, Percent, InstallDependencies', () => {
    const t = template({ ...DISK, percent: 90, installDependencies: false });
    const a = t.actions!['fill-disk'];
    expect(a.actionId).toBe('aws:ssm:send-command');
    expect(a.parameters!.documentArn).toBe('arn:aws:ssm:us-east-1::document/AWSFIS-Run-Disk-Fill');
    expect(a.parameters!.duration).toBe('PT5M');
    expect(JSON.parse(a.parameters!.documentParameters)).toEqual({ DurationSeconds: '300', Percent: '90', InstallDependencies: 'False' });
    expect(JSON.parse(template(DISK).actions!['fill-disk'].parameters!.documentParameters).Percent).toBe('95');
  });

  it('api-throttle via inject-api-throttle-error on IAM roles', () => {
    const t = template({ fault: 'api-throttle', roles: { resourceArns: [`arn:aws:iam::${ACCOUNT}:role/checkout-api`] }, service: 'kinesis', operations: ['PutRecord', 'PutRecords'], percentage: 25, duration: '1m' });
    expect(t.targets!.roles).toEqual({ resourceType: 'aws:iam:role', selectionMode: 'ALL', resourceArns: [`arn:aws:iam::${ACCOUNT}:role/checkout-api`] });
    expect(t.actions).toEqual({
      'throttle-api': { actionId: 'aws:fis:inject-api-throttle-error', parameters: { service: 'kinesis', operations: 'PutRecord,PutRecords', percentage: '25', duration: 'PT1M' }, targets: { Roles: 'roles' } },
    });
  });

  it('carries role, alarms, tags (with the run id), log configuration and fails on empty targets', () => {
    const t = template(
      { ...DISK, tags: { team: 'ledger' }, logConfiguration: { cloudWatchLogsConfiguration: { logGroupArn: `arn:aws:logs:${R}:${ACCOUNT}:log-group:/fis:*` } } },
      { owner: '4242:1700000000' },
    );
    expect(t.roleArn).toBe(BASE.roleArn);
    expect(t.stopConditions).toEqual([{ source: 'aws:cloudwatch:alarm', value: ALARM }]);
    expect(t.tags).toEqual({ team: 'ledger', [GAMEDAY_TAG.runId]: CTX.runId, [GAMEDAY_TAG.fault]: 'the-fault', [GAMEDAY_TAG.owner]: '4242:1700000000' });
    expect(t.logConfiguration).toEqual({ logSchemaVersion: 2, cloudWatchLogsConfiguration: { logGroupArn: `arn:aws:logs:${R}:${ACCOUNT}:log-group:/fis:*` } });
    expect(t.experimentOptions).toEqual({ accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' });
  });

  it('a waiver becomes {source: "none"} and its reason goes into the description', () => {
    const t = template({ ...DISK, stopConditions: undefined, stopConditionWaiver: { reason: 'game day in staging, alarm under repair' } });
    expect(t.stopConditions).toEqual([{ source: 'none' }]);
    expect(t.description).toMatch(/no stop condition: game day in staging, alarm under repair/);
  });

  it('the drill may set the duration; FIS limits still hold', () => {
    expect(template(DISK, { durationMs: 120_000 }).actions!['fill-disk'].parameters!.duration).toBe('PT2M');
    expect(() => template(DISK, { durationMs: 30_000 })).toThrow(/one minute to 12 hours/);
  });

  it('is pure: the same spec and context give the same template', () => {
    expect(JSON.stringify(template(DISK))).toBe(JSON.stringify(template(DISK)));
  });
});

describe('refused combinations name the path and the fix', () => {
  it('no stop condition and no waiver', () => {
    expect(problems({ ...DISK, stopConditions: undefined })).toEqual([expect.stringMatching(/^stopConditions: .*CloudWatch alarm.*stopConditionWaiver: \{ reason/)]);
    expect(problems({ ...DISK, stopConditions: [] })).toEqual([expect.stringMatching(/^stopConditions: /)]);
  });

  it('both stop conditions and a waiver; a waiver without a reason', () => {
    expect(problems({ ...DISK, stopConditionWaiver: { reason: 'no alarm yet in staging' } })).toEqual([expect.stringMatching(/^stopConditionWaiver: the experiment has stop conditions/)]);
    expect(problems({ ...DISK, stopConditions: undefined, stopConditionWaiver: { reason: '' } })).toEqual([expect.stringMatching(/^stopConditionWaiver\.reason: say why/)]);
  });

  it('disk fill above 95% (FIS may not roll back a full disk)', () => {
    for (const percent of [96, 100]) expect(problems({ ...DISK, percent })).toEqual([expect.stringMatching(/^percent: at most 95: at 100% Systems Manager may be unable to cancel the command/)]);
    expect(parseFisSpec({ ...BASE, ...DISK, percent: 95 }).ok).toBe(true);
  });

  it('pod-delete targets by ARNs or tags', () => {
    const base = { fault: 'pod-kill', kubernetesServiceAccount: 'fis-sa' };
    expect(problems({ ...base, pods: { ...POD, resourceArns: [`arn:aws:eks:${R}:${ACCOUNT}:cluster/prod-eks`] } })).toEqual([
      'pods.resourceArns: aws:eks:pod targets are selected by parameters, never by ARNs: remove resourceArns and set clusterIdentifier, namespace, selectorType and selectorValue',
    ]);
    expect(problems({ ...base, pods: { ...POD, resourceTags: { app: 'checkout' } } })).toEqual([expect.stringMatching(/^pods\.resourceTags: .*never by tags/)]);
    expect(problems({ fault: 'pod-kill', pods: POD })).toEqual([expect.stringMatching(/^kubernetesServiceAccount: required/)]);
  });

  it('an explicit Region is required and every ARN must be in it', () => {
    expect(problems({ ...DISK, region: undefined })).toEqual([expect.stringMatching(/^region: required: .*"us-east-1"/)]);
    expect(problems({ ...DISK, stopConditions: [`arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:x`] })).toEqual([expect.stringMatching(/^stopConditions\[0\]: the alarm is in eu-west-1 but the experiment runs in us-east-1/)]);
    expect(problems({ fault: 'broker-failover', clusters: { resourceArns: [`arn:aws:rds:eu-west-1:${ACCOUNT}:cluster:orders`] } })).toEqual([expect.stringMatching(/^clusters\.resourceArns\[0\]: this resource is in eu-west-1/)]);
    expect(problems({ fault: 'az-failure', via: 'az-power-interruption', availabilityZone: 'eu-west-1a', duration: '5m', instances: { resourceTags: { a: 'b' } } })).toEqual([
      expect.stringMatching(/^availabilityZone: eu-west-1a is not in us-east-1/),
    ]);
  });

  it('targets: ARNs with tags or filters, ARNs of the wrong kind, unknown parameters, nothing to select', () => {
    const arn = `arn:aws:ec2:${R}:${ACCOUNT}:instance/i-0123456789abcdef0`;
    expect(problems({ ...DISK, instances: { resourceArns: [arn], resourceTags: { a: 'b' } } })).toEqual([expect.stringMatching(/^instances\.resourceTags: FIS cannot combine resourceArns and resourceTags/)]);
    expect(problems({ ...DISK, instances: { resourceArns: [arn], filters: [{ path: 'State.Name', values: ['running'] }] } })).toEqual([expect.stringMatching(/^instances\.filters: /)]);
    expect(problems({ ...DISK, instances: { resourceArns: [`arn:aws:ec2:${R}:${ACCOUNT}:subnet/subnet-0123456789abcdef0`] } })).toEqual([expect.stringMatching(/^instances\.resourceArns\[0\]: .* is not the ARN of a aws:ec2:instance: write e\.g\./)]);
    expect(problems({ ...DISK, instances: { parameters: { vpc: 'vpc-1' } } })).toEqual([expect.stringMatching(/^instances\.parameters\.vpc: aws:ec2:instance has no target parameter "vpc"/)]);
    expect(problems({ ...DISK, instances: {} })).toEqual([expect.stringMatching(/^instances: choose the aws:ec2:instance targets/)]);
    expect(problems({ fault: 'api-throttle', roles: { resourceTags: { a: 'b' } }, service: 'ec2', operations: ['RunInstances'], percentage: 10, duration: '1m' })).toEqual([
      expect.stringMatching(/^roles\.resourceArns: name the IAM roles by ARN/),
    ]);
  });

  it('durations outside FIS limits, a fault carried out the wrong way, a scope without its prefix list', () => {
    expect(problems({ ...DISK, duration: '30s' })).toEqual([expect.stringMatching(/^duration: FIS takes a duration from one minute to 12 hours/)]);
    expect(problems({ ...DISK, duration: '13h' })).toEqual([expect.stringMatching(/^duration: /)]);
    expect(problems({ ...DISK, duration: '61500ms' })).toEqual([expect.stringMatching(/^duration: FIS takes whole seconds/)]);
    expect(problems({ fault: 'pod-kill', via: 'rds-failover', clusters: { resourceTags: { a: 'b' } } })).toEqual(['via: fault pod-kill is carried out via eks-pod-delete or ecs-stop-task, not rds-failover']);
    expect(problems({ fault: 'pod-kill', via: 'chaos-monkey' })).toEqual([expect.stringMatching(/^via: write via: one of eks-pod-delete \| ecs-stop-task \(pod-kill\)/)]);
    expect(problems({ fault: 'az-failure', subnets: { resourceTags: { a: 'b' } }, scope: 'prefix-list', duration: '5m' })).toEqual([expect.stringMatching(/^prefixListIdentifier: scope prefix-list needs the prefix list/)]);
    expect(problems({ fault: 'az-failure', via: 'az-power-interruption', availabilityZone: 'us-east-1a', duration: '5m' })).toEqual([expect.stringMatching(/^\(top level\): an AZ power interruption needs something to interrupt/)]);
  });

  it('gameday reserves its tag keys; aws: is FIS-reserved', () => {
    expect(problems({ ...DISK, tags: { 'gameday:run-id': 'forged' } })).toEqual([expect.stringMatching(/^tags\.gameday:run-id: tag keys starting with "aws:" or "gameday:" are reserved/)]);
  });

  it('the generator refuses an unvalidated spec built in code, before anything is sent', () => {
    const forged = { ...BASE, ...DISK, percent: 99 } as unknown as FisFaultSpecInput;
    expect(() => buildExperimentTemplate(forged, CTX)).toThrow(FisSpecError);
    expect(() => buildExperimentTemplate(forged, CTX)).toThrow(/the-fault: the FIS fault spec is not valid\n {2}- percent: at most 95/);
  });

  it('a parsed spec parses again to itself', () => {
    const first = parseFisSpec({ ...BASE, ...DISK, tags: { team: 'ledger' } });
    expect(first.ok).toBe(true);
    if (first.ok) expect(parseFisSpec(first.spec)).toEqual(first);
  });
});

// --- the limits of CreateExperimentTemplate's input (chaos/fis/limits.ts, from the FIS service model)

describe('templates stay inside the FIS API limits: refused before they are printed or sent, naming the spec field and the limit', () => {
  /** the FisSpecError problems of building the template (spec validation first, then the template's limits) */
  function refused(spec: Record<string, unknown>, ctx: Partial<typeof CTX & { owner: string; durationMs: number }> = {}): string[] {
    try {
      template(spec, ctx);
    } catch (err) {
      expect(err).toBeInstanceOf(FisSpecError);
      return (err as FisSpecError).problems;
    }
    throw new Error('expected the template to be refused');
  }
  const arn = (i: number) => `arn:aws:ec2:${R}:${ACCOUNT}:instance/i-0123456789abcde${i.toString(16)}`;
  const STOP = { fault: 'disk-full', duration: '5m' };

  it('more than 5 resourceArns in a target (ResourceArnList)', () => {
    expect(() => template({ ...STOP, instances: { resourceArns: [1, 2, 3, 4, 5].map(arn) } })).not.toThrow();
    expect(refused({ ...STOP, instances: { resourceArns: [1, 2, 3, 4, 5, 6].map(arn) } })).toEqual([
      'instances.resourceArns: FIS takes at most 5 resourceArns in a target: this has 6 (select by resourceTags, or split the fault) (template targets.instances.resourceArns)',
    ]);
  });

  it('more than 50 tags once gameday adds its own (3 through the driver): a spec brings at most 47', () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`team-${i}`, 'x']));
    const t = template({ ...DISK, tags: tags(47) }, { owner: '4242:99' });
    expect(Object.keys(t.tags!)).toHaveLength(50);
    expect(refused({ ...DISK, tags: tags(48) })).toEqual([expect.stringMatching(/^tags: FIS takes at most 50 tags and gameday adds 3 of its own .*: give at most 47, not 48$/)]);
  });

  it('more than 50 resourceTags (TagMap)', () => {
    const resourceTags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(refused({ ...STOP, instances: { resourceTags } })).toEqual([expect.stringMatching(/^instances\.resourceTags: FIS takes at most 50 tags: this has 51/)]);
  });

  it('resource tag keys over 128 and values over 256 characters, counted in code points', () => {
    expect(refused({ ...STOP, instances: { resourceTags: { ['k'.repeat(129)]: 'v' } } })).toEqual([expect.stringMatching(/^instances\.resourceTags\["k+"\]: FIS takes a tag key of 1 to 128 characters \(this one has 129\)/)]);
    expect(refused({ ...STOP, instances: { resourceTags: { role: 'v'.repeat(257) } } })).toEqual([expect.stringMatching(/^instances\.resourceTags\["role"\]: FIS takes a tag value of 0 to 256 characters \(this one has 257\)/)]);
    // 128 emoji are 256 UTF-16 units but 128 characters as FIS counts them
    expect(() => template({ ...STOP, instances: { resourceTags: { ['😀'.repeat(128)]: '😀'.repeat(256) } } })).not.toThrow();
  });

  it('spec tag keys over 128 and values over 256', () => {
    expect(problems({ ...DISK, tags: { ['k'.repeat(129)]: 'v' } })).toEqual([expect.stringMatching(/^tags\.k+: /)]);
    expect(problems({ ...DISK, tags: { team: 'v'.repeat(257) } })).toEqual([expect.stringMatching(/^tags\.team: /)]);
  });

  it('an empty description (FIS requires 1 to 512 characters)', () => {
    expect(refused({ ...DISK, description: '' })).toEqual(['description: FIS requires a description of 1 to 512 characters: it is empty (template description)']);
  });

  it('a description cut at 512 is cut in code points, never leaving half of a surrogate pair', () => {
    const head = `gameday disk-full via ssm-disk-fill: fault the-fault of run ${CTX.runId} [no stop condition: `;
    const reason = `${'x'.repeat(401 - (head.length % 2))}${'😀'.repeat(200)}`; // 512 UTF-16 units end half-way through an emoji
    const t = template({ ...DISK, stopConditions: undefined, stopConditionWaiver: { reason } });
    expect([...t.description!]).toHaveLength(512);
    expect(wellFormed(t.description!)).toBe(true);
    expect(t.description!.endsWith('😀')).toBe(true);
    // .slice(0, 512) in UTF-16 units, as before, ends on a lone high surrogate
    const full = `${head}${reason}]`;
    expect(wellFormed(full.slice(0, 512))).toBe(false);
  });

  it('a lone surrogate in the description is refused (UTF-8 cannot carry it)', () => {
    expect(refused({ ...DISK, description: 'disk fill \uD83D' })).toEqual([expect.stringMatching(/^description: a description holds a lone UTF-16 surrogate/)]);
  });

  it.each([
    ['a label selector of several labels', 'app=a,tier=web', '","'],
    ['a set-based selector', 'app in (x)', '"(" ")"'],
  ])('target parameter values outside [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]: %s', (_, selectorValue, bad) => {
    const out = refused({ fault: 'pod-kill', pods: { ...POD, selectorValue }, kubernetesServiceAccount: 'fis-sa' });
    expect(out).toEqual([`pods.selectorValue: FIS takes only letters, digits, spaces and _ . : / = + - @ in a target parameter value ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+): ${JSON.stringify(selectorValue)} has ${bad} (template targets.pods.parameters.selectorValue)`]);
  });

  it('the RDS writerAvailabilityZoneIdentifiers comma list of the user guide is refused: the API pattern has no comma', () => {
    const out = refused({ fault: 'az-failure', via: 'az-power-interruption', availabilityZone: 'us-east-1a', duration: '10m', rdsClusters: { resourceTags: { az: 'power' }, parameters: { writerAvailabilityZoneIdentifiers: 'us-east-1a,us-east-1b' } } });
    expect(out).toEqual([expect.stringMatching(/^rdsClusters\.parameters\.writerAvailabilityZoneIdentifiers: FIS takes only letters, digits, spaces .* has ","/)]);
    // the zone gameday writes itself is one identifier
    const t = template({ fault: 'az-failure', via: 'az-power-interruption', availabilityZone: 'us-east-1a', duration: '10m', rdsClusters: { resourceTags: { az: 'power' } } });
    expect(t.targets!['az-rds-clusters'].parameters).toEqual({ writerAvailabilityZoneIdentifiers: 'us-east-1a' });
  });

  it('empty and over-long filter values (1 to 128, no whitespace)', () => {
    const filtered = (values: string[]) => ({ ...STOP, instances: { resourceTags: { role: 'ledger' }, filters: [{ path: 'State.Name', values }] } });
    expect(refused(filtered(['']))).toEqual([expect.stringMatching(/^instances\.filters\[0\]\.values\[0\]: FIS takes a filter value of 1 to 128 characters: it is empty/)]);
    expect(refused(filtered(['r'.repeat(129)]))).toEqual([expect.stringMatching(/^instances\.filters\[0\]\.values\[0\]: FIS takes a filter value of 1 to 128 characters \(this one has 129\)/)]);
    expect(refused(filtered(['in service']))).toEqual([expect.stringMatching(/^instances\.filters\[0\]\.values\[0\]: FIS takes a filter value without whitespace/)]);
  });

  it('an S3 bucket name over 63 characters', () => {
    const log = (bucketName: string) => ({ ...DISK, logConfiguration: { s3Configuration: { bucketName } } });
    expect(() => template(log('b'.repeat(63)))).not.toThrow();
    expect(refused(log('b'.repeat(64)))).toEqual([
      'logConfiguration.s3Configuration.bucketName: FIS takes an S3 bucket name of 3 to 63 characters (this one has 64) (template logConfiguration.s3Configuration.bucketName)',
    ]);
  });

  it('an action parameter over 1,024 characters, or with whitespace in it', () => {
    const msk = (documentParameters: Record<string, string>) => ({
      fault: 'broker-failover',
      via: 'msk-reboot',
      documentArn: `arn:aws:ssm:${R}:${ACCOUNT}:document/Gameday-MSK-RebootBroker`,
      documentParameters,
      maxDuration: '10m',
    });
    expect(refused(msk({ ClusterArn: 'c'.repeat(1020) }))).toEqual([expect.stringMatching(/^documentParameters: FIS takes an action parameter of 1 to 1024 characters \(this one has 1037\)/)]);
    expect(refused(msk({ Comment: 'two words' }))).toEqual([expect.stringMatching(/^documentParameters: FIS takes an action parameter without whitespace/)]);
  });

  it.each(['COUNT(0)', 'PERCENT(500)', 'PERCENT(0)', 'COUNT(01)', 'SOME'])('selection mode %s', (selectionMode) => {
    expect(problems({ ...STOP, instances: { resourceTags: { role: 'ledger' }, selectionMode } })).toEqual([expect.stringMatching(/^instances\.selectionMode: (write ALL, COUNT\(n\) with n of 1 or more|PERCENT\(n\) takes a percentage from 1 to 100)/)]);
  });

  it('selection modes FIS takes: ALL, COUNT(n ≥ 1), PERCENT(1..100)', () => {
    for (const selectionMode of ['ALL', 'COUNT(1)', 'COUNT(250)', 'PERCENT(1)', 'PERCENT(100)']) {
      expect(template({ ...STOP, instances: { resourceTags: { role: 'ledger' }, selectionMode } }).targets!.instances.selectionMode).toBe(selectionMode);
    }
  });
});
