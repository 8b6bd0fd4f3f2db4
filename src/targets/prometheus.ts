// A real Prometheus (the pinned release, built from the Go module proxy into the tools folder on
// first use: src/platform/toolchain.mjs) run by gameday for a drill (`telemetry.prometheus:
// { managed: true }`) and by the tests: it listens on 127.0.0.1 on a free port, scrapes the given
// targets at a short interval from a generated config, keeps its TSDB in a run-owned directory, and
// is stopped after. Prometheus ≥ 3.12 hands its first targets to the scrapers within a tenth of a
// second when the scrape manager's reload interval is short (2.x: a fixed 5-s discovery tick, so
// every managed-Prometheus drill waited ~6 s for its first scrape). Also the small HTTP client the
// SLOs, probes and guards use to ask any Prometheus (managed or the team's own) a PromQL question.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor, WaitTimeoutError } from '../platform/poll.ts';
import { freePort } from '../platform/processes.ts';
import { parseVersion, requireTool } from '../platform/toolchain.mjs';

export interface ScrapeTarget {
  /** host:port, e.g. 127.0.0.1:4101 */
  address: string;
  /** default /metrics */
  metricsPath?: string;
  /** extra target labels, e.g. { replica: 'partner-hub-0' } */
  labels?: Record<string, string>;
}

export interface PrometheusConfigInput {
  targets: ScrapeTarget[];
  /** default 1000 ms (Prometheus' smallest useful interval for a short drill) */
  scrapeIntervalMs?: number;
  /** default the job name "gameday" */
  job?: string;
  /**
   * the Prometheus major version: from 3 on, a target answering without a Content-Type is read as
   * Prometheus text 0.0.4 (`fallback_scrape_protocol`) instead of failing; 2.x does not know the key
   */
  major?: number;
}

/**
 * The prometheus.yml for `targets` (JSON is YAML): one job, one static_config per metrics path
 * and label set, scraped every scrapeIntervalMs, evaluation at the same interval.
 */
export function prometheusConfig(input: PrometheusConfigInput): string {
  const interval = `${Math.max(100, Math.round(input.scrapeIntervalMs ?? 1000))}ms`;
  const byPath = new Map<string, ScrapeTarget[]>();
  for (const t of input.targets) {
    const p = t.metricsPath ?? '/metrics';
    byPath.set(p, [...(byPath.get(p) ?? []), t]);
  }
  const job = input.job ?? 'gameday';
  const scrape_configs = [...byPath].map(([metricsPath, targets], i) => ({
    job_name: byPath.size === 1 ? job : `${job}-${i}`,
    metrics_path: metricsPath,
    scrape_interval: interval,
    scrape_timeout: interval,
    ...((input.major ?? 3) >= 3 ? { fallback_scrape_protocol: 'PrometheusText0.0.4' } : {}),
    static_configs: targets.map((t) => ({ targets: [t.address], labels: t.labels ?? {} })),
  }));
  return `${JSON.stringify({ global: { scrape_interval: interval, evaluation_interval: interval }, scrape_configs }, null, 2)}\n`;
}

/**
 * The prometheus binary and its major version: PROMETHEUS_BIN, else the pinned release in the
 * tools folder (built on first use), else a compatible one on PATH (requireTool).
 */
export function resolvePrometheus(): { path: string; major: number | undefined } {
  const tool = requireTool('prometheus');
  return { path: tool.path, major: tool.version ? parseVersion(tool.version)?.major : undefined };
}

export interface StartPrometheusOptions extends PrometheusConfigInput {
  /** run-owned directory for prometheus.yml, the TSDB and the log */
  dir: string;
  /** extra environment (GAMEDAY_OWNER, GAMEDAY_RUN_ID for the cleanup sweep) */
  env?: Record<string, string>;
  /** default resolvePrometheus() */
  bin?: { path: string; major: number | undefined };
  /** default 20 s */
  readyTimeoutMs?: number;
}

export interface ManagedPrometheus {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  /** waits until every target has been scraped successfully at least once */
  waitForTargets(timeoutMs?: number): Promise<void>;
  /**
   * true once every target's last scrape began at or after `epochMs` — so every sample before
   * that moment is stored (a target's scrapes run one after another) — false after `timeoutMs`
   */
  waitScrapedSince(epochMs: number, timeoutMs: number): Promise<boolean>;
  /** SIGTERM, SIGKILL after 5 s; idempotent */
  stop(): Promise<void>;
}

/** Starts Prometheus on 127.0.0.1 scraping `targets`; resolves once /-/ready answers 200. */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<ManagedPrometheus> {
  const bin = opts.bin ?? resolvePrometheus();
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const conf = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(conf, prometheusConfig({ ...opts, major: bin.major }));
  const logPath = path.join(dir, 'prometheus.log');
  let lastProblem = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const logFd = fs.openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        bin.path,
        [
          `--config.file=${conf}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--storage.tsdb.retention.time=1d',
          '--log.level=warn',
          // the scrape manager takes new targets at once (Prometheus' hidden flag; 5 s by default)
          '--scrape.discovery-reload-interval=100ms',
        ],
        { stdio: ['ignore', logFd, logFd], env: { ...process.env, ...opts.env } },
      );
    } finally {
      fs.closeSync(logFd);
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
    while (Date.now() < deadline && !gone) {
      try {
        const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        if (r.status === 200) return handle(child, exited, port, url);
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!gone) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`prometheus did not answer ${url}/-/ready within ${opts.readyTimeoutMs ?? 20_000} ms; log ${logPath}: ${tail(logPath)}`);
    }
    lastProblem = tail(logPath);
    if (!/address already in use/i.test(lastProblem)) break;
  }
  throw new Error(`prometheus failed to start (log ${logPath}): ${lastProblem}`);

  function handle(child: ChildProcess, exited: Promise<void>, port: number, url: string): ManagedPrometheus {
    let stopping: Promise<void> | null = null;
    return {
      url,
      port,
      dir,
      pid: child.pid!,
      async waitForTargets(timeoutMs = 15_000) {
        const deadline = Date.now() + timeoutMs;
        let last = '';
        while (Date.now() < deadline) {
          const r = await fetch(`${url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(2000) }).then((x) => x.json() as Promise<TargetsAnswer>);
          const active = r.data?.activeTargets ?? [];
          if (active.length >= opts.targets.length && active.every((t) => t.health === 'up')) return;
          last = active.map((t) => `${t.scrapeUrl} ${t.health}${t.lastError ? ` (${t.lastError})` : ''}`).join('; ');
          await new Promise((res) => setTimeout(res, 200));
        }
        throw new Error(`prometheus ${url} did not scrape every target within ${timeoutMs} ms: ${last || 'no targets'}`);
      },
      async waitScrapedSince(epochMs, timeoutMs) {
        const scraped = async () => {
          const r = await fetch(`${url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(1000) })
            .then((x) => x.json() as Promise<TargetsAnswer>)
            .catch(() => null);
          const active = r?.data?.activeTargets ?? [];
          return active.length >= opts.targets.length && active.every((t) => t.lastScrape !== undefined && Date.parse(t.lastScrape) >= epochMs);
        };
        return waitFor(scraped, { timeoutMs, intervalMs: 50, what: 'a scrape of every target' }).catch((err) => {
          if (err instanceof WaitTimeoutError) return false;
          throw err;
        });
      },
      stop() {
        stopping ??= (async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        })();
        return stopping;
      },
    };
  }
}

interface TargetsAnswer {
  data?: { activeTargets?: { scrapeUrl: string; health: string; lastError?: string; lastScrape?: string }[] };
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '(no log)';
  }
}
