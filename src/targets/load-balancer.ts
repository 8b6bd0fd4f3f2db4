// The drill's load balancer: a real nginx in front of the SUT replicas. The config is generated
// for the topology (one upstream server per replica, its zone as a comment), with passive health
// checks (max_fails / fail_timeout), retries on the next replica (proxy_next_upstream), upstream
// keepalive and WebSocket upgrades. Everything nginx writes — pid, logs, temp files — stays in a
// run-owned directory, so it runs as root without touching /etc/nginx or /var.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from '../platform/processes.ts';
import { NEXT_UPSTREAM_CONDITIONS } from '../schema/drill.ts';
import { resolveSystemBinary } from '../platform/toolchain.mjs';
import { sleep } from '../platform/poll.ts';

/** The subset of node's `spawn` used here; the orchestrator may wrap it (owner marker, process group). */
export type SpawnFn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface Upstream {
  port: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the replica's zone: written as a comment (and in the X-Gameday-Upstream log) */
  zone?: string;
  /** e.g. "partner-hub-0": written as a comment */
  name?: string;
}

/** What a drill sets (target.loadBalancer); everything else is fixed below. */
export interface LoadBalancerSettings {
  /** failed attempts within failTimeoutMs that take a server out for failTimeoutMs (passive health check); 0: never; default 1 */
  maxFails: number;
  /** the window and the time out, as run (already time-scaled); nginx counts it in whole seconds (rounded up, at least 1); default 10 000 */
  failTimeoutMs: number;
  /** when a request goes to the next server (proxy_next_upstream); ['off']: never; default error, timeout, http_502, http_503 */
  nextUpstream: readonly string[];
  /** attempts of one request across servers, the first included (proxy_next_upstream_tries); default: the number of upstreams */
  nextUpstreamTries: number;
}

/** nginx's fail_timeout: whole seconds, at least 1. */
export function failTimeoutSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

const CONNECT_TIMEOUT = '1000ms';
const SEND_TIMEOUT = '10000ms';
const READ_TIMEOUT = '10000ms';
const NEXT_UPSTREAM_TIMEOUT = '10000ms';
const KEEPALIVE = 16;
const KEEPALIVE_TIMEOUT = '60000ms';
const WEBSOCKET_PATH = '/ws';
const WEBSOCKET_READ_TIMEOUT = '3600000ms';

export interface NginxConfigInput extends Partial<LoadBalancerSettings> {
  /** the run-owned directory (absolute): config, pid, logs and temp files live below it */
  dir: string;
  listenPort: number;
  upstreams: Upstream[];
  /** a loopback address; default 127.0.0.1 */
  listenHost?: string;
  /** the upstream block's name; default "sut" */
  upstreamName?: string;
  /** what the config is for (comment) */
  service?: string;
}

/** Answered by nginx itself (not proxied): "ok". */
export const LB_HEALTH_PATH = '/.gameday-lb/healthz';
/** Response header naming the upstream(s) that answered. */
export const UPSTREAM_HEADER = 'X-Gameday-Upstream';

export interface LoadBalancerPaths {
  dir: string;
  conf: string;
  pid: string;
  lock: string;
  logs: string;
  errorLog: string;
  accessLog: string;
  stderrLog: string;
  temp: { clientBody: string; proxy: string; fastcgi: string; uwsgi: string; scgi: string };
}

export function loadBalancerPaths(dir: string): LoadBalancerPaths {
  const tmp = path.join(dir, 'tmp');
  const logs = path.join(dir, 'logs');
  return {
    dir,
    conf: path.join(dir, 'nginx.conf'),
    pid: path.join(dir, 'nginx.pid'),
    lock: path.join(dir, 'nginx.lock'),
    logs,
    errorLog: path.join(logs, 'error.log'),
    accessLog: path.join(logs, 'access.log'),
    stderrLog: path.join(logs, 'nginx.stderr.log'),
    temp: {
      clientBody: path.join(tmp, 'client_body'),
      proxy: path.join(tmp, 'proxy'),
      fastcgi: path.join(tmp, 'fastcgi'),
      uwsgi: path.join(tmp, 'uwsgi'),
      scgi: path.join(tmp, 'scgi'),
    },
  };
}

const defaults = (upstreams: number): LoadBalancerSettings => ({
  maxFails: 1,
  failTimeoutMs: 10_000,
  nextUpstream: ['error', 'timeout', 'http_502', 'http_503'],
  nextUpstreamTries: Math.max(1, upstreams),
});

const HOST = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;
const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/;

/** A path inside a quoted nginx string: no quotes, backslashes, variables or line breaks. */
function quotePath(p: string, what: string): string {
  if (!path.isAbsolute(p)) throw new Error(`load balancer: ${what} must be an absolute path, not ${JSON.stringify(p)}`);
  if (/["\\$\r\n;{}]/.test(p) || /[\u0000-\u001f]/.test(p)) throw new Error(`load balancer: ${what} ${JSON.stringify(p)} has characters nginx config cannot hold (quotes, \\, $, ;, braces, control characters)`);
  return `"${p}"`;
}

/** Text for a `#` comment: one line, printable. */
const comment = (text: string): string => text.replace(/[^\x20-\x7e]/g, '?');

function checkInt(value: number, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`load balancer: ${what} must be an integer from ${min} to ${max}, not ${value}`);
  return value;
}

function upstreamLine(u: Upstream, i: number, s: LoadBalancerSettings): string[] {
  const host = u.host ?? '127.0.0.1';
  if (!HOST.test(host)) throw new Error(`load balancer: upstream ${i} host ${JSON.stringify(host)} is not an address or host name`);
  checkInt(u.port, `upstream ${i} port`, 1, 65_535);
  const label = [u.name ?? `upstream ${i}`, u.zone !== undefined ? `zone ${u.zone}` : null].filter(Boolean).join(', ');
  // fail_timeout takes whole seconds
  const params = [`max_fails=${s.maxFails}`, `fail_timeout=${failTimeoutSeconds(checkInt(s.failTimeoutMs, 'failTimeoutMs', 1))}s`];
  return [`        # ${comment(label)}`, `        server ${host}:${u.port} ${params.join(' ')};`];
}

/** The nginx config for `input` (pure). */
export function nginxConfig(input: NginxConfigInput): string {
  const { dir, listenPort, upstreams } = input;
  if (!Array.isArray(upstreams) || upstreams.length === 0) throw new Error('load balancer: at least one upstream server is needed');
  const s: LoadBalancerSettings = { ...defaults(upstreams.length), ...stripUndefined(input) };
  const listenHost = input.listenHost ?? '127.0.0.1';
  if (!LOOPBACK.test(listenHost)) throw new Error(`load balancer: listenHost must be a loopback address, not ${JSON.stringify(listenHost)}`);
  checkInt(listenPort, 'listenPort', 1, 65_535);
  const name = input.upstreamName ?? 'sut';
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`load balancer: upstreamName ${JSON.stringify(name)} may only hold letters, digits, _ and -`);
  checkInt(s.maxFails, 'maxFails', 0, 1000);
  checkInt(s.nextUpstreamTries, 'nextUpstreamTries', 0, 100);
  const unknown = s.nextUpstream.filter((c) => !(NEXT_UPSTREAM_CONDITIONS as readonly string[]).includes(c));
  if (unknown.length || s.nextUpstream.length === 0 || (s.nextUpstream.includes('off') && s.nextUpstream.length > 1)) {
    throw new Error(`load balancer: nextUpstream ${JSON.stringify(s.nextUpstream)}: use ${NEXT_UPSTREAM_CONDITIONS.join(', ')} (off alone)`);
  }
  // the workers run as root when nginx is started by root (the run directory is root's)
  const user = process.getuid?.() === 0 ? 'root' : null;
  const p = loadBalancerPaths(path.resolve(dir));
  quotePath(dir, 'dir');

  const proxyCommon = [
    `            proxy_pass http://${name};`,
    '            proxy_http_version 1.1;',
    // "upgrade" for a WebSocket handshake, an empty Connection otherwise (keeps upstream keepalive)
    '            proxy_set_header Upgrade $http_upgrade;',
    '            proxy_set_header Connection $connection_upgrade;',
    '            proxy_set_header Host $host;',
    '            proxy_set_header X-Real-IP $remote_addr;',
    '            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '            proxy_set_header X-Forwarded-Proto $scheme;',
    // when the request goes to the next replica (by default a refused connection, a timeout, 502
    // or 503; a POST already sent to a replica is not replayed unless non_idempotent is named)
    `            proxy_next_upstream ${s.nextUpstream.join(' ')};`,
    `            proxy_next_upstream_tries ${s.nextUpstreamTries};`,
    `            proxy_next_upstream_timeout ${NEXT_UPSTREAM_TIMEOUT};`,
    `            proxy_connect_timeout ${CONNECT_TIMEOUT};`,
    `            proxy_send_timeout ${SEND_TIMEOUT};`,
    `            add_header ${UPSTREAM_HEADER} $upstream_addr always;`,
  ];
  const lines = [
    `# generated by gameday: load balancer${input.service ? ` for ${comment(input.service)}` : ''}`,
    `# every path below is inside the run directory ${comment(p.dir)}`,
    ...(user ? [`user ${user};`] : []),
    'worker_processes 1;',
    `pid ${quotePath(p.pid, 'pid file')};`,
    `lock_file ${quotePath(p.lock, 'lock file')};`,
    `error_log ${quotePath(p.errorLog, 'error log')} warn;`,
    '',
    'events {',
    '    worker_connections 1024;',
    '}',
    '',
    'http {',
    "    log_format gameday '$time_iso8601 $remote_addr \"$request\" $status $body_bytes_sent $request_time '",
    "                       'upstream=$upstream_addr upstream_status=$upstream_status upstream_time=$upstream_response_time '",
    // "-" where no response header came back: the status is nginx's own, not the replica's
    "                       'upstream_header_time=$upstream_header_time '",
    // the connection number and the time in ms join a line to nginx's error log and to the timeline (src/judge/attribution.ts)
    "                       'conn=$connection msec=$msec';",
    `    access_log ${quotePath(p.accessLog, 'access log')} gameday;`,
    `    client_body_temp_path ${quotePath(p.temp.clientBody, 'temp path')};`,
    `    proxy_temp_path ${quotePath(p.temp.proxy, 'temp path')};`,
    `    fastcgi_temp_path ${quotePath(p.temp.fastcgi, 'temp path')};`,
    `    uwsgi_temp_path ${quotePath(p.temp.uwsgi, 'temp path')};`,
    `    scgi_temp_path ${quotePath(p.temp.scgi, 'temp path')};`,
    '    server_tokens off;',
    '    client_max_body_size 2m;',
    '',
    '    map $http_upgrade $connection_upgrade {',
    '        default upgrade;',
    "        ''      '';",
    '    }',
    '',
    `    upstream ${name} {`,
    ...upstreams.flatMap((u, i) => upstreamLine(u, i, s)),
    `        keepalive ${KEEPALIVE};`,
    `        keepalive_timeout ${KEEPALIVE_TIMEOUT};`,
    '    }',
    '',
    '    server {',
    `        listen ${listenHost}:${listenPort};`,
    '',
    `        location = ${LB_HEALTH_PATH} {`,
    '            access_log off;',
    '            default_type text/plain;',
    '            return 200 "ok\\n";',
    '        }',
    '',
    `        location = ${WEBSOCKET_PATH} {`,
    ...proxyCommon,
    `            proxy_read_timeout ${WEBSOCKET_READ_TIMEOUT};`,
    '        }',
    '',
    '        location / {',
    ...proxyCommon,
    `            proxy_read_timeout ${READ_TIMEOUT};`,
    '        }',
    '    }',
    '}',
    '',
  ];
  return lines.join('\n');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const NGINX_LOCATIONS = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx'];

/** Absolute path of nginx: NGINX_BIN, then PATH, then /usr/sbin (Debian) and friends. */
export function resolveNginx(env: Record<string, string | undefined> = process.env, fallbacks: readonly string[] = NGINX_LOCATIONS): string {
  return resolveSystemBinary({ name: 'nginx', envVar: 'NGINX_BIN', fallbacks }, env);
}

export interface StartLoadBalancerOptions extends Omit<NginxConfigInput, 'listenPort'> {
  /** listen port; default a free loopback port (retried if another process takes it first) */
  port?: number;
  /** extra environment (e.g. GAMEDAY_OWNER, GAMEDAY_RUN_ID for the cleanup sweep): see startLoadBalancer */
  env?: Record<string, string>;
  /** defaults to node's child_process.spawn; it must keep the `stdio` it is given (stdin is the owner pipe) */
  spawn?: SpawnFn;
  /** nginx binary; default resolveNginx() */
  bin?: string;
  /** how long to wait for nginx to answer; default 15 s */
  readyTimeoutMs?: number;
}

export interface LoadBalancer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly paths: LoadBalancerPaths;
  /** the nginx master process (its workers are in its process group) */
  readonly pid: number;
  /** the node supervisor that started nginx and carries the owner marker in its environment */
  readonly supervisorPid: number;
  readonly upstreams: Upstream[];
  /** Stops nginx (SIGTERM: fast shutdown; SIGKILL to its whole process group after a grace period). Idempotent. */
  stop(): Promise<void>;
}

/**
 * A small supervisor between the run and nginx. nginx rewrites its process title over its
 * environment (setproctitle), so GAMEDAY_OWNER cannot be read from /proc/PID/environ of the
 * master or the workers, and workers outlive a SIGKILLed master. The supervisor keeps the
 * marker readable, runs nginx in its own process group, forwards SIGQUIT/SIGUSR1/SIGUSR2,
 * stops nginx on SIGTERM/SIGINT, and — when its stdin (a pipe from the run) closes because the
 * run died — stops nginx itself; after a grace period the whole process group gets SIGKILL.
 */
const SUPERVISOR = `
const { spawn } = require('node:child_process');
const [bin, ...args] = process.argv.slice(1);
const GRACE_MS = 3000;
const nginx = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
const killGroup = (signal) => { try { process.kill(-nginx.pid, signal); } catch {} };
let ending = false;
function end() {
  if (ending) return;
  ending = true;
  try { nginx.kill('SIGTERM'); } catch {}
  setTimeout(() => { killGroup('SIGKILL'); process.exit(1); }, GRACE_MS).unref();
}
for (const s of ['SIGQUIT', 'SIGUSR1', 'SIGUSR2']) process.on(s, () => { try { nginx.kill(s); } catch {} });
process.on('SIGTERM', end);
process.on('SIGINT', end);
process.stdin.on('end', end);
process.stdin.on('error', end);
process.stdin.resume();
nginx.on('error', (err) => { console.error('gameday load balancer: cannot start ' + bin + ': ' + err.message); process.exit(127); });
nginx.on('exit', (code, signal) => { killGroup('SIGKILL'); process.exit(code ?? (signal ? 128 : 1)); });
`;

/** One GET on a fresh connection. */
function probe(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}


function tail(file: string, bytes = 2000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes).trim();
  } catch {
    return '';
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
}

/** SIGKILL to the nginx processes (master, workers) of process group `pgid`, read from /proc: never another program's group. */
function killGroup(pgid: number): void {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === pgid && comm === 'nginx') process.kill(Number(entry), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function prepareDir(p: LoadBalancerPaths): void {
  for (const d of [p.dir, p.logs, ...Object.values(p.temp)]) fs.mkdirSync(d, { recursive: true });
}

/**
 * Starts nginx in front of `upstreams`: `nginx -p DIR/ -c DIR/nginx.conf -e DIR/logs/error.log -g 'daemon off;'`
 * listening on 127.0.0.1:PORT, under a node supervisor (see SUPERVISOR) whose environment carries
 * `env` — give it GAMEDAY_OWNER and GAMEDAY_RUN_ID and the cleanup sweep finds it; when the run
 * dies, the supervisor takes nginx down with it. Resolves once nginx answers its own health endpoint.
 */
export async function startLoadBalancer(opts: StartLoadBalancerOptions): Promise<LoadBalancer> {
  const spawn = opts.spawn ?? nodeSpawn;
  const bin = opts.bin ?? resolveNginx();
  const readyTimeoutMs = opts.readyTimeoutMs ?? 15_000;
  const dir = path.resolve(opts.dir);
  const p = loadBalancerPaths(dir);
  prepareDir(p);
  const env = { ...process.env, ...opts.env };
  const configInput = (port: number): NginxConfigInput => {
    const { port: _port, env: _env, spawn: _spawn, bin: _bin, readyTimeoutMs: _ready, ...rest } = opts;
    return { ...rest, dir, listenPort: port };
  };

  let lastProblem = '';
  for (let attempt = 1; attempt <= (opts.port ? 1 : 3); attempt++) {
    const port = opts.port ?? (await freePort());
    fs.writeFileSync(p.conf, nginxConfig(configInput(port)));
    fs.rmSync(p.pid, { force: true });
    const logFd = fs.openSync(p.stderrLog, 'a');
    let supervisor: ChildProcess;
    try {
      supervisor = spawn(process.execPath, ['-e', SUPERVISOR, '--', bin, '-p', `${dir}/`, '-c', p.conf, '-e', p.errorLog, '-g', 'daemon off;'], {
        stdio: ['pipe', logFd, logFd],
        env,
      });
    } finally {
      fs.closeSync(logFd);
    }
    // the owner pipe: never written, closed by the kernel when this process dies
    supervisor.stdin?.on('error', () => undefined);
    const exited = exitOf(supervisor);
    const seen: { exit: Exit | null } = { exit: null };
    void exited.then((e) => (seen.exit = e));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + readyTimeoutMs;
    let master: number | null = null;
    while (Date.now() < deadline && !seen.exit) {
      try {
        const r = await probe(`${url}${LB_HEALTH_PATH}`, 1000);
        master = readPid(p.pid);
        if (r.status === 200 && r.body.startsWith('ok') && master !== null) break;
      } catch {
        /* not listening yet */
      }
      master = null;
      await sleep(50);
    }
    if (master !== null && !seen.exit && supervisor.pid !== undefined) return handle(supervisor, exited, master, port, url);
    if (!seen.exit) {
      const stray = readPid(p.pid);
      supervisor.kill('SIGKILL');
      if (stray !== null) killGroup(stray);
      await exited;
      throw new Error(`nginx did not answer ${url}${LB_HEALTH_PATH} within ${readyTimeoutMs} ms; error log: ${tail(p.errorLog) || '(empty)'}`);
    }
    lastProblem = `${tail(p.stderrLog)}\n${tail(p.errorLog)}`.trim() || `exit ${JSON.stringify(seen.exit)}`;
    if (!/Address already in use/i.test(lastProblem)) break;
  }
  throw new Error(`nginx (load balancer) failed to start: ${lastProblem}`);

  function handle(supervisor: ChildProcess, exited: Promise<Exit>, master: number, port: number, url: string): LoadBalancer {
    let stopping: Promise<void> | null = null;
    const running = () => supervisor.exitCode === null && supervisor.signalCode === null;
    return {
      url,
      port,
      dir,
      paths: p,
      pid: master,
      supervisorPid: supervisor.pid!,
      upstreams: [...opts.upstreams],
      stop() {
        stopping ??= (async () => {
          if (running()) {
            supervisor.kill('SIGTERM'); // the supervisor asks nginx for a fast shutdown
            const timer = setTimeout(() => {
              killGroup(master);
              supervisor.kill('SIGKILL');
            }, 6000);
            await exited;
            clearTimeout(timer);
          }
          killGroup(master); // workers of a master that died some other way
        })();
        return stopping;
      },
    };
  }
}
