// What the kubernetes driver writes to a cluster and reads back, as pure functions: the labels and
// annotation that mark gameday's objects, the deny-all NetworkPolicy of a partition, a drill's
// label selector as the API's LabelSelector object, which nodes a zone failure may cordon, which
// workloads own the chosen pods, which pods are replacements, and the order a revert undoes in.
import type { V1LabelSelector, V1NetworkPolicy, V1Node, V1Pod } from '@kubernetes/client-node';
import type { LedgerKubeChange } from '../../src/platform/ledger.ts';
import type { LabelRequirement } from '../../src/schema/label-selector.ts';

/** On every object gameday creates: the run that created it (the sweep deletes by it). */
export const RUN_ID_LABEL = 'gameday.dev/run-id';
/** On every object gameday creates: the owner marker of the process, as the ledger keeps it. */
export const OWNER_ANNOTATION = 'gameday.dev/owner';
/** On the pods a partition cuts off when it does not take every matching pod: the run id. */
export const PARTITION_LABEL = 'gameday.dev/partitioned';

/** The name of a fault's NetworkPolicy: a DNS subdomain (lower case), unique per run and fault. */
export function policyName(runId: string, fault: string): string {
  return `gameday-${runId.toLowerCase()}-${fault}`.slice(0, 253).replace(/[-.]+$/, '');
}

/** A parsed label selector (src/schema/label-selector.ts) as the API's LabelSelector object. */
export function labelSelectorObject(requirements: readonly LabelRequirement[]): V1LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<V1LabelSelector['matchExpressions']> = [];
  for (const r of requirements) {
    if (r.op === '=') matchLabels[r.key] = r.value;
    else if (r.op === '!=') matchExpressions.push({ key: r.key, operator: 'NotIn', values: [r.value] });
    else if (r.op === 'in') matchExpressions.push({ key: r.key, operator: 'In', values: [...r.values] });
    else if (r.op === 'notin') matchExpressions.push({ key: r.key, operator: 'NotIn', values: [...r.values] });
    else if (r.op === 'exists') matchExpressions.push({ key: r.key, operator: 'Exists' });
    else matchExpressions.push({ key: r.key, operator: 'DoesNotExist' });
  }
  return { ...(Object.keys(matchLabels).length ? { matchLabels } : {}), ...(matchExpressions.length ? { matchExpressions } : {}) };
}

/**
 * A partition: a NetworkPolicy that selects the pods and allows nothing in or out (both policy
 * types, no rules). `podSelector` is the drill's selector when every matching pod is chosen, else
 * the partition label gameday put on the chosen ones.
 */
export function denyAllPolicy(o: { name: string; namespace: string; runId: string; owner: string; fault: string; podSelector: V1LabelSelector }): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { [RUN_ID_LABEL]: o.runId, 'app.kubernetes.io/managed-by': 'gameday' },
      annotations: { [OWNER_ANNOTATION]: o.owner, 'gameday.dev/fault': o.fault },
    },
    spec: { podSelector: o.podSelector, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] },
  };
}

/** The selector of a partition: the drill's own when every match is chosen, else gameday's label on the chosen pods. */
export function partitionSelector(o: { requirements: readonly LabelRequirement[]; allChosen: boolean; runId: string }): V1LabelSelector {
  return o.allChosen ? labelSelectorObject(o.requirements) : { matchLabels: { [PARTITION_LABEL]: o.runId } };
}

/** The nodes of a zone a zone failure cordons, and those already cordoned by someone else (left as they are). */
export function nodesToCordon(nodes: readonly V1Node[]): { cordon: string[]; alreadyCordoned: string[] } {
  const names = (ns: readonly V1Node[]) => ns.map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
  return { cordon: names(nodes.filter((n) => !n.spec?.unschedulable)), alreadyCordoned: names(nodes.filter((n) => n.spec?.unschedulable)) };
}

export function isPodReady(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && pod.status?.phase === 'Running' && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The pods that were not there before (by uid) and are Ready: the replacements of deleted ones. */
export function newReadyPods(before: ReadonlySet<string>, now: readonly V1Pod[]): V1Pod[] {
  return now.filter((p) => !before.has(p.metadata?.uid ?? '') && isPodReady(p));
}

export interface WorkloadRef {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
}

/**
 * The workloads that own pods: a StatefulSet directly, a Deployment through its ReplicaSet
 * (`replicaSetOwners`: ReplicaSet name → its owning Deployment, if any). Pods of anything else
 * (a bare ReplicaSet, a Job, a DaemonSet) have no replica count to give back: named in `unscalable`.
 */
export function owningWorkloads(pods: readonly V1Pod[], replicaSetOwners: ReadonlyMap<string, string | null>): { workloads: WorkloadRef[]; unscalable: string[] } {
  const found = new Map<string, WorkloadRef>();
  const unscalable: string[] = [];
  for (const pod of pods) {
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller) ?? pod.metadata?.ownerReferences?.[0];
    let ref: WorkloadRef | null = null;
    if (owner?.kind === 'StatefulSet') ref = { kind: 'StatefulSet', name: owner.name };
    else if (owner?.kind === 'ReplicaSet') {
      const deployment = replicaSetOwners.get(owner.name);
      if (deployment) ref = { kind: 'Deployment', name: deployment };
    }
    if (ref) found.set(`${ref.kind}/${ref.name}`, ref);
    else unscalable.push(`${pod.metadata?.name} (${owner ? `${owner.kind} ${owner.name}` : 'no owner'})`);
  }
  return { workloads: [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, w]) => w), unscalable };
}

/** A workload as a selection candidate and in the evidence: "Deployment/checkout". */
export const workloadKey = (w: WorkloadRef) => `${w.kind}/${w.name}`;

/**
 * What to undo, and in which order: the last change first (a policy before the labels its selector
 * names), each once. Pod deletions are not in the ledger: their controller replaces them.
 */
export function undoOrder(changes: readonly LedgerKubeChange[]): LedgerKubeChange[] {
  const seen = new Set<string>();
  const out: LedgerKubeChange[] = [];
  for (const c of [...changes].reverse()) {
    const key = JSON.stringify(c);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/** One change, as the cleanup command and the evidence say it. */
export function describeKubeChange(c: LedgerKubeChange): string {
  if (c.kind === 'cordoned') return `cordon of node ${c.node}`;
  if (c.kind === 'network-policy') return `NetworkPolicy ${c.name}`;
  if (c.kind === 'pod-labelled') return `label ${c.label} on pod ${c.pod}`;
  return `scale of ${c.workload} ${c.name} (to give back ${c.replicas} replicas)`;
}
