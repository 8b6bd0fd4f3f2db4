// A Compose-style stack made through the Docker API the way `docker compose up` makes it: a project
// network, and go-httpbin containers (a FROM-scratch image of its static binary) with Compose's own
// labels, the service alias on the network, zone labels and host ports on 127.0.0.1. gameday did not
// start it: it is what a docker target drills.
import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { dockerClient } from '../../chaos/containers/engine.ts';
import { ensureImage, goHttpbinImageSpec } from '../../chaos/containers/images.ts';
import { freePort } from '../../src/platform/processes.ts';
import { requireTool } from '../../src/platform/toolchain.mjs';

export interface StackContainer {
  id: string;
  name: string;
  zone: string;
  /** the host port on 127.0.0.1, fixed as a Compose file's `ports:` makes it (stable across restarts) */
  port: number;
}

export interface ComposeStack {
  project: string;
  network: string;
  labels: Record<string, string>;
  docker: Dockerode;
  containers: StackContainer[];
  remove(): Promise<void>;
}

export async function answers(port: number, timeoutMs = 1500): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status/200`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Polls until the container serves (a started container needs a moment to listen), or `ms` pass. */
export async function servesWithin(port: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  do {
    if (await answers(port, 1000)) return true;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  return false;
}

/** Service `api` of a new project, one container per zone given; `restart` per container (default "no"). */
export async function startComposeStack(zones: readonly string[], restart: readonly string[] = []): Promise<ComposeStack> {
  const docker = (await dockerClient()).container.dockerode;
  const { image } = await ensureImage(goHttpbinImageSpec(requireTool('go-httpbin').path));
  const project = `gdtest-${randomBytes(3).toString('hex')}`;
  const labels = { 'com.docker.compose.project': project, 'com.docker.compose.service': 'api' };
  const network = `${project}_default`;
  await docker.createNetwork({ Name: network, Labels: { 'com.docker.compose.project': project, 'com.docker.compose.network': 'default' } });
  const containers: StackContainer[] = [];
  const remove = async () => {
    for (const c of containers) await docker.getContainer(c.id).remove({ force: true }).catch(() => undefined);
    await docker.getNetwork(network).remove().catch(() => undefined);
  };
  try {
    for (const [i, zone] of zones.entries()) {
      const name = `${project}-api-${i + 1}`;
      const port = await freePort();
      const c = await docker.createContainer({
        name,
        Image: image,
        Labels: { ...labels, 'com.docker.compose.container-number': String(i + 1), zone },
        ExposedPorts: { '8080/tcp': {} },
        HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] }, NetworkMode: network, RestartPolicy: { Name: restart[i] ?? 'no' } },
        NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['api'] } } },
      });
      containers.push({ id: c.id, name, zone, port });
      await c.start();
    }
    for (const c of containers) if (!(await servesWithin(c.port, 10_000))) throw new Error(`${c.name} does not serve on 127.0.0.1:${c.port}`);
  } catch (err) {
    await remove();
    throw err;
  }
  return { project, network, labels, docker, containers, remove };
}
