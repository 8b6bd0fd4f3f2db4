// What a killed run changed in systems it does not own, undone by the sweep: its toxics on a
// team's Toxiproxy (the proxies themselves are the team's and stay), its command faults (their
// revert is run), its docker faults (containers started,
// unpaused, reconnected) and its kubernetes faults (nodes uncordoned, NetworkPolicies deleted, labels
// removed, replicas given back). Each was written to the ledger before it was made.
import { runStep } from '../../chaos/command.ts';
import { undoChange } from '../../chaos/docker/driver.ts';
import { dockerClient } from '../../chaos/containers/engine.ts';
import type { KubeSweepItem } from '../../chaos/kubernetes/sweep.ts';
import type { LedgerRecord } from '../platform/ledger.ts';

export interface TeamUndo {
  toxics: Array<{ runId: string; toxiproxyUrl: string; proxy: string; toxic: string; removed: boolean; error?: string }>;
  commands: Array<{ runId: string; fault: string; reverted: boolean; error?: string }>;
  containers: Array<{ runId: string; container: string; change: string; undone: boolean; error?: string }>;
  kube: KubeSweepItem[];
  allUndone: boolean;
}

/** DELETE one toxic; gone already (404) or the server gone (refused) count as removed. */
async function removeToxic(url: string, proxy: string, toxic: string): Promise<{ removed: boolean; error?: string }> {
  try {
    const res = await fetch(`${url}/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`, { method: 'DELETE', signal: AbortSignal.timeout(5000) });
    if (res.ok || res.status === 404) return { removed: true };
    return { removed: false, error: `HTTP ${res.status} ${(await res.text()).trim()}` };
  } catch (err) {
    const cause = String((err as Error & { cause?: unknown }).cause ?? err);
    return /ECONNREFUSED/.test(cause) ? { removed: true, error: 'server gone' } : { removed: false, error: cause };
  }
}

export async function undoTeamChanges(record: LedgerRecord): Promise<TeamUndo> {
  const out: TeamUndo = { toxics: [], commands: [], containers: [], kube: [], allUndone: true };
  for (const t of record.toxics ?? []) {
    const r = await removeToxic(t.toxiproxyUrl, t.proxy, t.toxic);
    out.toxics.push({ runId: record.runId, ...t, ...r });
    if (!r.removed) out.allUndone = false;
  }
  for (const c of record.commands ?? []) {
    const run = await runStep('revert', c.revert, c.logFile, c.cwd);
    const reverted = run.exitCode === 0;
    out.commands.push({ runId: record.runId, fault: c.fault, reverted, ...(reverted ? {} : { error: `${run.timedOut ? 'timed out' : `exited ${run.exitCode ?? run.signal}`}: ${run.stderr.trim().slice(0, 200)}` }) });
    if (!reverted) out.allUndone = false;
  }
  for (const c of record.containers ?? []) {
    try {
      await undoChange((await dockerClient()).container.dockerode, c);
      out.containers.push({ runId: record.runId, container: c.name, change: c.kind, undone: true });
    } catch (err) {
      const gone = (err as { statusCode?: number }).statusCode === 404; // removed since: nothing left to undo
      out.containers.push({ runId: record.runId, container: c.name, change: c.kind, undone: gone, error: (err as Error).message });
      if (!gone) out.allUndone = false;
    }
  }
  if (record.kube) {
    // loaded only when a killed run touched a cluster: the Kubernetes client takes half a second to load
    const { sweepKube } = await import('../../chaos/kubernetes/sweep.ts');
    const kube = await sweepKube(record);
    out.kube.push(...kube.items);
    if (!kube.allUndone) out.allUndone = false;
  }
  return out;
}
