// Helpers for integration tests: run the real CLI, find a run's processes, read evidence.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEMO_DRILL = path.join(ROOT, 'examples/partner-hub/drills/baseline.ts');
/** A drill of test/fixtures/. */
export const fixture = (name: string): string => path.join(ROOT, 'test/fixtures', name);

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the real CLI. `ownGroup`: the CLI leads its own process group, like a job in a terminal,
 * so that `interruptGroup` can send SIGINT to the whole group as Ctrl-C does.
 */
export function startCli(args: string[], env: Record<string, string> = {}, o: { ownGroup?: boolean } = {}): CliRun {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/gameday.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: o.ownGroup ?? false,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Ctrl-C in a terminal: SIGINT to every process of the CLI's group (started with `ownGroup`). */
export function interruptGroup(run: CliRun): void {
  process.kill(-run.child.pid!, 'SIGINT');
}

export async function runCli(args: string[], env: Record<string, string> = {}) {
  const run = startCli(args, env);
  const { code, signal } = await run.exit;
  return { code, signal, stdout: run.stdout(), stderr: run.stderr() };
}

/** Live processes whose environment marks them as started by the gameday process `ownerPid`. */
export function processesOwnedBy(ownerPid: number): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!environ.some((v) => v.startsWith(`GAMEDAY_OWNER=${ownerPid}:`))) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // zombie: already dead
      found.push({ pid: Number(entry), cmdline: fs.readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ') });
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function readJson<T = any>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export interface Sample {
  metric: string;
  value: number;
  time: string;
  tags: Record<string, string>;
}

/** Every Point of a gzipped k6 NDJSON file (small test runs only). */
export function readSamples(file: string): Sample[] {
  const out: Sample[] = [];
  for (const line of gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line);
    if (e.type === 'Point') out.push({ metric: e.metric, value: e.data.value, time: e.data.time, tags: e.data.tags ?? {} });
  }
  return out;
}

export function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', `${prefix}-`));
}

/** go-httpbin (a real third-party HTTP service, from .tools/bin) on a free loopback port, up. */
export async function startGoHttpbin(): Promise<{ child: ChildProcess; baseUrl: string; port: number }> {
  const { requireTool } = await import('../src/platform/toolchain.mjs');
  const { freePort, waitHealthy } = await import('../src/platform/processes.ts');
  const port = await freePort();
  const child = spawn(requireTool('go-httpbin').path, ['-host', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitHealthy(`${baseUrl}/status/200`, 10_000);
  return { child, baseUrl, port };
}

/** A Toxiproxy server of the test's own on a free loopback port (for runs that attach to it with TOXIPROXY_URL). */
export async function startToxiproxyServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { requireTool } = await import('../src/platform/toolchain.mjs');
  const { freePort, waitHealthy } = await import('../src/platform/processes.ts');
  const port = await freePort();
  const child = spawn(requireTool('toxiproxy').path, ['-host', '127.0.0.1', '-port', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/version`, 10_000);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

export async function toxiproxyState(url: string): Promise<Record<string, { name: string; enabled: boolean; toxics: Array<{ name: string }> }>> {
  const res = await fetch(`${url}/proxies`);
  return res.json() as any;
}

/**
 * The reason a component a test needs is missing, or null. Locally a test may skip with that
 * reason; under CI (CI=true) a missing component fails the run instead of a silent skip.
 */
export function needs(component: string, missing: string | null | false | undefined): string | null {
  if (!missing) return null;
  const reason = typeof missing === 'string' ? missing : `${component} is not available`;
  if (process.env.CI) throw new Error(`${component} is missing in CI, where missing means failed: ${reason}`);
  process.stderr.write(`skipping tests that need ${component}: ${reason}\n`);
  return reason;
}
