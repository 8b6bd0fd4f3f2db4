// What a killed run left on a cluster, undone: the changes its ledger names (nodes uncordoned,
// NetworkPolicies deleted, labels removed, replicas given back), then anything in the namespace that
// still carries the run's id — NetworkPolicies labelled gameday.dev/run-id=<run>, pods labelled
// gameday.dev/partitioned=<run> — deleted / unlabelled.
import type { LedgerKubeChange, LedgerRecord } from '../../src/platform/ledger.ts';
import { apiErrorMessage, connect, loadKubeConfig } from './client.ts';
import { describeKubeChange, PARTITION_LABEL, RUN_ID_LABEL, undoOrder } from './manifests.ts';
import { observeUndone, undoKubeChange } from './undo.ts';

export interface KubeSweepItem {
  runId: string;
  what: string;
  undone: boolean;
  error?: string;
}

/** Undoes a killed run's changes to its cluster. `allUndone` false: something is left (the ledger stays). */
export async function sweepKube(record: LedgerRecord, timeoutMs = 60_000): Promise<{ items: KubeSweepItem[]; allUndone: boolean }> {
  const kube = record.kube;
  if (!kube) return { items: [], allUndone: true };
  const { namespace } = kube.cluster;
  const items: KubeSweepItem[] = [];
  let api;
  try {
    api = connect(loadKubeConfig(kube.cluster.kubeconfig, kube.cluster.context));
  } catch (err) {
    return { items: [{ runId: record.runId, what: `the changes on ${kube.cluster.server}`, undone: false, error: (err as Error).message }], allUndone: false };
  }
  const undo = async (what: string, change: LedgerKubeChange | null, call: () => Promise<unknown>) => {
    try {
      await call();
      if (change) await observeUndone(api, namespace, change, timeoutMs);
      items.push({ runId: record.runId, what, undone: true });
    } catch (err) {
      items.push({ runId: record.runId, what, undone: false, error: (err as Error).message });
    }
  };
  for (const change of undoOrder(kube.changes)) await undo(describeKubeChange(change), change, () => undoKubeChange(api, namespace, change));
  // anything else the run marked: found by its labels, whether or not the ledger names it
  const undoneNames = new Set(kube.changes.map((c) => ('name' in c ? c.name : c.kind === 'pod-labelled' ? c.pod : c.node)));
  try {
    const policies = await api.networking.listNamespacedNetworkPolicy({ namespace, labelSelector: `${RUN_ID_LABEL}=${record.runId}` });
    for (const p of policies.items) {
      const name = p.metadata!.name!;
      if (undoneNames.has(name)) continue;
      const change: LedgerKubeChange = { kind: 'network-policy', name };
      await undo(`NetworkPolicy ${name} (labelled ${RUN_ID_LABEL}=${record.runId})`, change, () => undoKubeChange(api, namespace, change));
    }
    const pods = await api.core.listNamespacedPod({ namespace, labelSelector: `${PARTITION_LABEL}=${record.runId}` });
    for (const p of pods.items) {
      const pod = p.metadata!.name!;
      const change: LedgerKubeChange = { kind: 'pod-labelled', pod, label: PARTITION_LABEL };
      await undo(`label ${PARTITION_LABEL} on pod ${pod}`, change, () => undoKubeChange(api, namespace, change));
    }
  } catch (err) {
    items.push({ runId: record.runId, what: `the objects labelled with run ${record.runId} in namespace ${namespace}`, undone: false, error: apiErrorMessage(err) });
  }
  return { items, allUndone: items.every((i) => i.undone) };
}
