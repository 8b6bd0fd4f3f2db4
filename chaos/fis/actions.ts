// The AWS FIS actions gameday uses: action id, the key its target goes under in the action's
// `targets` map, and that target's resource type (AWS FIS user guide, actions reference and
// "Action targets").

export interface FisActionInfo {
  /** the key under the action's `targets` (Pods, Tasks, Subnets, ...); null when the action takes no target */
  targetKey: string | null;
  resourceType: string | null;
}

export const FIS_ACTIONS = {
  'aws:eks:pod-delete': { targetKey: 'Pods', resourceType: 'aws:eks:pod' },
  'aws:ecs:stop-task': { targetKey: 'Tasks', resourceType: 'aws:ecs:task' },
  'aws:network:disrupt-connectivity': { targetKey: 'Subnets', resourceType: 'aws:ec2:subnet' },
  'aws:arc:start-zonal-autoshift': { targetKey: 'ManagedResources', resourceType: 'aws:arc:zonal-shift-managed-resource' },
  'aws:ec2:stop-instances': { targetKey: 'Instances', resourceType: 'aws:ec2:instance' },
  'aws:rds:failover-db-cluster': { targetKey: 'Clusters', resourceType: 'aws:rds:cluster' },
  'aws:rds:reboot-db-instances': { targetKey: 'DBInstances', resourceType: 'aws:rds:db' },
  'aws:elasticache:replicationgroup-interrupt-az-power': { targetKey: 'ReplicationGroups', resourceType: 'aws:elasticache:replicationgroup' },
  'aws:ssm:start-automation-execution': { targetKey: null, resourceType: null },
  'aws:ssm:send-command': { targetKey: 'Instances', resourceType: 'aws:ec2:instance' },
  'aws:fis:inject-api-throttle-error': { targetKey: 'Roles', resourceType: 'aws:iam:role' },
} as const satisfies Record<string, FisActionInfo>;

export type FisActionId = keyof typeof FIS_ACTIONS;

/** The public AWS FIS document that fills a disk (aws:ssm:send-command). */
export function diskFillDocumentArn(region: string): string {
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:ssm:${region}::document/AWSFIS-Run-Disk-Fill`;
}
