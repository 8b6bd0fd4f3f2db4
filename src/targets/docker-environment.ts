// The environment of a docker target: a system that already runs as containers (a Compose stack or
// anything else). Its endpoints are handled as an external target's (health probed first, load
// through gameday's own Toxiproxy); its containers, selected by their labels, are what docker
// faults act on. Before anything is injected: the Docker engine answers, it is on this machine
// (or allowRemote names its host), and the labels match at least one running container — an empty
// selection is a clear error, not a silent no-op. Every change is in the ledger before it is made.
import { dockerClient, engineProblem } from '../../chaos/containers/engine.ts';
import { DockerDriver } from '../../chaos/docker/driver.ts';
import { DrillError } from '../schema/config-file.ts';
import { remoteRefusal, type DockerTarget } from '../schema/external.ts';
import { startExternalEnvironment } from './external-environment.ts';
import type { Environment, EnvironmentOptions } from './target.ts';

/** Why the Docker engine at DOCKER_HOST may not be used (null: it may): off loopback it needs allowRemote naming its host. */
export function dockerHostRefusal(dockerHost: string | undefined, allow: Parameters<typeof remoteRefusal>[1]): string | null {
  if (!dockerHost || dockerHost.startsWith('unix://') || dockerHost.startsWith('npipe://')) return null;
  return remoteRefusal(dockerHost.replace(/^tcp:/, 'http:'), allow, 'the Docker engine at DOCKER_HOST');
}

export async function startDockerEnvironment(o: EnvironmentOptions, target: DockerTarget): Promise<Environment> {
  const file = o.drillFile ?? o.drillDir;
  const refusal = dockerHostRefusal(process.env.DOCKER_HOST, target.allowRemote ?? o.drill.allowRemote);
  if (refusal) throw new DrillError(file, [refusal], "the drill's target");
  const problem = await engineProblem(5000);
  if (problem) throw new DrillError(file, [`target.containers: ${problem} — nothing was injected`], "the drill's target");
  const docker = (await dockerClient()).container.dockerode;
  const driver = new DockerDriver({
    docker,
    labels: target.containers.labels,
    zoneLabel: target.containers.zoneLabel,
    record: (change) => o.ledger.containerChanging(change),
    undone: (change) => o.ledger.containerRestored(change),
  });
  const matched = await driver.matching();
  const selector = Object.entries(target.containers.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  if (matched.length === 0) throw new DrillError(file, [`target.containers.labels: no running container matches ${selector} on the Docker engine: start the stack, or fix the labels — nothing was injected`], "the drill's target");
  const env = await startExternalEnvironment(o, target);
  return {
    ...env,
    drivers: () => ({ ...env.drivers(), docker: driver }),
    chaosEvidence: () => ({
      ...env.chaosEvidence(),
      docker: {
        labels: target.containers.labels,
        zoneLabel: target.containers.zoneLabel,
        // the blast radius: what matched at start, and per fault what it picked (and its seed)
        matchedAtStart: matched.map((c) => c.name),
        selections: Object.fromEntries(driver.selections),
        restartedBy: Object.fromEntries(driver.restartedBy),
      },
    }),
  };
}
