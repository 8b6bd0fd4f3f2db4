// What killed runs left on the Docker engine: containers and networks whose gameday.owner label
// names a process that is gone (Ryuk is off: no registry for its image). Images stay: they are a
// cache keyed by the content of their inputs.
import { ownerAlive } from '../../src/run/processes.ts';
import { engineProblem } from './engine.ts';
import { LABEL_OWNER, LABEL_RUN } from './labels.ts';

export interface ContainerSweep {
  containers: Array<{ id: string; name: string; runId: string | null; removed: boolean; error?: string }>;
  networks: Array<{ id: string; name: string; runId: string | null; removed: boolean; error?: string }>;
  /** why the engine was not swept (none answers): nothing of ours can be running there either */
  skipped?: string;
}

/** Owners in `labels` that are dead (pure: `alive` decides). */
export function deadOwned<T extends { labels: Record<string, string> }>(items: readonly T[], alive: (owner: string) => boolean = ownerAlive): T[] {
  return items.filter((i) => {
    const owner = i.labels[LABEL_OWNER];
    return !!owner && !alive(owner);
  });
}

/** Removes the containers, then the networks, of dead owners. Bounded; never throws for a missing engine. */
export async function sweepOrphanContainers(): Promise<ContainerSweep> {
  const report: ContainerSweep = { containers: [], networks: [] };
  const problem = await engineProblem(1000);
  if (problem) return { ...report, skipped: problem };
  const { getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;

  const containers = (await docker.listContainers({ all: true, filters: { label: [LABEL_OWNER] } })).map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), labels: c.Labels ?? {} }));
  for (const c of deadOwned(containers)) {
    const entry = { id: c.id, name: c.name, runId: c.labels[LABEL_RUN] ?? null };
    try {
      await docker.getContainer(c.id).remove({ force: true, v: true });
      report.containers.push({ ...entry, removed: true });
    } catch (err) {
      const gone = /no such container|removal of container .* is already in progress/i.test(String(err));
      report.containers.push({ ...entry, removed: gone, ...(gone ? {} : { error: String(err) }) });
    }
  }
  const networks = (await docker.listNetworks({ filters: { label: [LABEL_OWNER] } })).map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
  for (const n of deadOwned(networks)) {
    const entry = { id: n.id, name: n.name, runId: n.labels[LABEL_RUN] ?? null };
    try {
      await docker.getNetwork(n.id).remove();
      report.networks.push({ ...entry, removed: true });
    } catch (err) {
      const gone = /no such network|not found/i.test(String(err));
      report.networks.push({ ...entry, removed: gone, ...(gone ? {} : { error: String(err) }) });
    }
  }
  return report;
}
