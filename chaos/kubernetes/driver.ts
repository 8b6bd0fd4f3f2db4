// Kubernetes driver: faults on workloads gameday did not start, selected by namespace and label
// selector, through the Kubernetes API (@kubernetes/client-node).
//   pod-kill       the selected pods deleted (gracePeriod, default each pod's own); their
//                  replacements observed Ready, the time from delete to Ready recorded
//   az-failure     the nodes whose zone label is `zone` cordoned for the window (a node cordoned
//                  already is left as it is) and the selected pods on them deleted; the nodes
//                  gameday cordoned uncordoned after, the replacements observed Ready
//   partition      a deny-all NetworkPolicy (ingress and egress) selecting the selected pods (by the
//                  drill's selector when all are chosen, else by a label put on the chosen ones);
//                  deleted after, and the label removed
//   scale-to-zero  the Deployments / StatefulSets owning the matching pods (the selected ones)
//                  scaled to 0, scaled back to the replicas recorded at inject, observed Ready
// Victims are picked among what matches at inject (`select`, seeded, recorded); an empty match is an
// error before anything is done. Every change is handed to `record` (the ledger) before it is made;
// every object gameday creates carries the run-id label and the owner annotation.
import type { V1Pod } from '@kubernetes/client-node';
import type { LedgerKubeChange } from '../../src/platform/ledger.ts';
import { waitFor } from '../../src/platform/poll.ts';
import type { LabelRequirement } from '../../src/schema/label-selector.ts';
import type { Select } from '../../src/schema/select.ts';
import { assertSupported, type FaultDriver, type FaultRequest, type InjectedFault } from '../driver.ts';
import { describeSelection, selectVictims, type Selection } from '../select.ts';
import { apiErrorMessage, isNotFound, mergePatch, type KubeConnection } from './client.ts';
import { denyAllPolicy, nodesToCordon, owningWorkloads, partitionSelector, PARTITION_LABEL, policyName, undoOrder, workloadKey, type WorkloadRef } from './manifests.ts';
import { watchReplacements, type Replacement, type ReplacementWatch } from './replacements.ts';
import { observeUndone, scaleWorkload, undoKubeChange, workloadReplicas } from './undo.ts';

export interface KubernetesDriverOptions {
  api: Pick<KubeConnection, 'core' | 'apps' | 'networking'>;
  namespace: string;
  /** the drill's selector as written (the API takes the string) and parsed (for a NetworkPolicy) */
  labelSelector: string;
  requirements: readonly LabelRequirement[];
  zoneLabel: string;
  runId: string;
  /** the owner marker of this process, on every object gameday creates */
  owner: string;
  /** called before a change is made (the ledger) and once it is observed undone */
  record?: (change: LedgerKubeChange) => void;
  undone?: (change: LedgerKubeChange) => void;
  /** how long a replacement, a scale down or a scale back may take (default 60 s) */
  timeoutMs?: number;
}

/** What one fault did, for the evidence (chaos_report.json → environment.kubernetes.faults). */
export interface KubeFaultRecord {
  action: string;
  selection: Selection;
  /** pod-kill, az-failure: the pods deleted, with the grace period asked for (null: each pod's own) */
  deleted?: { pods: Array<{ pod: string; node: string | null }>; gracePeriodSeconds: number | null; at: string };
  /** pod-kill, az-failure: the new pods, Ready, with the time from the delete */
  replacements?: { pods: Replacement[]; complete: boolean } | null;
  /** az-failure: the zone's nodes, those gameday cordoned and those cordoned already (left alone) */
  zone?: { zone: string; nodes: string[]; cordoned: string[]; alreadyCordoned: string[] };
  /** partition: the NetworkPolicy and the pods labelled for it (none when it selects by the drill's selector) */
  policy?: { name: string; podSelector: unknown; labelledPods: string[] };
  /** scale-to-zero: each workload and the replicas it had (and gets back) */
  scaled?: Array<{ workload: string; replicas: number }>;
}

const MAX_NAME = 253;

export class KubernetesDriver implements FaultDriver {
  readonly name = 'kubernetes' as const;
  /** fault name → what it did (selection, pods, nodes, policy, workloads) */
  readonly faults = new Map<string, KubeFaultRecord>();
  private readonly changes = new Map<string, LedgerKubeChange[]>();
  private readonly watches = new Map<string, ReplacementWatch>();

  constructor(private readonly o: KubernetesDriverOptions) {}

  private get ns(): string {
    return this.o.namespace;
  }

  private get timeoutMs(): number {
    return this.o.timeoutMs ?? 60_000;
  }

  /** Every pod the selector matches (terminating and finished ones included). */
  private async listPods(): Promise<V1Pod[]> {
    try {
      return (await this.o.api.core.listNamespacedPod({ namespace: this.ns, labelSelector: this.o.labelSelector })).items;
    } catch (err) {
      throw new Error(`listing the pods of namespace ${this.ns} (${this.o.labelSelector}): ${apiErrorMessage(err)}`);
    }
  }

  /** The live pods the drill's selector matches: not terminating, not finished; by name. */
  async matching(): Promise<V1Pod[]> {
    return (await this.listPods())
      .filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }

  private select(request: FaultRequest, candidates: string[], fallback: Select, what: string): Selection {
    const select = ('select' in request.params ? request.params.select : undefined) ?? fallback;
    return selectVictims(candidates, select, `fault ${request.name} (${what})`);
  }

  private change(fault: string, change: LedgerKubeChange): void {
    this.o.record?.(change);
    this.changes.set(fault, [...(this.changes.get(fault) ?? []), change]);
  }

  async inject(request: FaultRequest): Promise<InjectedFault> {
    assertSupported(this.name, request.action);
    if (this.faults.has(request.name)) throw new Error(`fault ${request.name} was already injected in this run`);
    const applied: InjectedFault['applied'] = [];
    if (request.action === 'pod-kill') await this.podKill(request, applied);
    else if (request.action === 'az-failure') await this.azFailure(request, applied);
    else if (request.action === 'partition') await this.partition(request, applied);
    else if (request.action === 'scale-to-zero') await this.scaleToZero(request, applied);
    applied.push({ target: 'selection', ref: describeSelection(this.faults.get(request.name)!.selection) });
    return { request, applied };
  }

  /** Deletes the chosen pods, sees each go (terminating or gone), and starts watching for their replacements. */
  private async deletePods(fault: string, victims: V1Pod[], all: V1Pod[], gracePeriodMs: number | undefined, applied: InjectedFault['applied']): Promise<KubeFaultRecord['deleted']> {
    const gracePeriodSeconds = gracePeriodMs === undefined ? null : Math.ceil(gracePeriodMs / 1000);
    const before = new Set(all.map((p) => p.metadata?.uid ?? ''));
    const since = performance.now();
    const at = new Date().toISOString();
    for (const pod of victims) {
      const name = pod.metadata!.name!;
      try {
        await this.o.api.core.deleteNamespacedPod({ name, namespace: this.ns, ...(gracePeriodSeconds === null ? {} : { gracePeriodSeconds }) });
      } catch (err) {
        if (!isNotFound(err)) throw new Error(`deleting pod ${name}: ${apiErrorMessage(err)}`);
      }
    }
    this.watches.set(fault, watchReplacements({ list: () => this.listPods(), before, count: victims.length, since, timeoutMs: this.timeoutMs }));
    // observed: each victim is gone, or terminating (its grace period running)
    for (const pod of victims) {
      const name = pod.metadata!.name!;
      await waitFor(
        async () => {
          try {
            const now = await this.o.api.core.readNamespacedPod({ name, namespace: this.ns });
            return now.metadata?.uid !== pod.metadata?.uid || Boolean(now.metadata?.deletionTimestamp);
          } catch (err) {
            if (isNotFound(err)) return true;
            throw err;
          }
        },
        { timeoutMs: 15_000, intervalMs: 50, what: `pod ${name} to be deleted` },
      );
      applied.push({ target: name, ref: `deleted pod ${name} (node ${pod.spec?.nodeName ?? 'none'}${gracePeriodSeconds === null ? '' : `, grace ${gracePeriodSeconds} s`})` });
    }
    return { pods: victims.map((p) => ({ pod: p.metadata!.name!, node: p.spec?.nodeName ?? null })), gracePeriodSeconds, at };
  }

  private async podKill(request: Extract<FaultRequest, { action: 'pod-kill' }>, applied: InjectedFault['applied']): Promise<void> {
    const pods = await this.matching();
    const selection = this.select(request, pods.map((p) => p.metadata!.name!), { mode: 'count', value: 1, seed: 1 }, `${this.ns}: ${this.o.labelSelector}`);
    const record: KubeFaultRecord = { action: request.action, selection };
    this.faults.set(request.name, record);
    record.deleted = await this.deletePods(request.name, pods.filter((p) => selection.chosen.includes(p.metadata!.name!)), pods, request.params.gracePeriod, applied);
  }

  private async azFailure(request: Extract<FaultRequest, { action: 'az-failure' }>, applied: InjectedFault['applied']): Promise<void> {
    const zone = request.params.zone;
    let nodes;
    try {
      nodes = (await this.o.api.core.listNode({ labelSelector: `${this.o.zoneLabel}=${zone}` })).items;
    } catch (err) {
      throw new Error(`listing the nodes of zone ${zone}: ${apiErrorMessage(err)}`);
    }
    if (nodes.length === 0) throw new Error(`fault ${request.name}: no node has the label ${this.o.zoneLabel}=${zone}: fix the zone (or target.kubernetes.zoneLabel) — nothing was injected`);
    const names = new Set(nodes.map((n) => n.metadata!.name!));
    const pods = await this.matching();
    const inZone = pods.filter((p) => names.has(p.spec?.nodeName ?? ''));
    // chosen before anything changes: a zone where no matching pod runs is an error, nothing cordoned
    const selection = this.select(request, inZone.map((p) => p.metadata!.name!), { mode: 'all' }, `${this.ns}: ${this.o.labelSelector} on the nodes of zone ${zone}`);
    const { cordon, alreadyCordoned } = nodesToCordon(nodes);
    const record: KubeFaultRecord = { action: request.action, selection, zone: { zone, nodes: [...names].sort(), cordoned: [], alreadyCordoned } };
    this.faults.set(request.name, record);
    for (const node of cordon) {
      this.change(request.name, { kind: 'cordoned', node });
      try {
        await this.o.api.core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, mergePatch());
      } catch (err) {
        throw new Error(`cordoning node ${node}: ${apiErrorMessage(err)}`);
      }
      const after = await this.o.api.core.readNode({ name: node });
      if (!after.spec?.unschedulable) throw new Error(`node ${node} is still schedulable after cordoning it`);
      record.zone!.cordoned.push(node);
      applied.push({ target: node, ref: `cordoned node ${node} (zone ${zone})` });
    }
    record.deleted = await this.deletePods(request.name, inZone.filter((p) => selection.chosen.includes(p.metadata!.name!)), pods, undefined, applied);
  }

  private async partition(request: Extract<FaultRequest, { action: 'partition' }>, applied: InjectedFault['applied']): Promise<void> {
    const pods = await this.matching();
    const selection = this.select(request, pods.map((p) => p.metadata!.name!), { mode: 'all' }, `${this.ns}: ${this.o.labelSelector}`);
    const allChosen = selection.chosen.length === selection.matched.length;
    const name = policyName(this.o.runId, request.name);
    if (name.length > MAX_NAME) throw new Error(`fault ${request.name}: the NetworkPolicy name ${name} is too long`);
    const podSelector = partitionSelector({ requirements: this.o.requirements, allChosen, runId: this.o.runId });
    const record: KubeFaultRecord = { action: request.action, selection, policy: { name, podSelector, labelledPods: [] } };
    this.faults.set(request.name, record);
    if (!allChosen) {
      for (const pod of selection.chosen) {
        this.change(request.name, { kind: 'pod-labelled', pod, label: PARTITION_LABEL });
        try {
          await this.o.api.core.patchNamespacedPod({ name: pod, namespace: this.ns, body: { metadata: { labels: { [PARTITION_LABEL]: this.o.runId } } } }, mergePatch());
        } catch (err) {
          throw new Error(`labelling pod ${pod} ${PARTITION_LABEL}=${this.o.runId}: ${apiErrorMessage(err)}`);
        }
        record.policy!.labelledPods.push(pod);
      }
    }
    this.change(request.name, { kind: 'network-policy', name });
    const body = denyAllPolicy({ name, namespace: this.ns, runId: this.o.runId, owner: this.o.owner, fault: request.name, podSelector });
    try {
      await this.o.api.networking.createNamespacedNetworkPolicy({ namespace: this.ns, body });
    } catch (err) {
      throw new Error(`creating NetworkPolicy ${name}: ${apiErrorMessage(err)}`);
    }
    // observed: the API server holds it, selecting what we asked
    const stored = await this.o.api.networking.readNamespacedNetworkPolicy({ name, namespace: this.ns });
    if (JSON.stringify(stored.spec?.policyTypes) !== JSON.stringify(['Ingress', 'Egress'])) throw new Error(`NetworkPolicy ${name} was stored with policy types ${stored.spec?.policyTypes?.join(', ')}`);
    applied.push({ target: name, ref: `deny-all NetworkPolicy ${name} on ${allChosen ? this.o.labelSelector : `${PARTITION_LABEL}=${this.o.runId} (${selection.chosen.join(', ')})`}` });
  }

  private async scaleToZero(request: Extract<FaultRequest, { action: 'scale-to-zero' }>, applied: InjectedFault['applied']): Promise<void> {
    const pods = await this.matching();
    const replicaSets = new Map<string, string | null>();
    for (const pod of pods) {
      const owner = pod.metadata?.ownerReferences?.find((r) => r.kind === 'ReplicaSet');
      if (!owner || replicaSets.has(owner.name)) continue;
      try {
        const rs = await this.o.api.apps.readNamespacedReplicaSet({ name: owner.name, namespace: this.ns });
        replicaSets.set(owner.name, rs.metadata?.ownerReferences?.find((r) => r.kind === 'Deployment')?.name ?? null);
      } catch (err) {
        if (!isNotFound(err)) throw new Error(`reading ReplicaSet ${owner.name}: ${apiErrorMessage(err)}`);
        replicaSets.set(owner.name, null);
      }
    }
    const { workloads, unscalable } = owningWorkloads(pods, replicaSets);
    if (pods.length && workloads.length === 0) throw new Error(`fault ${request.name}: no Deployment or StatefulSet owns the matching pods (${unscalable.join(', ')}): scale-to-zero needs one to scale back — nothing was injected`);
    const byKey = new Map(workloads.map((w) => [workloadKey(w), w] as const));
    const selection = this.select(request, [...byKey.keys()], { mode: 'all' }, `the workloads owning ${this.ns}: ${this.o.labelSelector}`);
    const record: KubeFaultRecord = { action: request.action, selection, scaled: [] };
    this.faults.set(request.name, record);
    for (const key of selection.chosen) {
      const w: WorkloadRef = byKey.get(key)!;
      const before = await workloadReplicas(this.o.api, this.ns, w.kind, w.name);
      if (!before) throw new Error(`${key} is gone`);
      this.change(request.name, { kind: 'scaled', workload: w.kind, name: w.name, replicas: before.spec });
      await scaleWorkload(this.o.api, this.ns, w.kind, w.name, 0);
      record.scaled!.push({ workload: key, replicas: before.spec });
      await waitFor(
        async (note) => {
          const r = await workloadReplicas(this.o.api, this.ns, w.kind, w.name);
          note(r ? `spec ${r.spec}, ${r.current} running` : 'gone');
          return !r || (r.spec === 0 && r.current === 0 && r.observed);
        },
        { timeoutMs: this.timeoutMs, intervalMs: 100, what: `${key} to have no pods` },
      );
      applied.push({ target: key, ref: `scaled ${key} from ${before.spec} to 0` });
    }
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    const problems: string[] = [];
    // the last change first: a NetworkPolicy goes before the labels its selector names; nodes are
    // uncordoned before the replacements are awaited (a zone-spread Deployment may need them)
    for (const change of undoOrder(this.changes.get(request.name) ?? [])) {
      try {
        await undoKubeChange(this.o.api, this.ns, change);
        await observeUndone(this.o.api, this.ns, change, this.timeoutMs);
        this.o.undone?.(change);
      } catch (err) {
        problems.push(`${change.kind} ${'node' in change ? change.node : change.kind === 'pod-labelled' ? change.pod : change.name}: ${(err as Error).message}`);
      }
    }
    this.changes.delete(request.name);
    const watch = this.watches.get(request.name);
    if (watch) {
      const { replacements, complete } = await watch.done;
      this.watches.delete(request.name);
      const record = this.faults.get(request.name);
      if (record) record.replacements = { pods: replacements, complete };
      if (!complete) problems.push(`${record?.deleted?.pods.length ?? '?'} pod(s) deleted, ${replacements.length} replacement(s) Ready within ${this.timeoutMs} ms`);
    }
    if (problems.length) throw new Error(`fault ${request.name}: ${problems.join('; ')}`);
  }

  /** Stops watching for replacements (the run is over). */
  close(): void {
    for (const w of this.watches.values()) w.stop();
  }
}
