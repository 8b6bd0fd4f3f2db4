// The external binaries gameday drives (k6, Toxiproxy, go-httpbin, Prometheus): where they come from and
// which version they are. Used by the bootstrap (install), `gameday doctor` and the engine
// (resolve, check, and install on first use).
// Plain ESM with no dependencies: it must run before `npm ci` has.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SetupError, shorten } from './setup-error.mjs';
import { isCheckout, packageRoot } from './package-files.mjs';

export const projectRoot = packageRoot;

/**
 * Where gameday installs its pinned tools: GAMEDAY_TOOLS_DIR; in a checkout of the repository its
 * own .tools/ (what the bootstrap, CI and the tests use); else the user's cache,
 * $XDG_CACHE_HOME/gameday/tools (~/.cache/gameday/tools), shared by every project of the user.
 * @param {Record<string, string | undefined>} [env] @param {string} [root] @param {boolean} [checkout]
 */
export function resolveToolsDir(env = process.env, root = projectRoot, checkout = isCheckout(root)) {
  if (env.GAMEDAY_TOOLS_DIR) return path.resolve(env.GAMEDAY_TOOLS_DIR);
  if (checkout) return path.join(root, '.tools');
  const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(cache, 'gameday', 'tools');
}

/**
 * How findTool names a binary from the tools folder: '.tools/bin' in a checkout,
 * 'GAMEDAY_TOOLS_DIR' when that names it, else 'tools cache'.
 * @param {Record<string, string | undefined>} [env]
 */
export function toolsSource(env = process.env, root = projectRoot) {
  return env.GAMEDAY_TOOLS_DIR ? 'GAMEDAY_TOOLS_DIR' : isCheckout(root) ? '.tools/bin' : 'tools cache';
}

/** The tools folder as a message shows it: ~ for the home folder. @param {string} dir */
export function displayDir(dir) {
  const home = os.homedir();
  return dir === home || dir.startsWith(home + path.sep) ? `~${dir.slice(home.length)}` : dir;
}

/**
 * A pinned Go program. `release`: the version the binary reports when the module's differs
 * (Prometheus' module v0.316.0 is its release 3.16.0); `versionArgs`: how it prints it (default
 * -version); `tags` and `ldflags`: passed to the Go build.
 * @typedef {{ name: string, module: string, version: string, release?: string, package: string, binary: string, envVar: string, versionArgs?: string[], tags?: string, ldflags?: string }} ToolSpec
 */

/** @returns {ToolSpec[]} pinned tools, from package.json "gameday.tools" */
export function pinnedTools() {
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8'));
  return Object.entries(pkg.gameday.tools).map(([name, t]) => ({
    name,
    ...t,
    envVar: `${name.toUpperCase().replace(/-/g, "_")}_BIN`,
  }));
}

/** @param {string} name */
export function pinnedTool(name) {
  const spec = pinnedTools().find((t) => t.name === name);
  if (!spec) throw new Error(`unknown tool ${name}`);
  return spec;
}

/** Parses "v1.7.1", "1.7.1" or text containing it. @param {string} text */
export function parseVersion(text) {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? { major: +m[1], minor: +m[2], patch: +m[3], text: `v${m[1]}.${m[2]}.${m[3]}` } : null;
}

/** The version a tool's binary reports at the pin. @param {ToolSpec} spec */
export function pinnedRelease(spec) {
  return spec.release ?? spec.version;
}

/** Same major, and at least the pinned minor: the range whose CLI and API gameday knows. */
export function isCompatible(found, pinned) {
  const f = parseVersion(found);
  const p = parseVersion(pinned);
  return !!f && !!p && f.major === p.major && f.minor >= p.minor;
}

function run(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15000 });
  } catch {
    return null;
  }
}

/**
 * The version a binary reports. k6 prints it; a go-installed toxiproxy-server prints "git",
 * so the module version recorded in the binary (`go version -m`) is read instead.
 * @param {ToolSpec} spec @param {string} bin
 */
export function binaryVersion(spec, bin) {
  const own = run(bin, spec.versionArgs ?? ['-version']);
  const parsed = own && parseVersion(own);
  if (parsed) return parsed.text;
  const info = run('go', ['version', '-m', bin]);
  const line = info?.split('\n').find((l) => l.trim().startsWith('mod\t') || l.includes(`\t${spec.module}\t`));
  const fromGo = line && parseVersion(line);
  return fromGo ? fromGo.text : null;
}

function onPath(binary) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

/**
 * Finds a usable binary without installing anything:
 * 1. the path named by K6_BIN / TOXIPROXY_BIN (used as given; a version mismatch is reported),
 * 2. <tools>/bin (resolveToolsDir) at the pinned version (stamp file written when installed),
 * 3. a binary on PATH at a compatible version.
 * @param {ToolSpec} spec
 * @returns {{ path: string, version: string | null, source: string } | null}
 */
export function findTool(spec, env = process.env) {
  const fromEnv = env[spec.envVar];
  if (fromEnv) {
    if (!isExecutableFile(fromEnv)) {
      const why = fs.existsSync(fromEnv) ? 'is not an executable file' : 'does not exist';
      throw new SetupError(`${spec.envVar}=${shorten(fromEnv)} ${why}: point it at a ${spec.name} binary, or unset it (gameday then uses ${displayDir(path.join(resolveToolsDir(env), 'bin'))}, or PATH)`);
    }
    return { path: fromEnv, version: binaryVersion(spec, fromEnv), source: spec.envVar };
  }
  const local = path.join(resolveToolsDir(env), 'bin', spec.binary);
  const stamp = `${local}.version`;
  if (fs.existsSync(local) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === spec.version) {
    return { path: local, version: pinnedRelease(spec), source: toolsSource(env) };
  }
  const names = spec.name === 'toxiproxy' ? [spec.binary, 'toxiproxy'] : [spec.binary];
  for (const n of names) {
    const p = onPath(n);
    if (!p) continue;
    const v = binaryVersion(spec, p);
    if (v && isCompatible(v, pinnedRelease(spec))) return { path: p, version: v, source: 'PATH' };
  }
  return null;
}

/** The command that installs the missing tools: the bootstrap in a checkout, doctor --install elsewhere. */
export function installCommand(root = projectRoot) {
  return isCheckout(root) ? 'npm run bootstrap' : 'npx gameday doctor --install';
}

export function goAvailable() {
  return !!run('go', ['version']);
}

/**
 * Installs the pinned version with `go install` (and the spec's build tags and ldflags) into
 * <tools>/bin (resolveToolsDir). Module and build caches live under <tools>/go unless the
 * environment already names them. Two processes installing at once each build into a stage of
 * their own; the rename into bin/ is atomic.
 * @param {ToolSpec} spec
 */
export function installTool(spec, log = console.error, env = process.env) {
  if (!goAvailable()) {
    throw new SetupError(
      `${spec.name} ${spec.version} is needed and Go is not installed to build it.\n` +
        `Either install Go (https://go.dev/doc/install; Debian: apt-get install golang) and run '${installCommand()}',\n` +
        `or install ${spec.name} ${pinnedRelease(spec)} yourself and set ${spec.envVar}=/path/to/${spec.binary} (or put it on PATH).`,
    );
  }
  const toolsDir = resolveToolsDir(env);
  const toolsBin = path.join(toolsDir, 'bin');
  const stage = path.join(toolsDir, 'stage', `${spec.name}-${process.pid}`);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  fs.mkdirSync(toolsBin, { recursive: true });
  const goEnv = {
    ...env,
    GOBIN: stage,
    GOMODCACHE: env.GOMODCACHE || path.join(toolsDir, 'go', 'mod'),
    GOCACHE: env.GOCACHE || path.join(toolsDir, 'go', 'cache'),
    GOFLAGS: [env.GOFLAGS, '-modcacherw'].filter(Boolean).join(' '),
    CGO_ENABLED: '0',
  };
  const flags = [...(spec.tags ? ['-tags', spec.tags] : []), ...(spec.ldflags ? ['-ldflags', spec.ldflags] : [])];
  log(`gameday: go install ${spec.package}@${spec.version} into ${displayDir(toolsBin)} (first time only, a minute or three)`);
  execFileSync('go', ['install', ...flags, `${spec.package}@${spec.version}`], { env: goEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  const built = fs.readdirSync(stage);
  if (built.length !== 1) throw new Error(`go install ${spec.package} produced ${built.join(', ') || 'nothing'}`);
  const target = path.join(toolsBin, spec.binary);
  fs.renameSync(path.join(stage, built[0]), target);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.writeFileSync(`${target}.version`, `${spec.version}\n`);
  return { path: target, version: pinnedRelease(spec), source: toolsSource(env) };
}

/**
 * The binary of a pinned tool, installed on first use (with Go) when none is found.
 * @param {string} name
 */
export function requireTool(name) {
  const spec = pinnedTool(name);
  let found = findTool(spec);
  if (!found) {
    if (!goAvailable()) {
      throw new SetupError(`${name} ${spec.version} is not installed and Go is not there to build it: install Go and run '${installCommand()}' (it installs it into ${displayDir(path.join(resolveToolsDir(), 'bin'))}), or set ${spec.envVar}=/path/to/${spec.binary}.`);
    }
    found = installTool(spec);
  }
  return { ...found, pinned: spec.version, compatible: !!found.version && isCompatible(found.version, pinnedRelease(spec)) };
}

function isExecutableFile(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Absolute path of a Debian-packaged program (nginx, nats-server): the variable `envVar`, then
 * PATH, then `fallbacks` (/usr/sbin is not on every PATH). Throws with the apt-get line to run.
 * @param {{ name: string, envVar: string, fallbacks: readonly string[], pkg?: string }} spec
 * @param {Record<string, string | undefined>} [env]
 * @returns {string}
 */
export function resolveSystemBinary(spec, env = process.env) {
  const explicit = env[spec.envVar];
  if (explicit) {
    if (isExecutableFile(explicit)) return explicit;
    throw new Error(`${spec.envVar}=${explicit} is not an executable file`);
  }
  const onPath = (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, spec.name));
  for (const candidate of [...onPath, ...spec.fallbacks]) if (isExecutableFile(candidate)) return candidate;
  const dirs = [...new Set(spec.fallbacks.map((f) => path.dirname(f)))].join(', ');
  throw new Error(`${spec.name} not found (${spec.envVar}, PATH, ${dirs}): install it with \`apt-get install ${spec.pkg ?? spec.name}\``);
}
