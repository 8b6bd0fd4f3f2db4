// The Docker engine, as testcontainers reaches it. No image registry is reachable here, so Ryuk
// (testcontainers' reaper, an image it pulls) is off: every container and network gameday creates
// carries its run and owner labels instead, and a sweep removes what a dead owner left (sweep.ts).
import type { ContainerRuntimeClient } from 'testcontainers';
import { dockerSocket, engineLog, lastEngineStatus, pingDocker, pingDockerTcp } from '../../src/platform/docker-engine.mjs';

// read by testcontainers when it first needs a reaper; an explicit setting is left as it is
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

/** Why the engine cannot be used, or null when it answers. Bounded (`timeoutMs`). */
export async function engineProblem(timeoutMs = 2000): Promise<string | null> {
  const socket = dockerSocket();
  const host = process.env.DOCKER_HOST;
  if (!socket && (!host?.startsWith('tcp://') || process.env.DOCKER_TLS_VERIFY)) return null; // TLS or another scheme: testcontainers reaches it itself
  const ping = socket ? await pingDocker(socket, timeoutMs) : await pingDockerTcp(host!, timeoutMs);
  if (ping.ok) return null;
  // the bootstrap checked the default socket, not the engine DOCKER_HOST names
  if (host) return `no Docker engine answers at DOCKER_HOST=${host} (${ping.error}): point DOCKER_HOST at a running engine, or unset it to use /var/run/docker.sock`;
  const status = lastEngineStatus();
  const why = status && !status.ok ? `; the bootstrap (${status.at}) said: ${status.reason}` : status?.ok ? `; the bootstrap (${status.at}) had an engine, it has gone since (log: ${engineLog})` : '; run `npm run bootstrap` (as root it installs docker.io and starts dockerd)';
  return `no Docker engine answers (${ping.error})${why}`;
}

/** The testcontainers client, once the engine is known to answer; throws the reason otherwise. */
export async function dockerClient(): Promise<ContainerRuntimeClient> {
  const problem = await engineProblem();
  if (problem) throw new Error(`the containers driver needs a Docker engine: ${problem}`);
  // loaded on first use: a run without containers (every run sweeps) does not pay for it
  const { getContainerRuntimeClient } = await import('testcontainers');
  return getContainerRuntimeClient();
}
