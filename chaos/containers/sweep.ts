// What killed runs left on the Docker engine: containers and networks whose gameday.owner label
// names a process that is gone (Ryuk is off: no registry for its image). Images stay: they are a
// cache keyed by the content of their inputs.
import http from 'node:http';
import { dockerSocket } from '../../src/platform/docker-engine.mjs';
import { ownerAlive } from '../../src/platform/processes.ts';
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

interface Listed {
  id: string;
  name: string;
  labels: Record<string, string>;
}

/** The few engine calls a sweep needs. */
interface SweepApi {
  containers(): Promise<Listed[]>;
  removeContainer(id: string): Promise<void>;
  networks(): Promise<Listed[]>;
  removeNetwork(id: string): Promise<void>;
}

/** Straight to the engine's unix socket: every run sweeps, and loading testcontainers costs half a second. */
function socketApi(socketPath: string): SweepApi {
  const call = (method: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ socketPath, method, path, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
      req.on('error', reject);
      req.end();
    });
  const ok = async (method: string, path: string) => {
    const r = await call(method, path);
    // 404: gone already
    if (r.status >= 300 && r.status !== 404) throw new Error(`${method} ${path}: HTTP ${r.status} ${r.body.trim()}`);
    return r.body;
  };
  const filter = encodeURIComponent(JSON.stringify({ label: [LABEL_OWNER] }));
  return {
    containers: async () =>
      (JSON.parse(await ok('GET', `/containers/json?all=1&filters=${filter}`)) as Array<{ Id: string; Names?: string[]; Labels?: Record<string, string> }>).map((c) => ({
        id: c.Id,
        name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
        labels: c.Labels ?? {},
      })),
    removeContainer: async (id) => void (await ok('DELETE', `/containers/${id}?force=1&v=1`)),
    networks: async () => (JSON.parse(await ok('GET', `/networks?filters=${filter}`)) as Array<{ Id: string; Name: string; Labels?: Record<string, string> }>).map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} })),
    removeNetwork: async (id) => void (await ok('DELETE', `/networks/${id}`)),
  };
}

/** Through testcontainers (a TCP DOCKER_HOST, TLS and the rest). */
async function testcontainersApi(): Promise<SweepApi> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  const docker = (await getContainerRuntimeClient()).container.dockerode;
  const gone = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;
  return {
    containers: async () => (await docker.listContainers({ all: true, filters: { label: [LABEL_OWNER] } })).map((c) => ({ id: c.Id, name: (c.Names[0] ?? c.Id).replace(/^\//, ''), labels: c.Labels ?? {} })),
    removeContainer: (id) => docker.getContainer(id).remove({ force: true, v: true }).catch((err) => (gone(err) ? undefined : Promise.reject(err))),
    networks: async () => (await docker.listNetworks({ filters: { label: [LABEL_OWNER] } })).map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} })),
    removeNetwork: (id) => docker.getNetwork(id).remove().catch((err) => (gone(err) ? undefined : Promise.reject(err))),
  };
}

/** Removes the containers, then the networks, of dead owners. Bounded; never throws for a missing engine. */
export async function sweepOrphanContainers(): Promise<ContainerSweep> {
  const report: ContainerSweep = { containers: [], networks: [] };
  const problem = await engineProblem(1000);
  if (problem) return { ...report, skipped: problem };
  const socket = dockerSocket();
  const api = socket ? socketApi(socket) : await testcontainersApi();
  for (const c of deadOwned(await api.containers())) {
    const entry = { id: c.id, name: c.name, runId: c.labels[LABEL_RUN] ?? null };
    try {
      await api.removeContainer(c.id);
      report.containers.push({ ...entry, removed: true });
    } catch (err) {
      report.containers.push({ ...entry, removed: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  // after their containers: a network with endpoints cannot be removed
  for (const n of deadOwned(await api.networks())) {
    const entry = { id: n.id, name: n.name, runId: n.labels[LABEL_RUN] ?? null };
    try {
      await api.removeNetwork(n.id);
      report.networks.push({ ...entry, removed: true });
    } catch (err) {
      report.networks.push({ ...entry, removed: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return report;
}
