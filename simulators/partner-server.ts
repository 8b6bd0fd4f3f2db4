// Partner simulators over real HTTP (node:http on 127.0.0.1): every request is answered with
// the behaviour its route shows at that moment — socket faults done on the real socket — and
// journaled when the exchange ends. The control API lives under /__gameday/ of the same server.
//
// startPartnerServer: one partner at the root of its own server (what a drill starts).
// startSimulatorServer: several partners on one port, each under /<name> (gameday simulate).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { PlannedPartner } from './behaviour.ts';
import { CONTROL_PREFIX, controlRequest, type ControlTarget } from './control.ts';
import { WATCHED_HEADERS, type Answer, type RequestFacts } from './decide.ts';
import { exchangeEntry, type Outcome } from './exchange.ts';
import type { Journal } from './journal.ts';
import { PartnerRuntime, type RuntimeOptions } from './runtime.ts';

export interface ServerOptions {
  /** default 0: a free port */
  port?: number;
  /** listen address, default 127.0.0.1 (0.0.0.0 inside a container of a containers drill) */
  host?: string;
  /** clock and randomness of the decisions (tests) */
  runtime?: RuntimeOptions;
  /** request bodies above this are answered 413 (default 1 MiB) */
  maxBodyBytes?: number;
}

export interface PartnerServer {
  name: string;
  url: string;
  /** the control API of this server: `${url}/__gameday` */
  controlUrl: string;
  runtime: PartnerRuntime;
  /** sets t = 0 of the partner's timeline (wall-clock epoch ms) */
  startTimeline(t0: number): void;
  close(): Promise<void>;
}

export interface SimulatorServer {
  url: string;
  controlUrl: string;
  partners: Array<{ name: string; url: string; runtime: PartnerRuntime }>;
  startTimeline(t0: number): void;
  close(): Promise<void>;
}

const NO_BODY = new Uint8Array(0);

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

interface ScannedHeaders {
  /** the watched headers by lower-case name (the first of repeated ones) */
  values: Record<string, string>;
  hasBody: boolean;
}

const WATCHED = new Set<string>(WATCHED_HEADERS);
const WATCHED_LENGTHS = new Set<number>(WATCHED_HEADERS.map((h) => h.length));

/**
 * One pass over the raw headers for the few the simulator reads, instead of node building the
 * whole `req.headers` object on every request.
 */
function scanHeaders(raw: string[]): ScannedHeaders {
  const values: Record<string, string> = {};
  let hasBody = false;
  for (let i = 0; i < raw.length; i += 2) {
    const len = raw[i].length;
    if (len === 14 || len === 17) {
      const name = raw[i].toLowerCase();
      if (name === 'content-length') hasBody ||= raw[i + 1].trim() !== '0';
      else if (name === 'transfer-encoding') hasBody = true;
      else if (WATCHED.has(name) && values[name] === undefined) values[name] = raw[i + 1];
    } else if (WATCHED_LENGTHS.has(len)) {
      const name = raw[i].toLowerCase();
      if (WATCHED.has(name) && values[name] === undefined) values[name] = raw[i + 1];
    }
  }
  return { values, hasBody };
}

/** Reads a request body up to `max` bytes; null when it is larger. */
function readBody(req: http.IncomingMessage, max: number, done: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > max) over = true;
    else chunks.push(c);
  });
  req.on('end', () => done(over ? null : Buffer.concat(chunks)));
  req.on('error', () => {});
}

/**
 * Plays an answer on the real socket and calls `done` once with how the exchange ended. Until it
 * has, the client going away ends it as "client-closed" (or "hang" for a hang).
 */
export function playAnswer(req: http.IncomingMessage, res: http.ServerResponse, answer: Answer, done: (outcome: Outcome) => void): void {
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const finish = (outcome: Outcome) => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    done(outcome);
  };
  const act = () => {
    switch (answer.type) {
      case 'respond':
        res.writeHead(answer.status, answer.headers).end(answer.body);
        return finish('answered');
      case 'hang':
        return; // until the client or the server closes the connection
      case 'reset':
        req.socket.resetAndDestroy(); // RST, not FIN: the client sees ECONNRESET
        return finish('reset');
      case 'close-mid-body': {
        res.writeHead(answer.status, answer.headers);
        res.flushHeaders();
        const destroy = () => {
          req.socket.destroy();
          finish('closed-mid-body');
        };
        if (answer.sendBytes > 0) res.write(answer.body.subarray(0, answer.sendBytes), destroy);
        else setImmediate(destroy);
        return;
      }
      case 'truncated':
        // Content-Length says the whole body; `connection: close` ends the connection after the part
        res.writeHead(answer.status, answer.headers).end(answer.sendBytes > 0 ? answer.body.subarray(0, answer.sendBytes) : NO_BODY);
        return finish('truncated');
      case 'slow-dribble': {
        res.writeHead(answer.status, answer.headers);
        res.flushHeaders();
        let offset = 0;
        const next = () => {
          const end = Math.min(answer.body.byteLength, offset + answer.chunkBytes);
          const chunk = answer.body.subarray(offset, end);
          offset = end;
          if (offset >= answer.body.byteLength) {
            res.end(chunk);
            return finish('dribbled');
          }
          res.write(chunk);
          timer = setTimeout(next, answer.intervalMs);
        };
        timer = setTimeout(next, answer.intervalMs);
        return;
      }
    }
  };
  const watch = answer.type === 'hang' || answer.type === 'slow-dribble' || answer.delayMs > 0;
  if (watch) res.once('close', () => finish(answer.type === 'hang' ? 'hang' : 'client-closed'));
  if (answer.type !== 'hang' && answer.delayMs > 0) timer = setTimeout(act, answer.delayMs);
  else act();
}


function reader(headers: Record<string, string>): (name: string) => string | undefined {
  return (name) => headers[name];
}

interface Mount {
  name: string;
  /** "" for the root, "/acme" under a prefix */
  prefix: string;
  runtime: PartnerRuntime;
}

function createSimulator(mounts: Mount[], journal: Journal, opts: ServerOptions) {
  const maxBody = opts.maxBodyBytes ?? 1 << 20;
  const control = new Map<string, ControlTarget>();
  let inflight = 0;
  let drained: (() => void) | null = null;
  const root = mounts.length === 1 && mounts[0].prefix === '' ? mounts[0] : null;

  const serve = (req: http.IncomingMessage, res: http.ServerResponse, mount: Mount, path: string, time: number, mono: number, headers: Record<string, string>, body: Buffer | null) => {
    const facts: RequestFacts = { method: req.method ?? 'GET', path, header: reader(headers), remoteAddress: req.socket.remoteAddress ?? null };
    const bodyHash = body && body.length ? createHash('sha256').update(body).digest('hex') : null;
    const d = mount.runtime.decide(facts);
    if (!d) {
      sendJson(res, 404, { error: `partner "${mount.name}" has no route for ${facts.method} ${path}` });
      journal.record(exchangeEntry(mount.name, facts, null, { time, mono, durationMs: performance.now() - mono }, 'no-route', bodyHash));
      return;
    }
    const a = d.answer;
    if (a.type === 'respond' && a.delayMs === 0) {
      // the common case, without timers or listeners
      res.writeHead(a.status, a.headers).end(a.body);
      journal.record(exchangeEntry(mount.name, facts, d, { time, mono, durationMs: performance.now() - mono }, 'answered', bodyHash));
      return;
    }
    inflight++;
    playAnswer(req, res, d.answer, (outcome) => {
      journal.record(exchangeEntry(mount.name, facts, d, { time, mono, durationMs: performance.now() - mono }, outcome, bodyHash));
      if (--inflight === 0 && drained) drained();
    });
  };

  const onControl = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    readBody(req, 64 * 1024, (body) => {
      if (body === null) return sendJson(res, 413, { error: 'a control request body is at most 64 KiB' });
      const r = controlRequest(control, req.method ?? 'GET', path, body.toString('utf8'));
      sendJson(res, r.status, r.body);
    });
  };

  const server = http.createServer((req, res) => {
    const time = Date.now();
    const mono = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const fullPath = q < 0 ? url : url.slice(0, q);
    if (fullPath === CONTROL_PREFIX || fullPath.startsWith(`${CONTROL_PREFIX}/`)) return onControl(req, res, fullPath);
    let mount = root;
    let path = fullPath;
    if (!mount) {
      for (const m of mounts) {
        if (fullPath === m.prefix || fullPath.startsWith(`${m.prefix}/`)) {
          mount = m;
          path = fullPath.slice(m.prefix.length) || '/';
          break;
        }
      }
      if (!mount) {
        req.resume();
        return sendJson(res, 404, { error: `no partner at ${fullPath}: partners are at ${mounts.map((m) => `${m.prefix}/`).join(', ')}` });
      }
    }
    const m = mount;
    const scanned = scanHeaders(req.rawHeaders);
    if (!scanned.hasBody) return serve(req, res, m, path, time, mono, scanned.values, null);
    readBody(req, maxBody, (body) => {
      if (body === null) return sendJson(res, 413, { error: `request bodies are at most ${maxBody} bytes` });
      serve(req, res, m, path, time, mono, scanned.values, body);
    });
  });
  server.keepAliveTimeout = 5000;

  return {
    server,
    control,
    async listen(): Promise<string> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      const host = !opts.host || opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
      return `http://${host}:${(server.address() as AddressInfo).port}`;
    },
    /** closes every connection (hanging ones too) and waits until their exchanges are journaled */
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      if (inflight > 0) {
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      }
    },
  };
}

export async function startPartnerServer(partner: PlannedPartner, journal: Journal, opts: ServerOptions = {}): Promise<PartnerServer> {
  const runtime = new PartnerRuntime(partner, opts.runtime);
  const sim = createSimulator([{ name: partner.name, prefix: '', runtime }], journal, opts);
  const url = await sim.listen();
  sim.control.set(partner.name, { runtime, url });
  return {
    name: partner.name,
    url,
    controlUrl: `${url}${CONTROL_PREFIX}`,
    runtime,
    startTimeline: (t0) => runtime.startTimeline(t0),
    close: sim.close,
  };
}

export async function startSimulatorServer(partners: PlannedPartner[], journal: Journal, opts: ServerOptions = {}): Promise<SimulatorServer> {
  const mounts = partners.map((p) => ({ name: p.name, prefix: `/${p.name}`, runtime: new PartnerRuntime(p, opts.runtime) }));
  const sim = createSimulator(mounts, journal, opts);
  const url = await sim.listen();
  const list = mounts.map((m) => ({ name: m.name, url: `${url}${m.prefix}`, runtime: m.runtime }));
  for (const p of list) sim.control.set(p.name, { runtime: p.runtime, url: p.url });
  return {
    url,
    controlUrl: `${url}${CONTROL_PREFIX}`,
    partners: list,
    startTimeline: (t0) => mounts.forEach((m) => m.runtime.startTimeline(t0)),
    close: sim.close,
  };
}
