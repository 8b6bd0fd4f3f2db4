// The Docker engine, as testcontainers reaches it. No image registry is reachable here, so Ryuk
// (testcontainers' reaper, an image it pulls) is off: every container and network gameday creates
// carries its run and owner labels instead, and a sweep removes what a dead owner left (sweep.ts).
import type { ContainerRuntimeClient } from 'testcontainers';
import { dockerSocket, engineLog, lastEngineStatus, pingDocker } from '../../src/platform/docker-engine.mjs';

// read by testcontainers when it first needs a reaper; an explicit setting is left as it is
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

/** Why the engine cannot be used, or null when it answers. Bounded (`timeoutMs`). */
export async function engineProblem(timeoutMs = 2000): Promise<string | null> {
  const socket = dockerSocket();
  if (!socket) return null; // a TCP DOCKER_HOST: testcontainers reaches it itself
  const ping = await pingDocker(socket, timeoutMs);
  if (ping.ok) return null;
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
