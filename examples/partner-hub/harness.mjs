// Driving the partner hub from tests and scripts: start a replica as a real child process
// (waits for /healthz), stop or kill it, sign Standard Webhooks deliveries for it.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.mjs');

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null }} HubExit
 * @typedef {{
 *   url: string, port: number, pid: number, logFile: string,
 *   exit: HubExit | null, exited: Promise<HubExit>,
 *   log: () => string,
 *   stop: () => Promise<HubExit>,
 *   kill: () => Promise<HubExit>,
 * }} HubProcess
 */

/**
 * Starts one replica: `node server.mjs` with PORT, DATA_DIR and `env`; stderr goes to `logFile`.
 * Resolves once /healthz answers 200; rejects (with the log) if the process exits first.
 * With `waitHealthy: false` it resolves at once (for a replica expected to refuse to start).
 * @param {{ dataDir: string, env?: Record<string, string>, port?: number, logFile?: string, timeoutMs?: number, waitHealthy?: boolean }} o
 * @returns {Promise<HubProcess>}
 */
export async function startHub(o) {
  const port = o.port ?? (await freePort());
  const logFile = o.logFile ?? path.join(path.dirname(path.resolve(o.dataDir)), `hub-${port}-${Date.now()}.log`);
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, PORT: String(port), DATA_DIR: o.dataDir, ...o.env },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  /** @type {HubProcess} */
  const hub = {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    logFile,
    exit: null,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve((hub.exit = { code, signal })));
      child.once('error', () => resolve((hub.exit ??= { code: null, signal: null })));
    }),
    log: () => {
      try {
        return fs.readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    stop: () => signalAndWait('SIGTERM', 3000),
    kill: () => signalAndWait('SIGKILL', 0),
  };
  async function signalAndWait(signal, graceMs) {
    if (hub.exit) return hub.exit;
    child.kill(signal);
    const timer = graceMs > 0 ? setTimeout(() => child.kill('SIGKILL'), graceMs) : null;
    const exit = await hub.exited;
    if (timer) clearTimeout(timer);
    return exit;
  }
  if (o.waitHealthy === false) return hub;
  const deadline = Date.now() + (o.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (hub.exit) throw new Error(`partner hub exited (${JSON.stringify(hub.exit)}) before it was healthy:\n${hub.log()}`);
    try {
      const res = await fetch(`${hub.url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return hub;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  await hub.kill();
  throw new Error(`partner hub did not answer ${hub.url}/healthz within ${o.timeoutMs ?? 20_000} ms:\n${hub.log()}`);
}

/**
 * Standard Webhooks headers for `body` signed with `secret` ("whsec_<base64>").
 * @param {string} secret @param {{ id: string, body: string, timestamp?: number }} d
 */
export function signWebhook(secret, { id, body, timestamp = Math.floor(Date.now() / 1000) }) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const sig = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${sig}` };
}
