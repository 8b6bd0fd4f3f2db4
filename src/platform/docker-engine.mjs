// The Docker engine the containers driver needs (chaos/containers): is it answering, and if not,
// start Debian's dockerd in the background (root only), wait until its socket answers (bounded),
// and write down why it could not be had, so that the container tests fail with that reason.
// Plain ESM with no dependencies: the bootstrap runs it before `npm ci` has.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { projectRoot } from './toolchain.mjs';

/** git-ignored (.gameday/): dockerd's log and the last bootstrap's verdict on the engine */
export const engineDir = path.join(projectRoot, '.gameday', 'docker');
export const engineLog = path.join(engineDir, 'dockerd.log');
export const engineStatusFile = path.join(engineDir, 'status.json');

/** The unix socket the engine is reached on: DOCKER_HOST=unix://..., else /var/run/docker.sock; null for a TCP DOCKER_HOST. */
export function dockerSocket(env = process.env) {
  const host = env.DOCKER_HOST;
  if (!host) return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : null;
}

/**
 * GET /_ping on the socket. @param {string} socketPath @param {number} timeoutMs
 * @returns {Promise<{ ok: true } | { ok: false, error: string }>}
 */
export function pingDocker(socketPath, timeoutMs = 2000) {
  return pingEngine({ socketPath }, socketPath, timeoutMs);
}

/**
 * GET /_ping on a plain-TCP engine (DOCKER_HOST=tcp://HOST:PORT without TLS).
 * @param {string} dockerHost @param {number} timeoutMs
 */
export function pingDockerTcp(dockerHost, timeoutMs = 2000) {
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return pingEngine({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 2375) }, dockerHost, timeoutMs);
}

/** @param {http.RequestOptions} where @param {string} what @param {number} timeoutMs @returns {Promise<{ ok: true } | { ok: false, error: string }>} */
function pingEngine(where, what, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.get({ ...where, path: '/_ping', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'OK' ? { ok: true } : { ok: false, error: `GET /_ping on ${what}: HTTP ${res.statusCode} ${body.trim().slice(0, 200)}` }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, error: `${what}: ${/** @type {NodeJS.ErrnoException} */ (err).code ?? ''} ${err.message}`.trim() }));
  });
}

function findDockerd() {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'dockerd');
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function writeStatus(status) {
  fs.mkdirSync(engineDir, { recursive: true });
  fs.writeFileSync(engineStatusFile, `${JSON.stringify({ ...status, at: new Date().toISOString() }, null, 2)}\n`);
  return status;
}

/** What the last bootstrap found (null if it never looked). */
export function lastEngineStatus() {
  try {
    return JSON.parse(fs.readFileSync(engineStatusFile, 'utf8'));
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Makes sure a Docker engine answers: nothing to do when it already does; otherwise, as root,
 * starts dockerd detached (its log in .gameday/docker/dockerd.log) and waits up to `timeoutMs`.
 * Never throws: returns why the engine cannot be had, and records it for the tests.
 * (`dockerdArgs`: extra flags, e.g. a second engine's own --data-root and --pidfile to time a start.)
 * @returns {Promise<{ ok: boolean, started: boolean, reason?: string, ms?: number, pid?: number }>}
 */
export async function ensureDockerEngine({ timeoutMs = 30_000, log = console.error, dockerdArgs = /** @type {string[]} */ ([]) } = {}) {
  const socketPath = dockerSocket();
  if (!socketPath) {
    return writeStatus({ ok: false, started: false, reason: `DOCKER_HOST=${process.env.DOCKER_HOST} is not a unix socket: gameday only starts a local engine; make sure that one answers` });
  }
  const first = await pingDocker(socketPath);
  if (first.ok) return writeStatus({ ok: true, started: false });
  const dockerd = findDockerd();
  if (!dockerd) return writeStatus({ ok: false, started: false, reason: `no Docker engine answers (${first.error}) and dockerd is not installed: apt-get install docker.io` });
  if (process.getuid?.() !== 0) return writeStatus({ ok: false, started: false, reason: `no Docker engine answers (${first.error}); starting dockerd needs root: run 'sudo ${dockerd} &' or start the docker service` });

  fs.mkdirSync(engineDir, { recursive: true });
  const out = fs.openSync(engineLog, 'a');
  const started = Date.now();
  log(`gameday bootstrap: starting dockerd (no engine answers on ${socketPath}; log in ${path.relative(projectRoot, engineLog)})`);
  // detached and unreferenced: the engine outlives the bootstrap, as `nohup dockerd &` would
  const child = spawn(dockerd, ['--host', `unix://${socketPath}`, ...dockerdArgs], { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  child.once('error', (err) => (exited = { code: null, signal: null, error: err.message }));
  child.unref();
  let last = first.error;
  while (Date.now() - started < timeoutMs) {
    if (exited) {
      return writeStatus({ ok: false, started: false, reason: `dockerd exited (${JSON.stringify(exited)}) before its socket answered; the end of ${engineLog}:\n${tail(engineLog)}` });
    }
    const ping = await pingDocker(socketPath, 1000);
    if (ping.ok) {
      const ms = Date.now() - started;
      log(`gameday bootstrap: dockerd (pid ${child.pid}) answers after ${ms} ms`);
      return writeStatus({ ok: true, started: true, ms, pid: child.pid });
    }
    last = ping.error;
    await sleep(250);
  }
  return writeStatus({ ok: false, started: false, pid: child.pid, reason: `dockerd (pid ${child.pid}) did not answer on ${socketPath} within ${timeoutMs} ms (last: ${last}); the end of ${engineLog}:\n${tail(engineLog)}` });
}
