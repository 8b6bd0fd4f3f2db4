// The containers environment of a drill (target.kind: containers): the service's image and
// Toxiproxy's built here (chaos/containers/images.ts, no registry), then the topology — a network
// of the run's own, the replicas on it (labelled zone=...), a Toxiproxy container in front of them
// with one proxy per replica published on 127.0.0.1 — and the containers driver on it. Load, the
// webhook senders and the SUT-metrics poller reach the replicas through the published ports.
// Everything carries the run's and the owner's labels: stop() removes it; after a crash the
// sweep of the next run (or `gameday cleanup`) does.
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { GenericContainer, Wait } from 'testcontainers';
import { ContainersDriver } from '../../chaos/containers/driver.ts';
import { binaryServiceImageSpec, ensureImage, nodeServiceImageSpec, toxiproxyImageSpec, type BuiltImage } from '../../chaos/containers/images.ts';
import { LABEL_ROLE, LABEL_SERVICE, runLabels } from '../../chaos/containers/labels.ts';
import { SERVICE_PORT, startContainerTopology, stopContainer, type ContainerTopology } from '../../chaos/containers/topology.ts';
import { requireTool } from '../platform/toolchain.mjs';
import { packageFile, packageRoot } from '../platform/package-files.mjs';
import type { ContainerPartnersConfig } from '../../simulators/container-entry.ts';
import { readJournal } from '../../simulators/journal.ts';
import { launchedService, type Fault } from '../schema/drill.ts';
import { ownerMarker } from '../platform/processes.ts';
import { renderTemplate, type Environment, type EnvironmentOptions, type Replica, type TemplateVars } from './target.ts';

const PROJECT_DIR = packageRoot;

/** What of the entry's folder goes into the image: not node_modules (from package-lock.json), drills, docs, dot files. */
export function excludedFromImage(rel: string): boolean {
  const top = rel.split('/')[0];
  return top === 'node_modules' || top === 'drills' || top.startsWith('.') || /\.(md|ya?ml)$/i.test(rel);
}

/**
 * The image spec of a containers service: [node, ./dir/entry.mjs] → node and dir/ in /app; any
 * other command → its executable alone (FROM scratch, with the libraries it loads), its arguments
 * given to each replica's container.
 */
export function serviceImageSpec(command: readonly string[], drillDir: string, service: string) {
  if (command[0] !== 'node') return binaryServiceImageSpec({ name: `gameday/${service}`, binary: path.resolve(drillDir, command[0]) });
  const entry = path.resolve(drillDir, command[1]);
  return nodeServiceImageSpec({ name: `gameday/${service}`, appDir: path.dirname(entry), entry: path.basename(entry), projectDir: PROJECT_DIR, exclude: excludedFromImage });
}

/** its source in the repository, its compiled twin in the npm package */
export const PARTNERS_ENTRY = packageFile('simulators/container-entry.ts');
/** partner i listens on this + i inside the partners container */
export const PARTNERS_BASE_PORT = 9090;

/** The partner simulators' container entry as one file (node builtins external, npm code inlined). */
export async function bundlePartners(outfile: string): Promise<void> {
  await build({
    entryPoints: [PARTNERS_ENTRY],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    legalComments: 'none',
    // CommonJS dependencies that require() builtins
    banner: { js: "// bundled by gameday (esbuild): the partner simulators of a containers drill\nimport { createRequire as __gamedayRequire } from 'node:module';\nconst require = __gamedayRequire(import.meta.url);" },
  });
}

interface PartnersContainer {
  name: string;
  id: string;
  dir: string;
  journalFile: string;
  urls: Record<string, string>;
}

/**
 * The drill's partner simulators in a container on the topology's network, run by the node of
 * `image`; each partner at http://<container>:<PARTNERS_BASE_PORT + i>.
 */
async function startPartnersContainer(o: EnvironmentOptions, topology: ContainerTopology, image: string, workDir: string): Promise<PartnersContainer> {
  const planned = o.plannedPartners ?? [];
  const dir = path.join(workDir, 'partners');
  const journalDir = path.join(workDir, 'journal');
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(journalDir, { recursive: true });
  await bundlePartners(path.join(dir, 'partners.mjs'));
  const config: ContainerPartnersConfig = { partners: planned, basePort: PARTNERS_BASE_PORT };
  fs.writeFileSync(path.join(dir, 'partners.json'), JSON.stringify(config));
  const name = `gameday-${o.runId}-partners`;
  const started = await new GenericContainer(image)
    .withName(name)
    .withNetworkMode(topology.network.name)
    .withLabels({ ...runLabels(o.runId, ownerMarker()), [LABEL_ROLE]: 'partners' })
    .withEntrypoint(['/usr/bin/node', '/gameday/partners.mjs'])
    .withBindMounts([
      { source: dir, target: '/gameday', mode: 'ro' },
      { source: journalDir, target: '/journal', mode: 'rw' },
    ])
    .withAutoCleanup(false)
    .withWaitStrategy(Wait.forLogMessage(/partners listening/))
    .withStartupTimeout(20_000)
    .start();
  const urls = Object.fromEntries(planned.map((p, i) => [p.name, `http://${name}:${PARTNERS_BASE_PORT + i}`]));
  return { name, id: started.getId(), dir, journalFile: path.join(journalDir, 'simulator_journal.ndjson'), urls };
}

export async function startContainersEnvironment(o: EnvironmentOptions): Promise<Environment> {
  const service = launchedService(o.drill.target);
  if (!service) throw new Error('a containers environment needs the service it launches (target.kind: containers)');
  const toxiTool = requireTool('toxiproxy');
  const [toxiImage, image] = await Promise.all([
    ensureImage(toxiproxyImageSpec(toxiTool.path)),
    ensureImage(serviceImageSpec(service.command, o.drillDir, service.name)),
  ]);
  const images: Record<string, BuiltImage> = { service: image, toxiproxy: toxiImage };
  const planned = o.plannedPartners ?? [];
  const partnersName = `gameday-${o.runId}-partners`;
  // the partners' addresses on the network, known before their container runs (Docker's DNS resolves names on each connection)
  const partnerVars: TemplateVars['partners'] = Object.fromEntries(
    Object.entries(o.partners).map(([name, p]) => {
      const i = planned.findIndex((x) => x.name === name);
      return [name, { ...p, url: `http://${partnersName}:${PARTNERS_BASE_PORT + i}` }];
    }),
  );
  // inside the container: its own port and DATA_DIR, the partners on the run's network
  const varsOf = (index: number, zone: string): TemplateVars => ({ port: String(SERVICE_PORT), replica: String(index), zone, dataDir: '/data', partners: partnerVars });
  const envOf = (index: number, zone: string) => Object.fromEntries(Object.entries(service.env).map(([k, v]) => [k, renderTemplate(v, varsOf(index, zone))]));
  // an executable's arguments ({{port}} and the others expanded): the container's command
  const argsOf = service.command[0] === 'node' ? undefined : (index: number, zone: string) => service.command.slice(1).map((a) => renderTemplate(a, varsOf(index, zone)));
  const topology = await startContainerTopology({
    runId: o.runId,
    service: { name: service.name, replicas: service.replicas, zones: service.zones, envOf, argsOf, healthPath: service.healthPath, startTimeoutMs: service.startTimeout },
    image: image.image,
    toxiproxyImage: toxiImage.image,
    dataDir: o.dataDir,
    logDir: o.logDir,
  });
  const workDir = o.ledger.makeFolder('containers');
  let partners: PartnersContainer | null = null;
  let stopping: Promise<void> | null = null;
  const stop = async () => {
    const problems: string[] = [];
    if (partners) {
      // SIGTERM first: the simulators close their connections and flush the journal
      try {
        await topology.client.container.getById(partners.id).stop({ t: 5 });
      } catch (err) {
        if (!/is not running|already stopped/.test(String(err))) problems.push(`the partners container did not stop: ${err}`);
        await stopContainer(topology.client, partners.id).catch(() => undefined);
      }
      try {
        if (fs.existsSync(partners.journalFile)) for (const e of readJournal(partners.journalFile)) o.journal?.record(e);
      } catch (err) {
        problems.push(`the partners' journal could not be read: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    try {
      await topology.stop();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
    fs.rmSync(workDir, { recursive: true, force: true });
    if (problems.length) throw new Error(problems.join('; '));
  };
  try {
    if (planned.length) partners = await startPartnersContainer(o, topology, image.image, workDir);
  } catch (err) {
    await stop().catch(() => undefined);
    throw new Error(`the partner simulators' container did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  const started = partners;
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
    startTimeline: (t0) => {
      if (!started) return;
      // renamed into place: the simulators never read half a file
      const tmp = path.join(started.dir, '.t0.json');
      fs.writeFileSync(tmp, JSON.stringify({ t0 }));
      fs.renameSync(tmp, path.join(started.dir, 't0.json'));
    },
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
        partners: started ? { container: started.name, id: started.id, urls: started.urls } : null,
      },
    }),
    stop: () => (stopping ??= stop()),
  };
}
