// Undoing one change the kubernetes driver made — at the end of its fault, or by the sweep after
// the run was killed — and observing on the API that it is undone: the node schedulable, the
// NetworkPolicy gone, the label gone, the replicas back and Ready. Idempotent: an object that is
// gone already has nothing left to undo.
import type { LedgerKubeChange } from '../../src/platform/ledger.ts';
import { waitFor } from '../../src/platform/poll.ts';
import { apiErrorMessage, isNotFound, mergePatch, type KubeConnection } from './client.ts';

type Api = Pick<KubeConnection, 'core' | 'apps' | 'networking'>;

/** null when the object is gone (404), else the call's value. */
async function unlessGone<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw new Error(apiErrorMessage(err));
  }
}

/** Replica counts of a workload: what it asks for and how many are Ready. */
export async function workloadReplicas(api: Api, namespace: string, kind: 'Deployment' | 'StatefulSet', name: string): Promise<{ spec: number; ready: number; current: number; observed: boolean } | null> {
  const w = await unlessGone(kind === 'Deployment' ? api.apps.readNamespacedDeployment({ name, namespace }) : api.apps.readNamespacedStatefulSet({ name, namespace }));
  if (!w) return null;
  return { spec: w.spec?.replicas ?? 1, ready: w.status?.readyReplicas ?? 0, current: w.status?.replicas ?? 0, observed: (w.status?.observedGeneration ?? 0) >= (w.metadata?.generation ?? 0) };
}

/** Sets a workload's replicas through its scale subresource. */
export async function scaleWorkload(api: Api, namespace: string, kind: 'Deployment' | 'StatefulSet', name: string, replicas: number): Promise<void> {
  const body = { spec: { replicas } };
  const call = kind === 'Deployment' ? api.apps.patchNamespacedDeploymentScale({ name, namespace, body }, mergePatch()) : api.apps.patchNamespacedStatefulSetScale({ name, namespace, body }, mergePatch());
  await unlessGone(call);
}

/** Makes the undo call for one change (no waiting). */
export async function undoKubeChange(api: Api, namespace: string, change: LedgerKubeChange): Promise<void> {
  if (change.kind === 'cordoned') await unlessGone(api.core.patchNode({ name: change.node, body: { spec: { unschedulable: null } } }, mergePatch()));
  else if (change.kind === 'network-policy') await unlessGone(api.networking.deleteNamespacedNetworkPolicy({ name: change.name, namespace }));
  else if (change.kind === 'pod-labelled') await unlessGone(api.core.patchNamespacedPod({ name: change.pod, namespace, body: { metadata: { labels: { [change.label]: null } } } }, mergePatch()));
  else await scaleWorkload(api, namespace, change.workload, change.name, change.replicas);
}

/** Waits until the API shows the change undone. */
export async function observeUndone(api: Api, namespace: string, change: LedgerKubeChange, timeoutMs = 60_000): Promise<void> {
  const what = `${change.kind === 'cordoned' ? `node ${change.node} schedulable` : change.kind === 'network-policy' ? `NetworkPolicy ${change.name} gone` : change.kind === 'pod-labelled' ? `label ${change.label} gone from pod ${change.pod}` : `${change.workload} ${change.name} back to ${change.replicas} Ready replicas`}`;
  await waitFor(
    async (note) => {
      if (change.kind === 'cordoned') {
        const node = await unlessGone(api.core.readNode({ name: change.node }));
        return !node?.spec?.unschedulable;
      }
      if (change.kind === 'network-policy') return (await unlessGone(api.networking.readNamespacedNetworkPolicy({ name: change.name, namespace }))) === null;
      if (change.kind === 'pod-labelled') {
        const pod = await unlessGone(api.core.readNamespacedPod({ name: change.pod, namespace }));
        return pod?.metadata?.labels?.[change.label] === undefined;
      }
      const r = await workloadReplicas(api, namespace, change.workload, change.name);
      if (!r) return true;
      note(`spec ${r.spec}, ${r.ready} ready`);
      return r.observed && r.spec === change.replicas && r.ready >= change.replicas;
    },
    { timeoutMs, intervalMs: 100, what },
  );
}
