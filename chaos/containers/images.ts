// The images the containers driver runs, built here: no image registry is reachable, so nothing is
// pulled. Each image is FROM scratch with exactly the files it needs — the static Toxiproxy binary;
// node, the shared libraries `ldd` lists for it, the partner hub's code and the node_modules it
// imports — and is tagged and labelled with a content hash of those inputs, so that an unchanged
// image is not built again.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GenericContainer, ImageName } from 'testcontainers';
import { dockerClient } from './engine.ts';
import { LABEL_INPUTS } from './labels.ts';

/** One file of an image: copied from `source`, or written with `content`, to `target` (relative to /). */
export interface ImageFile {
  target: string;
  source?: string;
  content?: string;
  mode: number;
}

export interface ImageSpec {
  /** repository part of the tag, e.g. "gameday/partner-hub" */
  name: string;
  files: ImageFile[];
  /** the Dockerfile, without the label line (added with the hash) */
  dockerfile: string;
}

export interface BuiltImage {
  /** name:tag */
  image: string;
  hash: string;
  /** false: an image with this hash was already there */
  built: boolean;
  ms: number;
}

/** Bumped when the way images are assembled changes, so that old images are not taken for new ones. */
const LAYOUT_VERSION = 1;

/** The absolute paths of the shared libraries (and the loader) in `ldd` output. */
export function parseLdd(output: string): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    const arrow = /=>\s*(\/\S+)\s*\(0x/.exec(line);
    const bare = /^\s*(\/\S+)\s*\(0x/.exec(line);
    const p = arrow?.[1] ?? bare?.[1];
    if (p && !found.includes(p)) found.push(p);
  }
  return found;
}

/** The shared libraries a binary needs; none for a static binary. */
export function sharedLibraries(binary: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: string };
    const text = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/.test(text)) return [];
    if (e.code === 'ENOENT') throw new Error(`ldd is not installed, so the libraries of ${binary} cannot be found (Debian: apt-get install libc-bin)`);
    throw new Error(`ldd ${binary} failed: ${text.trim() || String(err)}`);
  }
  if (/statically linked/.test(out)) return [];
  const libs = parseLdd(out);
  const missing = out.split('\n').filter((l) => l.includes('not found'));
  if (missing.length) throw new Error(`${binary} needs libraries this machine lacks: ${missing.map((l) => l.trim()).join('; ')}`);
  return libs;
}

/** The bare module specifiers (packages) an ES module imports; node: builtins and relative paths are left out. */
export function bareImports(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec || spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return [...names].sort();
}

interface LockPackage {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
}

/**
 * The packages `roots` need at run time, by package-lock.json (v2/v3, hoisted "node_modules/NAME"):
 * the roots and their dependencies, transitively; optional ones only when installed.
 */
export function dependencyClosure(lock: { packages: Record<string, LockPackage> }, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry) throw new Error(`package ${name} is imported but not in package-lock.json: npm install --save ${name}`);
    seen.add(name);
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push(dep);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) if (lock.packages[`node_modules/${dep}`]) queue.push(dep);
  }
  return [...seen].sort();
}

/** Every regular file under `dir` (symlinks followed for files only), as paths relative to `dir`, sorted. */
export function walk(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (skip(r)) continue;
      if (entry.isDirectory()) visit(r);
      else if (entry.isFile() || (entry.isSymbolicLink() && fs.statSync(path.join(dir, r)).isFile())) out.push(r);
    }
  };
  visit('');
  return out.sort();
}

/** The image's files for a binary and the libraries it loads, each at the path it is loaded from. */
export function binaryFiles(binary: string, target: string): ImageFile[] {
  const files: ImageFile[] = [{ target, source: fs.realpathSync(binary), mode: 0o755 }];
  for (const lib of sharedLibraries(binary)) files.push({ target: lib.replace(/^\//, ''), source: fs.realpathSync(lib), mode: 0o755 });
  return files;
}

/** Toxiproxy's image: its server binary (static when built with CGO_ENABLED=0), API on 8474. */
export function toxiproxyImageSpec(binary: string): ImageSpec {
  return {
    name: 'gameday/toxiproxy',
    files: binaryFiles(binary, 'toxiproxy-server'),
    dockerfile: ['FROM scratch', 'COPY rootfs/ /', 'EXPOSE 8474', 'ENTRYPOINT ["/toxiproxy-server", "-host", "0.0.0.0", "-port", "8474"]'].join('\n'),
  };
}

/** go-httpbin's image: its static binary FROM scratch, serving on 8080 (a service nobody here wrote, for docker targets). */
export function goHttpbinImageSpec(binary: string): ImageSpec {
  return {
    name: 'gameday/go-httpbin',
    files: binaryFiles(binary, 'go-httpbin'),
    dockerfile: ['FROM scratch', 'COPY rootfs/ /', 'EXPOSE 8080', 'ENTRYPOINT ["/go-httpbin", "-host", "0.0.0.0", "-port", "8080"]'].join('\n'),
  };
}

/**
 * A service that is one executable (a static Go server, or any binary with the libraries `ldd`
 * lists), FROM scratch: the binary in /app, its mode kept; HOST=0.0.0.0, PORT 8080, DATA_DIR /data.
 * Its arguments are the container's command (per replica).
 */
export function binaryServiceImageSpec(o: { name: string; binary: string }): ImageSpec {
  const base = path.basename(o.binary);
  return {
    name: o.name,
    files: [...binaryFiles(o.binary, `app/${base}`), { target: 'data/.keep', content: '', mode: 0o644 }],
    dockerfile: ['FROM scratch', 'COPY rootfs/ /', 'WORKDIR /app', 'ENV HOST=0.0.0.0 PORT=8080 DATA_DIR=/data', 'EXPOSE 8080', `ENTRYPOINT ["/app/${base}"]`].join('\n'),
  };
}

/**
 * A node service's image: node (this one, `nodeBinary`) and its libraries, the service's files
 * (`appDir` minus `exclude`) in /app, and the node_modules its modules import, from `projectDir`.
 * It listens on HOST=0.0.0.0 inside the container; PORT 8080; DATA_DIR /data.
 */
export function nodeServiceImageSpec(o: { name: string; appDir: string; entry: string; projectDir: string; nodeBinary?: string; exclude?: (rel: string) => boolean }): ImageSpec {
  const appFiles = walk(o.appDir, o.exclude);
  if (!appFiles.includes(o.entry)) throw new Error(`${o.entry} is not in ${o.appDir}`);
  const imports = new Set<string>();
  for (const rel of appFiles.filter((f) => /\.(mjs|js|cjs)$/.test(f))) for (const name of bareImports(fs.readFileSync(path.join(o.appDir, rel), 'utf8'))) imports.add(name);
  const lock = JSON.parse(fs.readFileSync(path.join(o.projectDir, 'package-lock.json'), 'utf8'));
  const packages = dependencyClosure(lock, [...imports]);
  const files: ImageFile[] = [...binaryFiles(o.nodeBinary ?? process.execPath, 'usr/bin/node')];
  // each file keeps its mode: an executable (a Go binary, a script) stays executable in the image
  const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
  for (const rel of appFiles) files.push({ target: `app/${rel}`, source: path.join(o.appDir, rel), mode: modeOf(path.join(o.appDir, rel)) });
  for (const pkg of packages) {
    const dir = path.join(o.projectDir, 'node_modules', pkg);
    // nested node_modules are the package's own deps at other versions; none of these have them
    for (const rel of walk(dir, (r) => r === 'node_modules' || r.startsWith('node_modules/'))) files.push({ target: `app/node_modules/${pkg}/${rel}`, source: path.join(dir, rel), mode: modeOf(path.join(dir, rel)) });
  }
  files.push({ target: 'data/.keep', content: '', mode: 0o644 });
  return {
    name: o.name,
    files,
    dockerfile: [
      'FROM scratch',
      'COPY rootfs/ /',
      'WORKDIR /app',
      'ENV HOST=0.0.0.0 PORT=8080 DATA_DIR=/data',
      'EXPOSE 8080',
      `ENTRYPOINT ["/usr/bin/node", "/app/${o.entry}"]`,
    ].join('\n'),
  };
}

/** The partner hub (examples/partner-hub: server.mjs and lib/) as an image. */
export function partnerHubImageSpec(projectDir: string): ImageSpec {
  return nodeServiceImageSpec({
    name: 'gameday/partner-hub',
    appDir: path.join(projectDir, 'examples', 'partner-hub'),
    entry: 'server.mjs',
    projectDir,
    exclude: (rel) => !(rel === 'server.mjs' || rel === 'lib' || rel.startsWith('lib/')),
  });
}

export function digestFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    fs.createReadStream(file)
      .on('error', reject)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** The content hash of an image's inputs: each file's target, mode and content digest (in any order) and the Dockerfile. */
export function imageInputsHash(files: ReadonlyArray<{ target: string; mode: number; digest: string }>, dockerfile: string): string {
  const targets = files.map((f) => f.target);
  const dup = targets.find((t, i) => targets.indexOf(t) !== i);
  if (dup) throw new Error(`two inputs of the image go to ${dup}`);
  const lines = [...files].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0)).map((f) => `${f.target}\0${f.mode.toString(8)}\0${f.digest}`);
  return createHash('sha256').update(`gameday-image/${LAYOUT_VERSION}\n${dockerfile}\n${lines.join('\n')}`).digest('hex');
}

export async function specHash(spec: ImageSpec): Promise<string> {
  const digests = await Promise.all(spec.files.map(async (f) => ({ target: f.target, mode: f.mode, digest: f.source !== undefined ? await digestFile(f.source) : createHash('sha256').update(f.content ?? '').digest('hex') })));
  return imageInputsHash(digests, spec.dockerfile);
}

/** The tag an image with these inputs has. */
export function imageTag(spec: ImageSpec, hash: string): string {
  return `${spec.name}:${hash.slice(0, 16)}`;
}

/**
 * The image for `spec`: the one already built from the same inputs (tag and label agree), or a new
 * build through testcontainers (GenericContainer.fromDockerfile) from a scratch folder of the inputs.
 */
export async function ensureImage(spec: ImageSpec): Promise<BuiltImage> {
  const started = Date.now();
  const client = await dockerClient();
  const hash = await specHash(spec);
  const image = imageTag(spec, hash);
  const name = ImageName.fromString(image);
  const labelOf = async () => {
    try {
      return (await client.image.inspect(name)).Config?.Labels?.[LABEL_INPUTS] ?? null;
    } catch {
      return null; // no such image
    }
  };
  if ((await labelOf()) === hash) return { image, hash, built: false, ms: Date.now() - started };

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), `gameday-image-${spec.name.replace(/\W+/g, '-')}-`));
  try {
    for (const f of spec.files) {
      const to = path.join(stage, 'rootfs', f.target);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      if (f.source !== undefined) fs.copyFileSync(f.source, to);
      else fs.writeFileSync(to, f.content ?? '');
      fs.chmodSync(to, f.mode);
    }
    fs.writeFileSync(path.join(stage, 'Dockerfile'), `${spec.dockerfile}\nLABEL ${LABEL_INPUTS}="${hash}"\n`);
    await GenericContainer.fromDockerfile(stage).build(image, { deleteOnExit: false });
  } catch (err) {
    throw new Error(`building image ${image} failed: ${err instanceof Error ? err.message : String(err)} (inputs kept in ${stage}: \`docker build ${stage}\` shows the build's output)`);
  }
  const label = await labelOf();
  if (label !== hash) throw new Error(`image ${image} was built but carries ${LABEL_INPUTS}=${label}, not ${hash} (inputs kept in ${stage})`);
  fs.rmSync(stage, { recursive: true, force: true });
  return { image, hash, built: true, ms: Date.now() - started };
}
