#!/usr/bin/env node
// Makes a fresh clone ready: npm dependencies, then k6, Toxiproxy, go-httpbin and Prometheus at their
// pinned versions (package.json "gameday.tools", built with Go), the Debian packages tests use, and a
// running Docker engine (started here when none answers). Runs before `npm test` and `npm run
// demo`; a second run does nothing.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDockerEngine } from '../src/platform/docker-engine.mjs';
import { findTool, installTool, pinnedRelease, pinnedTools, projectRoot, toolsSource } from '../src/platform/toolchain.mjs';

function ensureNodeModules() {
  const lock = path.join(projectRoot, 'package-lock.json');
  const stamp = path.join(projectRoot, 'node_modules', '.gameday-lock.sha256');
  const want = createHash('sha256').update(fs.readFileSync(lock)).digest('hex');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want) return;
  console.error('gameday bootstrap: npm ci (node_modules missing or older than package-lock.json)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: projectRoot, stdio: 'inherit' });
  fs.writeFileSync(stamp, `${want}\n`);
}

function ensureTools() {
  for (const spec of pinnedTools()) {
    const found = findTool(spec) ?? installTool(spec);
    if (found.source !== toolsSource() && found.version !== pinnedRelease(spec)) {
      console.error(`gameday bootstrap: using ${spec.name} ${found.version ?? '(unknown version)'} from ${found.source} (${found.path}); pinned is ${pinnedRelease(spec)}`);
    }
  }
}

/** Debian packages the integration tests and drills use, by the command each provides. */
const DEBIAN_PACKAGES = [
  { command: 'nats-server', pkg: 'nats-server', why: 'the broker-failover fault (3-node JetStream cluster)' },
  { command: 'chromium', pkg: 'chromium', why: 'rendering the HTML report in tests' },
  { command: 'nginx', pkg: 'nginx', why: "the demo's load balancer across replicas and zones (src/targets/load-balancer.ts)" },
  { command: 'redis-server', pkg: 'redis-server', why: 'the Redis-with-Sentinel store and its failover fault (chaos/store)' },
  { command: 'java', pkg: 'default-jre-headless', why: 'the Kafka (KRaft) store: its brokers and gameday\'s Kafka client program run on it (chaos/store/kafka-*.ts)' },
  { command: 'mvn', pkg: 'maven', why: 'fetching the pinned Kafka jars from Maven Central the first time a Kafka test or drill needs them (scripts/kafka/pom.xml)' },
  { command: 'openssl', pkg: 'openssl', why: "the local Kubernetes API server's certificates in the kubernetes tests (test/support/kube-cluster.ts)" },
  { command: 'dockerd', pkg: 'docker.io', why: 'the containers driver (chaos/containers): replicas and Toxiproxy as containers' },
];

function onPath(command) {
  // Debian installs daemons (nginx, nats-server) in /usr/sbin, which a non-root PATH may lack
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  return dirs.some((dir) => fs.existsSync(path.join(dir, command)));
}

function ensureDebianPackages() {
  const missing = DEBIAN_PACKAGES.filter((p) => !onPath(p.command));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.pkg);
  const canApt = process.getuid?.() === 0 && onPath('apt-get');
  if (!canApt) {
    console.error(`gameday bootstrap: missing ${names.join(', ')} (${missing.map((p) => p.why).join('; ')}): install with 'sudo apt-get install ${names.join(' ')}'`);
    return;
  }
  console.error(`gameday bootstrap: apt-get install ${names.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

function ensureKube() {
  const script = path.join(projectRoot, 'scripts/build-kube.sh');
  const out = execFileSync('bash', [script, '--print-dir'], { encoding: 'utf8' }).trim();
  if (fs.existsSync(path.join(out, 'done'))) return;
  const log = `${out}.build.log`;
  console.error(`gameday bootstrap: building the Kubernetes control plane for the kubernetes tests into ${path.relative(projectRoot, out)} (about 7 minutes on 2 cores the first time; cached after; log ${path.relative(projectRoot, log)})`);
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const fd = fs.openSync(log, 'w');
  try {
    execFileSync('bash', [script], { stdio: ['ignore', fd, fd] });
  } catch {
    const tail = fs.readFileSync(log, 'utf8').trim().split('\n').slice(-20).join('\n');
    throw new Error(`scripts/build-kube.sh failed (the whole log: ${log}):\n${tail}`);
  } finally {
    fs.closeSync(fd);
  }
}

try {
  ensureNodeModules();
  ensureTools();
  if (!process.env.GAMEDAY_SKIP_SYSTEM_PACKAGES) ensureDebianPackages();
  // --kube (the tests' bootstrap): kube-apiserver, controller manager, scheduler, kubectl, etcd and
  // kwok built from the Go module proxy for the kubernetes tests; not needed by `npm run demo`
  if (process.argv.includes('--kube')) ensureKube();
} catch (err) {
  console.error(`gameday bootstrap failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}

// not fatal: only the container tests and drills need the engine; they fail with this reason
const engine = await ensureDockerEngine();
if (!engine.ok) console.error(`gameday bootstrap: no Docker engine, the containers driver cannot run: ${engine.reason}`);
