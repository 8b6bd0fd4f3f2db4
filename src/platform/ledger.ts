// The ledger: what a run put into shared systems (proxies and toxics on a Toxiproxy it did
// not start), written before each change, so that `gameday cleanup` can undo it after the
// run was killed; and the size-limited filesystems it mounted (target.disk). Processes need no
// ledger: they carry an owner marker (processes.ts); nor do containers and networks: they carry it
// as a label (chaos/containers/sweep.ts).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ownerMarker } from './processes.ts';

/** Where ledgers (and keys, unless GAMEDAY_KEY_DIR says otherwise) live. */
export function stateDir(): string {
  return process.env.GAMEDAY_STATE_DIR ?? path.join(os.homedir(), '.local', 'state', 'gameday');
}

export interface LedgerRecord {
  runId: string;
  owner: string;
  toxiproxyUrl: string | null;
  proxies: string[];
  /** directories a size-limited filesystem was mounted on */
  mounts?: string[];
  /** working folders of the run (broker stores, nginx's directory), removed once its mounts are gone */
  folders?: string[];
  /** toxics the run added to proxies of a Toxiproxy it does not own (a team's): removed by the sweep, the proxies never */
  toxics?: LedgerToxic[];
  /** command faults injected and not yet reverted: the sweep runs their revert */
  commands?: LedgerCommand[];
  /** changes to containers the run does not own (a docker target's): the sweep undoes them */
  containers?: LedgerContainerChange[];
  /** a kubernetes target's cluster and what the run changed there: the sweep undoes it */
  kube?: { cluster: LedgerKubeCluster; changes: LedgerKubeChange[] };
  /** AWS FIS: where the run's experiments are (the endpoint override, null for AWS itself), found by their run-id tag */
  fis?: { endpoint: string | null; regions: string[] };
}

/** A container a docker fault killed, stopped, paused or disconnected (with the aliases it had there). */
export type LedgerContainerChange =
  | { kind: 'killed' | 'stopped' | 'paused'; containerId: string; name: string }
  | { kind: 'disconnected'; containerId: string; name: string; network: string; aliases: string[] };

/** Where a kubernetes target's changes were made: enough to connect again without the run. */
export interface LedgerKubeCluster {
  /** the kubeconfig files, merged in this order (as KUBECONFIG lists them) */
  kubeconfig: string[];
  context: string;
  server: string;
  namespace: string;
}

/**
 * A change to a cluster the run does not own: a node it cordoned, a NetworkPolicy it created, a
 * label it put on a pod, a workload it scaled (with the replicas to give back).
 */
export type LedgerKubeChange =
  | { kind: 'cordoned'; node: string }
  | { kind: 'network-policy'; name: string }
  | { kind: 'pod-labelled'; pod: string; label: string }
  | { kind: 'scaled'; workload: 'Deployment' | 'StatefulSet'; name: string; replicas: number };

export interface LedgerToxic {
  toxiproxyUrl: string;
  proxy: string;
  toxic: string;
}

export interface LedgerCommand {
  fault: string;
  revert: { argv: string[]; timeout: number; shell: boolean };
  cwd: string;
  logFile: string;
}

export class Ledger {
  readonly file: string;
  private readonly record: LedgerRecord;

  constructor(runId: string) {
    const dir = path.join(stateDir(), 'ledger');
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `${runId}.json`);
    this.record = { runId, owner: ownerMarker(), toxiproxyUrl: null, proxies: [], mounts: [] };
  }

  private save(): void {
    fs.writeFileSync(this.file, JSON.stringify(this.record, null, 2));
  }

  /** Call before creating a proxy. */
  proxyCreated(toxiproxyUrl: string, proxy: string): void {
    this.record.toxiproxyUrl = toxiproxyUrl;
    this.record.proxies.push(proxy);
    this.save();
  }

  /** Call before adding toxics to a proxy of a Toxiproxy the run does not own. */
  toxicsAdded(toxiproxyUrl: string, proxy: string, toxics: readonly string[]): void {
    (this.record.toxics ??= []).push(...toxics.map((toxic) => ({ toxiproxyUrl, proxy, toxic })));
    this.save();
  }

  /** Those toxics were observed gone. */
  toxicsRemoved(toxiproxyUrl: string, proxy: string, toxics: readonly string[]): void {
    this.record.toxics = (this.record.toxics ?? []).filter((t) => !(t.toxiproxyUrl === toxiproxyUrl && t.proxy === proxy && toxics.includes(t.toxic)));
    this.save();
  }

  get commands(): readonly LedgerCommand[] {
    return this.record.commands ?? [];
  }

  get toxics(): readonly LedgerToxic[] {
    return this.record.toxics ?? [];
  }

  get containers(): readonly LedgerContainerChange[] {
    return this.record.containers ?? [];
  }

  /** Call before a command fault's inject runs. */
  commandInjecting(entry: LedgerCommand): void {
    (this.record.commands ??= []).push(entry);
    this.save();
  }

  /** The command fault's revert succeeded. */
  commandReverted(fault: string): void {
    this.record.commands = (this.record.commands ?? []).filter((c) => c.fault !== fault);
    this.save();
  }

  /** Call before changing a container the run does not own. */
  containerChanging(change: LedgerContainerChange): void {
    (this.record.containers ??= []).push(change);
    this.save();
  }

  /** The change was undone (the container runs again, unpaused, attached). */
  containerRestored(change: LedgerContainerChange): void {
    this.record.containers = (this.record.containers ?? []).filter((c) => !(c.containerId === change.containerId && c.kind === change.kind));
    this.save();
  }

  get kube(): LedgerRecord['kube'] {
    return this.record.kube;
  }

  /** Call before the first change to a cluster (with where it is). */
  kubeUsed(cluster: LedgerKubeCluster): void {
    this.record.kube ??= { cluster, changes: [] };
    this.save();
  }

  /** Call before changing a cluster the run does not own. */
  kubeChanging(change: LedgerKubeChange): void {
    if (!this.record.kube) throw new Error('ledger: kubeUsed must name the cluster before its first change');
    this.record.kube.changes.push(change);
    this.save();
  }

  /** The change was undone and observed so (node schedulable, policy gone, label gone, replicas back). */
  kubeRestored(change: LedgerKubeChange): void {
    if (!this.record.kube) return;
    const same = JSON.stringify(change);
    this.record.kube.changes = this.record.kube.changes.filter((c) => JSON.stringify(c) !== same);
    this.save();
  }

  /** Call before mounting a size-limited filesystem on `dir`. */
  mountCreated(dir: string): void {
    (this.record.mounts ??= []).push(dir);
    this.save();
  }

  /** The filesystem on `dir` was unmounted. */
  mountReleased(dir: string): void {
    this.record.mounts = (this.record.mounts ?? []).filter((d) => d !== dir);
    this.save();
  }

  /** Call before creating a working folder (under the system's temp folder, named gameday-*). */
  folderCreated(dir: string): void {
    (this.record.folders ??= []).push(dir);
    this.save();
  }

  /** Call before the first FIS call: a sweep stops the run's experiments in these Regions. */
  fisUsed(endpoint: string | null, regions: string[]): void {
    this.record.fis = { endpoint, regions: [...regions] };
    this.save();
  }

  /**
   * Creates the run's working folder `<tmp>/gameday-<runId>-<label>-<random>` (mode 700) and
   * records it first: a run killed at any moment leaves no folder the ledger does not name.
   */
  makeFolder(label = ''): string {
    const dir = path.join(os.tmpdir(), `gameday-${this.record.runId}-${label ? `${label}-` : ''}${randomBytes(4).toString('hex')}`);
    this.folderCreated(dir);
    fs.mkdirSync(dir, { mode: 0o700 }); // not recursive: a name taken already is an error, as with mkdtemp
    return dir;
  }

  get mounts(): readonly string[] {
    return this.record.mounts ?? [];
  }

  get toxiproxyUrl(): string | null {
    return this.record.toxiproxyUrl;
  }

  get proxies(): readonly string[] {
    return this.record.proxies;
  }

  /** Everything was undone: the ledger entry goes. */
  close(): void {
    fs.rmSync(this.file, { force: true });
  }
}

/** Every ledger file in the state folder, oldest run first. */
export function ledgerFiles(): string[] {
  const dir = path.join(stateDir(), 'ledger');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(dir, n));
}
