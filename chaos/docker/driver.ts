// Docker driver: faults on containers gameday did not start — a Compose stack or anything else on a
// Docker engine — selected by their labels (e.g. com.docker.compose.project=shop,
// com.docker.compose.service=api), through the Docker API.
//   pod-kill    SIGKILL; after restartAfter (else when the fault ends) the container runs again —
//               restarted by its own restart policy if it did, else started by gameday (recorded)
//   az-failure  every matching container whose zone label is `zone` stopped (no grace), started again
//   pause       frozen (docker pause), unpaused
//   partition   disconnected from `network`, reconnected with the aliases it had
//   restart     docker restart (grace `grace`); the fault ends with it running
// Victims are picked among the containers that match at inject (`select`, seeded, recorded); an
// empty match is an error before anything is done. Every change is handed to `record` before it is
// made, so a sweep can undo it after kill -9 (undoChange). Inject and revert are observed on the engine.
import type Dockerode from 'dockerode';
import { assertSupported, type FaultDriver, type FaultRequest, type InjectedFault } from '../driver.ts';
import { DeferredRestarts } from '../restarts.ts';
import type { Select } from '../../src/schema/select.ts';
import { describeSelection, selectVictims, type Selection } from '../select.ts';
import type { LedgerContainerChange } from '../../src/platform/ledger.ts';
import { waitFor } from '../../src/platform/poll.ts';

/** One change to a container, as the ledger keeps it: enough to undo it without the run. */
export type DockerChange = LedgerContainerChange;

export interface DockerDriverOptions {
  docker: Dockerode;
  /** every victim matches these labels (the drill's selector) */
  labels: Record<string, string>;
  /** the label that names a container's zone (az-failure) */
  zoneLabel: string;
  /** called before a change is made (the ledger) and once it is undone */
  record?: (change: DockerChange) => void;
  undone?: (change: DockerChange) => void;
}

interface Victim {
  id: string;
  name: string;
  startedAt: string;
  restartCount: number;
}

const NOT_THERE = /is not running|already stopped|is not paused|is not connected|already started|is already running|already exists|already attached|is already paused/;

/** An engine refusal that means the container is already in the wanted state. */
function alreadyThere(err: unknown): boolean {
  const e = err as { statusCode?: number; message?: string; json?: { message?: string } };
  return e.statusCode === 304 || NOT_THERE.test(e.json?.message ?? e.message ?? '');
}

async function tolerate(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!alreadyThere(err)) throw err;
  }
}

/** Undoes one change (the revert, or the sweep after the run was killed). Idempotent. */
export async function undoChange(docker: Dockerode, change: DockerChange): Promise<void> {
  const c = docker.getContainer(change.containerId);
  if (change.kind === 'paused') return tolerate(c.unpause());
  if (change.kind === 'disconnected') return tolerate(docker.getNetwork(change.network).connect({ Container: change.containerId, EndpointConfig: { Aliases: change.aliases } }));
  return tolerate(c.start());
}

export class DockerDriver implements FaultDriver {
  readonly name = 'docker' as const;
  private readonly restarts = new DeferredRestarts();
  private readonly changes = new Map<string, DockerChange[]>();
  private readonly victims = new Map<string, Victim[]>();
  /** fault name → which containers matched and which were chosen (for the evidence) */
  readonly selections = new Map<string, Selection>();
  /** fault name → per container, who brought it back after a pod-kill */
  readonly restartedBy = new Map<string, Record<string, 'restart policy' | 'gameday'>>();

  constructor(private readonly o: DockerDriverOptions) {}

  /** The running containers that match the drill's labels (and `extra`), by name. */
  async matching(extra: Record<string, string> = {}): Promise<Array<{ id: string; name: string }>> {
    const label = Object.entries({ ...this.o.labels, ...extra }).map(([k, v]) => `${k}=${v}`);
    const list = await this.o.docker.listContainers({ filters: { label, status: ['running'] } });
    return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, '') })).sort((a, b) => a.name.localeCompare(b.name));
  }

  private async inspect(id: string): Promise<Dockerode.ContainerInspectInfo> {
    return this.o.docker.getContainer(id).inspect();
  }

  private async choose(request: FaultRequest): Promise<Victim[]> {
    const zone = request.action === 'az-failure' ? { [this.o.zoneLabel]: request.params.zone } : {};
    const found = await this.matching(zone);
    const fallback: Select = request.action === 'pod-kill' ? { mode: 'count', value: 1, seed: 1 } : { mode: 'all' };
    const select = ('select' in request.params ? request.params.select : undefined) ?? fallback;
    const what = `fault ${request.name} (${Object.entries({ ...this.o.labels, ...zone }).map(([k, v]) => `${k}=${v}`).join(', ')})`;
    const selection = selectVictims(
      found.map((c) => c.name),
      select,
      what,
    );
    this.selections.set(request.name, selection);
    const chosen = found.filter((c) => selection.chosen.includes(c.name));
    return Promise.all(
      chosen.map(async (c) => {
        const info = await this.inspect(c.id);
        return { id: c.id, name: c.name, startedAt: info.State.StartedAt, restartCount: info.RestartCount };
      }),
    );
  }

  private change(fault: string, change: DockerChange): void {
    this.o.record?.(change);
    this.changes.set(fault, [...(this.changes.get(fault) ?? []), change]);
  }

  async inject(request: FaultRequest): Promise<InjectedFault> {
    assertSupported(this.name, request.action);
    if (this.victims.has(request.name)) throw new Error(`fault ${request.name} was already injected in this run`);
    const victims = await this.choose(request);
    this.victims.set(request.name, victims);
    const injected: InjectedFault = { request, applied: [] };
    const docker = this.o.docker;
    for (const v of victims) {
      const c = docker.getContainer(v.id);
      if (request.action === 'pod-kill') {
        this.change(request.name, { kind: 'killed', containerId: v.id, name: v.name });
        await tolerate(c.kill({ signal: 'SIGKILL' }));
        // observed: the process that was running is gone (a restart policy may already have started a new one)
        const after = await this.inspect(v.id);
        if (after.State.Running && after.State.StartedAt === v.startedAt) throw new Error(`container ${v.name} still runs the same process after SIGKILL`);
        injected.applied.push({ target: v.name, ref: `SIGKILL ${v.name} (was started ${v.startedAt}; now ${after.State.Status})` });
      } else if (request.action === 'az-failure') {
        this.change(request.name, { kind: 'stopped', containerId: v.id, name: v.name });
        await tolerate(c.stop({ t: 0 }));
        const after = await this.inspect(v.id);
        if (after.State.Running) throw new Error(`container ${v.name} still runs after docker stop`);
        injected.applied.push({ target: v.name, ref: `stopped ${v.name} (zone ${request.params.zone})` });
      } else if (request.action === 'pause') {
        this.change(request.name, { kind: 'paused', containerId: v.id, name: v.name });
        await tolerate(c.pause());
        if (!(await this.inspect(v.id)).State.Paused) throw new Error(`container ${v.name} is not paused after docker pause`);
        injected.applied.push({ target: v.name, ref: `paused ${v.name}` });
      } else if (request.action === 'partition') {
        const info = await this.inspect(v.id);
        const networks = Object.keys(info.NetworkSettings.Networks ?? {});
        const network = request.params.network ?? (networks.length === 1 ? networks[0] : undefined);
        if (!network) throw new Error(`fault ${request.name}: container ${v.name} is on ${networks.length ? networks.join(', ') : 'no network'}: name the one to cut it off from (network: ...)`);
        if (!networks.includes(network)) throw new Error(`fault ${request.name}: container ${v.name} is not on network ${network} (it is on ${networks.join(', ') || 'none'})`);
        // Compose gives a container its service name (and its short id) as aliases: reconnected with them, it is found again by name
        const aliases = (info.NetworkSettings.Networks[network].Aliases ?? []).filter((a: string) => !info.Id.startsWith(a));
        this.change(request.name, { kind: 'disconnected', containerId: v.id, name: v.name, network, aliases });
        await tolerate(docker.getNetwork(network).disconnect({ Container: v.id, Force: true }));
        const after = await this.inspect(v.id);
        if (after.NetworkSettings.Networks?.[network]) throw new Error(`container ${v.name} is still attached to ${network} after disconnecting it`);
        injected.applied.push({ target: v.name, ref: `disconnected ${v.name} from ${network} (aliases ${aliases.join(', ') || 'none'})` });
      } else if (request.action === 'restart') {
        await c.restart({ t: Math.ceil(request.params.grace / 1000) });
        const after = await this.inspect(v.id);
        if (!after.State.Running || after.State.StartedAt === v.startedAt) throw new Error(`container ${v.name} did not restart`);
        injected.applied.push({ target: v.name, ref: `restarted ${v.name} (started again ${after.State.StartedAt})` });
      }
    }
    const selection = this.selections.get(request.name)!;
    injected.applied.push({ target: 'selection', ref: describeSelection(selection) });
    if (request.action === 'pod-kill' && request.params.restartAfter !== undefined) {
      this.restarts.schedule(request.name, request.params.restartAfter, victims.map((v) => () => this.bringBack(request.name, v)));
    }
    return injected;
  }

  /** After a pod-kill: running again by its restart policy, or started by gameday. */
  private async bringBack(fault: string, v: Victim): Promise<void> {
    const info = await this.inspect(v.id);
    const by = info.State.Running && info.State.StartedAt !== v.startedAt ? 'restart policy' : 'gameday';
    if (by === 'gameday') await tolerate(this.o.docker.getContainer(v.id).start());
    this.restartedBy.set(fault, { ...this.restartedBy.get(fault), [v.name]: this.restartedBy.get(fault)?.[v.name] ?? by });
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    await this.restarts.settle(request.name);
    const victims = this.victims.get(request.name) ?? [];
    if (request.action === 'pod-kill') for (const v of victims) await this.bringBack(request.name, v);
    for (const change of this.changes.get(request.name) ?? []) {
      if (change.kind !== 'killed') await undoChange(this.o.docker, change);
    }
    // observed gone: running, not paused, attached again
    for (const change of this.changes.get(request.name) ?? []) {
      await waitFor(
        async (note) => {
          const info = await this.inspect(change.containerId);
          note(`${info.State.Status}${info.State.Paused ? ' (paused)' : ''}`);
          if (!info.State.Running || info.State.Paused) return false;
          return change.kind !== 'disconnected' || Boolean(info.NetworkSettings.Networks?.[change.network]);
        },
        { timeoutMs: 15_000, intervalMs: 100, what: `container ${change.name} to be back (${change.kind} undone)` },
      );
      this.o.undone?.(change);
    }
    this.changes.delete(request.name);
  }
}
