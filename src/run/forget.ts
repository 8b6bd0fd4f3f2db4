// `gameday cleanup --forget RUN`: drops a killed run's ledger entry without undoing it — for what
// the sweep can never reach again (a deleted cluster, a Toxiproxy that is gone, an AWS account the
// machine lost its credentials for), which it would otherwise retry, and report "could not undo",
// at every cleanup and at the start of every run. It says what the entry still named, so someone
// can check those by hand. A run that is still going is refused: its own teardown undoes them.
import fs from 'node:fs';
import { describeKubeChange } from '../../chaos/kubernetes/manifests.ts';
import { ledgerFiles, type LedgerRecord } from '../platform/ledger.ts';
import { ownerAlive } from '../platform/processes.ts';

export type ForgetOutcome = { forgotten: true; file: string; named: string[] } | { forgotten: false; reason: string };

/** What a ledger record still names, one line each, in the sweep's words. Pure. */
export function ledgerContents(r: LedgerRecord): string[] {
  return [
    ...r.proxies.map((p) => `proxy ${p} on ${r.toxiproxyUrl}`),
    ...(r.toxics ?? []).map((t) => `toxic ${t.toxic} on proxy ${t.proxy} of ${t.toxiproxyUrl}`),
    ...(r.commands ?? []).map((c) => `command fault ${c.fault}, its revert not run: ${c.revert.argv.join(' ')}`),
    ...(r.containers ?? []).map((c) => `container ${c.name} ${c.kind}${c.kind === 'disconnected' ? ` from ${c.network}` : ''}`),
    ...(r.kube ? r.kube.changes.map((c) => `${describeKubeChange(c)} in namespace ${r.kube!.cluster.namespace} of ${r.kube!.cluster.server} (context ${r.kube!.cluster.context})`) : []),
    ...(r.fis ? [`AWS FIS experiments tagged gameday:run-id=${r.runId} in ${r.fis.regions.join(', ') || 'no region yet'}${r.fis.endpoint ? ` at ${r.fis.endpoint}` : ''}`] : []),
    ...(r.mounts ?? []).map((m) => `a size-limited filesystem mounted on ${m}`),
    ...(r.folders ?? []).map((f) => `folder ${f}`),
  ];
}

export function forgetRun(runId: string): ForgetOutcome {
  const records = ledgerFiles().flatMap((file) => {
    try {
      return [{ file, record: JSON.parse(fs.readFileSync(file, 'utf8')) as LedgerRecord }];
    } catch {
      return [];
    }
  });
  const entry = records.find((e) => e.record.runId === runId);
  if (!entry) {
    const held = records.map((e) => e.record.runId);
    return { forgotten: false, reason: `the ledger has no run ${runId}: ${held.length ? `it holds ${held.join(', ')}` : 'it is empty'}` };
  }
  if (ownerAlive(entry.record.owner)) {
    return { forgotten: false, reason: `run ${runId} is still going (gameday pid ${entry.record.owner.split(':')[0]}): its own teardown undoes what it changed; stop it with Ctrl-C, or kill it and run gameday cleanup` };
  }
  const named = ledgerContents(entry.record);
  fs.rmSync(entry.file, { force: true });
  return { forgotten: true, file: entry.file, named };
}
