// The SUT as containers on a real Docker engine, through testcontainers: one user-defined bridge
// network for the run; the service's replicas on it (labels zone=a|b, each published on
// 127.0.0.1 only); and a Toxiproxy container on the same network in front of them, one proxy per
// replica (upstream: the replica's container name, resolved by Docker's DNS on every connection),
// each proxy published on 127.0.0.1. Load goes through the proxies, so network faults (toxics) and
// container faults (kill, stop, disconnect) bite on the same path a client takes.
// Everything carries gameday.run and gameday.owner labels: Ryuk is off (no registry for its image),
// and sweep.ts removes what a killed run left.
import fs from 'node:fs';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { GenericContainer, StartedNetwork, Wait, type ContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { Toxiproxy } from 'toxiproxy-node-client';
import { ToxiproxyDriver } from '../toxiproxy.ts';
import { freePort, ownerMarker, waitHealthy } from '../../src/platform/processes.ts';
import { dockerClient } from './engine.ts';
import { LABEL_OWNER, LABEL_REPLICA, LABEL_ROLE, LABEL_RUN, LABEL_SERVICE, LABEL_ZONE, runLabels, type Labels } from './labels.ts';
import { sleep } from '../../src/platform/poll.ts';

/** Port the service listens on inside its container (PORT). */
export const SERVICE_PORT = 8080;
const TOXIPROXY_API_PORT = 8474;
/** Proxy i listens on this + i inside the Toxiproxy container. */
const PROXY_BASE_PORT = 10_000;

/** A GenericContainer whose published ports bind to 127.0.0.1 only (testcontainers binds every address). */
class LoopbackContainer extends GenericContainer {
  protected override async beforeContainerCreated(): Promise<void> {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as Array<Array<{ HostIp?: string; HostPort?: string }>>) {
      for (const b of bindings) b.HostIp = '127.0.0.1';
    }
  }
}

export interface ContainerServiceSpec {
  name: string;
  replicas: number;
  /** replica i runs in zones[i % n] (label zone, env ZONE) */
  zones: string[];
  /** extra environment; PORT, HOST, REPLICA, ZONE and DATA_DIR are set */
  env?: Record<string, string>;
  /** extra environment of replica `index` in `zone`, over `env` (a drill's per-replica placeholders) */
  envOf?: (index: number, zone: string) => Record<string, string>;
  /** the container's command (the image's entrypoint's arguments) of replica `index` in `zone` */
  argsOf?: (index: number, zone: string) => string[];
  healthPath?: string;
  startTimeoutMs?: number;
}

export interface ContainerTopologyOptions {
  runId: string;
  service: ContainerServiceSpec;
  /** the service's image (images.ts) */
  image: string;
  /** Toxiproxy's image (images.ts) */
  toxiproxyImage: string;
  /** host folder bind-mounted at /data in every replica (shared, as DATA_DIR is between local replicas) */
  dataDir?: string;
  /** each container's output is written here as <name>.log when the topology stops */
  logDir?: string;
}

export interface ContainerReplica {
  /** e.g. "partner-hub-r0": what faults name */
  name: string;
  index: number;
  zone: string;
  containerName: string;
  containerId: string;
  labels: Labels;
  /** 127.0.0.1 port published for the replica's SERVICE_PORT */
  hostPort: number;
  /** http://127.0.0.1:hostPort: the replica itself */
  url: string;
  /** its Toxiproxy proxy */
  proxy: string;
  /** http://127.0.0.1:PORT of its proxy: where load goes */
  proxyUrl: string;
}

export interface ContainerTopology {
  runId: string;
  client: ContainerRuntimeClient;
  network: { id: string; name: string };
  service: Required<Pick<ContainerServiceSpec, 'name' | 'healthPath' | 'startTimeoutMs'>>;
  replicas: ContainerReplica[];
  toxiproxy: { driver: ToxiproxyDriver; apiUrl: string; containerName: string; containerId: string; version: string };
  /** every container of the run (replicas and Toxiproxy), for label selection */
  containers(): Array<{ name: string; id: string; labels: Labels }>;
  /** Stops and removes every container and the network (their output to logDir first). Idempotent. */
  stop(): Promise<void>;
}


/** Docker's answer for something already in the wanted state (304, or 409/500 with such a message). */
function alreadyThere(err: unknown, pattern: RegExp): boolean {
  const e = err as { statusCode?: number; message?: string; json?: { message?: string } };
  return e.statusCode === 304 || pattern.test(e.json?.message ?? e.message ?? '');
}

export async function inspectContainer(client: ContainerRuntimeClient, id: string): Promise<Dockerode.ContainerInspectInfo> {
  return client.container.inspect(client.container.getById(id));
}

/** Running, and attached to `networkId`? (from docker inspect) */
export async function containerState(client: ContainerRuntimeClient, id: string, networkId: string): Promise<{ running: boolean; connected: boolean; status: string }> {
  const info = await inspectContainer(client, id);
  const connected = Object.values(info.NetworkSettings?.Networks ?? {}).some((n) => n.NetworkID === networkId);
  return { running: info.State.Running, connected, status: info.State.Status };
}

export async function killContainer(client: ContainerRuntimeClient, id: string): Promise<void> {
  try {
    await client.container.getById(id).kill({ signal: 'SIGKILL' });
  } catch (err) {
    if (!alreadyThere(err, /is not running/)) throw err;
  }
}

/** docker stop with no grace: the zone lost power. */
export async function stopContainer(client: ContainerRuntimeClient, id: string): Promise<void> {
  try {
    await client.container.getById(id).stop({ t: 0 });
  } catch (err) {
    if (!alreadyThere(err, /is not running|already stopped/)) throw err;
  }
}

export async function startContainer(client: ContainerRuntimeClient, id: string): Promise<void> {
  try {
    await client.container.getById(id).start();
  } catch (err) {
    if (!alreadyThere(err, /already started|is already running/)) throw err;
  }
}

export async function disconnectContainer(client: ContainerRuntimeClient, networkId: string, id: string): Promise<void> {
  try {
    await client.network.getById(networkId).disconnect({ Container: id, Force: true });
  } catch (err) {
    if (!alreadyThere(err, /is not connected/)) throw err;
  }
}

export async function connectContainer(client: ContainerRuntimeClient, networkId: string, id: string): Promise<void> {
  try {
    await client.network.getById(networkId).connect({ Container: id });
  } catch (err) {
    if (!alreadyThere(err, /already exists|already attached/)) throw err;
  }
}

/** Creates the run's network through testcontainers' client, with gameday's labels (Network() cannot label). */
async function createNetwork(client: ContainerRuntimeClient, name: string, labels: Labels): Promise<StartedNetwork> {
  const network = await client.network.create({ Name: name, CheckDuplicate: true, Driver: 'bridge', Internal: false, Attachable: false, Ingress: false, EnableIPv6: false, Labels: labels });
  return new StartedNetwork(client, name, network);
}

async function saveLogs(client: ContainerRuntimeClient, id: string, file: string): Promise<void> {
  const stream = await client.container.logs(client.container.getById(id));
  let text = '';
  await Promise.race([
    new Promise<void>((resolve) => {
      stream.on('data', (c: string) => (text += c));
      stream.on('end', resolve);
      stream.on('error', () => resolve());
    }),
    sleep(5000),
  ]);
  stream.destroy();
  fs.writeFileSync(file, text);
}

export async function startContainerTopology(o: ContainerTopologyOptions): Promise<ContainerTopology> {
  const client = await dockerClient();
  const service = { name: o.service.name, healthPath: o.service.healthPath ?? '/healthz', startTimeoutMs: o.service.startTimeoutMs ?? 20_000 };
  if (o.service.replicas < 1) throw new Error('the service needs at least one replica');
  if (o.service.zones.length === 0) throw new Error('the service needs at least one zone');
  const base = runLabels(o.runId, ownerMarker());
  const prefix = `gameday-${o.runId}`;
  const starts: Array<Promise<StartedTestContainer>> = [];
  let network: StartedNetwork | null = null;
  let stopping: Promise<void> | null = null;

  const owner = base[LABEL_OWNER];
  /** every container of this run and this owner, however far its start got */
  const ours = async () =>
    client.container.dockerode.listContainers({ all: true, filters: { label: [`${LABEL_RUN}=${o.runId}`, `${LABEL_OWNER}=${owner}`] } });
  const stop = async () => {
    await Promise.allSettled(starts);
    const containers = await ours();
    // stopped first, so that their output is complete; then removed, then the network
    await Promise.all(containers.map((c) => stopContainer(client, c.Id).catch(() => undefined)));
    if (o.logDir) {
      fs.mkdirSync(o.logDir, { recursive: true });
      await Promise.all(containers.map((c) => saveLogs(client, c.Id, path.join(o.logDir!, `${(c.Names[0] ?? c.Id).replace(/^\//, '')}.log`)).catch(() => undefined)));
    }
    const errors: string[] = [];
    for (const c of containers) {
      try {
        await client.container.remove(client.container.getById(c.Id), { removeVolumes: true });
      } catch (err) {
        if (!/no such container|is already in progress/i.test(String(err))) errors.push(`container ${c.Names[0] ?? c.Id}: ${err}`);
      }
    }
    if (network) {
      try {
        await network.stop();
      } catch (err) {
        if (!/not found|no such network/i.test(String(err))) errors.push(`network ${network.getName()}: ${err}`);
      }
    }
    const left = await ours();
    if (left.length) errors.push(`still there: ${left.map((c) => c.Names[0] ?? c.Id).join(', ')}`);
    if (errors.length) throw new Error(`the container topology of run ${o.runId} could not be removed: ${errors.join('; ')}`);
  };

  try {
    network = await createNetwork(client, prefix, base);
    const replicas: ContainerReplica[] = [];
    for (let index = 0; index < o.service.replicas; index++) {
      const zone = o.service.zones[index % o.service.zones.length];
      const name = `${o.service.name}-r${index}`;
      const hostPort = await freePort();
      const labels: Labels = { ...base, [LABEL_SERVICE]: o.service.name, [LABEL_ROLE]: 'replica', [LABEL_REPLICA]: name, [LABEL_ZONE]: zone };
      const plain = new LoopbackContainer(o.image);
      const args = o.service.argsOf?.(index, zone);
      const container = (args ? plain.withCommand(args) : plain)
        .withName(`${prefix}-${name}`)
        .withNetwork(network)
        .withLabels(labels)
        // a fixed host port: a replica stopped or disconnected comes back on the same address
        .withExposedPorts({ container: SERVICE_PORT, host: hostPort })
        .withEnvironment({ ...o.service.env, ...o.service.envOf?.(index, zone), PORT: String(SERVICE_PORT), HOST: '0.0.0.0', REPLICA: String(index), ZONE: zone, DATA_DIR: '/data' })
        .withBindMounts(o.dataDir ? [{ source: path.resolve(o.dataDir), target: '/data' }] : [])
        .withAutoCleanup(false)
        // the image has no shell, so no in-container port check: its own log line, then HTTP from here
        .withWaitStrategy(Wait.forLogMessage(/listening on/))
        .withStartupTimeout(service.startTimeoutMs);
      starts.push(container.start()); // replicas first, Toxiproxy last: settled[] below relies on it
      replicas.push({ name, index, zone, containerName: `${prefix}-${name}`, containerId: '', labels, hostPort, url: `http://127.0.0.1:${hostPort}`, proxy: `${prefix}-${name}`, proxyUrl: '' });
    }
    const apiPort = await freePort();
    const proxyPorts = await Promise.all(replicas.map(() => freePort()));
    const toxiName = `${prefix}-toxiproxy`;
    const toxiStart = new LoopbackContainer(o.toxiproxyImage)
      .withName(toxiName)
      .withNetwork(network)
      .withLabels({ ...base, [LABEL_ROLE]: 'toxiproxy' })
      .withExposedPorts({ container: TOXIPROXY_API_PORT, host: apiPort }, ...proxyPorts.map((host, i) => ({ container: PROXY_BASE_PORT + i, host })))
      .withAutoCleanup(false)
      .withWaitStrategy(Wait.forLogMessage(/Starting Toxiproxy HTTP server/))
      .withStartupTimeout(service.startTimeoutMs)
      .start();
    starts.push(toxiStart);
    const settled = await Promise.allSettled(starts);
    const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed.length) throw new Error(`starting the containers failed: ${failed.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('; ')}`);
    const startedReplicas = settled.slice(0, replicas.length).map((s) => (s as PromiseFulfilledResult<StartedTestContainer>).value);
    const toxi = (settled[replicas.length] as PromiseFulfilledResult<StartedTestContainer>).value;
    replicas.forEach((r, i) => (r.containerId = startedReplicas[i].getId()));

    await Promise.all(replicas.map((r) => waitHealthy(`${r.url}${service.healthPath}`, service.startTimeoutMs)));
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitHealthy(`${apiUrl}/version`, service.startTimeoutMs);
    const driver = new ToxiproxyDriver(apiUrl);
    const toxiproxyClient = new Toxiproxy(apiUrl);
    for (const [i, r] of replicas.entries()) {
      await toxiproxyClient.createProxy({ name: r.proxy, listen: `0.0.0.0:${PROXY_BASE_PORT + i}`, upstream: `${r.containerName}:${SERVICE_PORT}` });
      r.proxyUrl = `http://127.0.0.1:${proxyPorts[i]}`;
    }
    await Promise.all(replicas.map((r) => waitHealthy(`${r.proxyUrl}${service.healthPath}`, 10_000)));
    const version = await driver.version();

    return {
      runId: o.runId,
      client,
      network: { id: network.getId(), name: network.getName() },
      service,
      replicas,
      toxiproxy: { driver, apiUrl, containerName: toxiName, containerId: toxi.getId(), version },
      containers: () => [
        ...replicas.map((r) => ({ name: r.containerName, id: r.containerId, labels: r.labels })),
        { name: toxiName, id: toxi.getId(), labels: { ...base, [LABEL_ROLE]: 'toxiproxy' } },
      ],
      stop: () => (stopping ??= stop()),
    };
  } catch (err) {
    // by label: a container whose start failed half-way is removed too
    await stop().catch((cleanupErr) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; and removing the containers failed: ${cleanupErr instanceof Error ? cleanupErr.message : String(cleanupErr)}`);
    });
    throw err;
  }
}
