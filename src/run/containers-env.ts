// The containers environment of a drill (target.kind: containers): the service's image and
// Toxiproxy's built here (chaos/containers/images.ts, no registry), then the topology — a network
// of the run's own, the replicas on it (labelled zone=...), a Toxiproxy container in front of them
// with one proxy per replica published on 127.0.0.1 — and the containers driver on it. Load, the
// webhook senders and the SUT-metrics poller reach the replicas through the published ports.
// Everything carries the run's and the owner's labels: stop() removes it; after a crash the
// sweep of the next run (or `gameday cleanup`) does.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContainersDriver } from '../../chaos/containers/driver.ts';
import { ensureImage, nodeServiceImageSpec, toxiproxyImageSpec, type BuiltImage } from '../../chaos/containers/images.ts';
import { LABEL_SERVICE } from '../../chaos/containers/labels.ts';
import { SERVICE_PORT, startContainerTopology } from '../../chaos/containers/topology.ts';
import { requireTool } from '../../scripts/toolchain.mjs';
import type { Fault } from '../schema/drill.ts';
import { renderTemplate, type Environment, type EnvironmentOptions, type Replica, type TemplateVars } from './environment.ts';

const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What of the entry's folder goes into the image: not node_modules (from package-lock.json), drills, docs, dot files. */
export function excludedFromImage(rel: string): boolean {
  const top = rel.split('/')[0];
  return top === 'node_modules' || top === 'drills' || top.startsWith('.') || /\.(md|ya?ml)$/i.test(rel);
}

/** The image spec of a containers service: [node, ./dir/entry.mjs] → node and dir/ in /app. */
export function serviceImageSpec(command: readonly string[], drillDir: string, service: string) {
  const entry = path.resolve(drillDir, command[1]);
  return nodeServiceImageSpec({ name: `gameday/${service}`, appDir: path.dirname(entry), entry: path.basename(entry), projectDir: PROJECT_DIR, exclude: excludedFromImage });
}

export async function startContainersEnvironment(o: EnvironmentOptions): Promise<Environment> {
  const service = o.drill.target.service;
  const toxiTool = requireTool('toxiproxy');
  const [toxiImage, image] = await Promise.all([
    ensureImage(toxiproxyImageSpec(toxiTool.path)),
    ensureImage(serviceImageSpec(service.command, o.drillDir, service.name)),
  ]);
  const images: Record<string, BuiltImage> = { service: image, toxiproxy: toxiImage };
  const envOf = (index: number, zone: string) => {
    // inside the container: its own port and DATA_DIR; partner URLs are refused by the schema
    const vars: TemplateVars = { port: String(SERVICE_PORT), replica: String(index), zone, dataDir: '/data', partners: o.partners };
    return Object.fromEntries(Object.entries(service.env).map(([k, v]) => [k, renderTemplate(v, vars)]));
  };
  const topology = await startContainerTopology({
    runId: o.runId,
    service: { name: service.name, replicas: service.replicas, zones: service.zones, envOf, healthPath: service.healthPath, startTimeoutMs: service.startTimeout },
    image: image.image,
    toxiproxyImage: toxiImage.image,
    dataDir: o.dataDir,
    logDir: o.logDir,
  });
  const driver = new ContainersDriver(topology);
  const replicas: Replica[] = topology.replicas.map((r) => ({ index: r.index, zone: r.zone, port: r.hostPort, process: null, proxy: r.proxy, proxyUrl: r.proxyUrl }));
  const targetsOf = (fault: Fault): string[] => {
    if (fault.driver !== 'containers') return [];
    if (fault.action === 'pod-kill') return [`${service.name}-r${fault.replica}`];
    if (fault.action === 'az-failure') return [`zone=${fault.zone}`];
    if (fault.action === 'partition') return [`${LABEL_SERVICE}=${service.name}`];
    return [];
  };
  return {
    toxiproxy: topology.toxiproxy.driver,
    // the binary the image was built from (its API says "git" for a go-installed build)
    toxiproxyVersion: toxiTool.version ?? topology.toxiproxy.version.trim(),
    toxiproxySource: `${toxiTool.source}, in container image ${toxiImage.image}`,
    replicas,
    proxiesOf: (name) => (name === service.name ? replicas.map((r) => r.proxy) : []),
    // no local processes: the process driver finds no replica here
    handles: () => [],
    entryUrls: replicas.map((r) => r.proxyUrl),
    loadBalancer: null,
    broker: null,
    disk: null,
    drivers: () => ({ containers: driver }),
    targetsOf,
    chaosFigures: () => ({}),
    chaosEvidence: () => ({
      loadBalancer: null,
      broker: null,
      disk: null,
      containers: {
        network: topology.network,
        images: Object.fromEntries(Object.entries(images).map(([k, b]) => [k, { image: b.image, hash: b.hash, built: b.built, ms: b.ms }])),
        toxiproxy: { apiUrl: topology.toxiproxy.apiUrl, container: topology.toxiproxy.containerName, id: topology.toxiproxy.containerId, version: topology.toxiproxy.version },
        replicas: topology.replicas.map((r) => ({ name: r.name, zone: r.zone, container: r.containerName, id: r.containerId, hostPort: r.hostPort, proxy: r.proxy, proxyUrl: r.proxyUrl })),
      },
    }),
    stop: () => topology.stop(),
  };
}
