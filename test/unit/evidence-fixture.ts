// A realistic run directory as runDrill leaves it (the partner-hub demo: steady / fault /
// recovery, a latency fault on both replicas reverted, a partner 429 storm), for the evidence tests.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { listArtifacts, MANIFEST_FILE, writeJson } from '../../src/evidence/files.ts';
import { loadSigningKey, type SigningKey } from '../../src/evidence/keys.ts';
import type { VerdictRecord } from '../../src/schema/evidence.ts';

export const T0 = Date.parse('2026-11-23T19:20:16.500Z');
export const PHASES = [
  { phase: 'steady', startMs: 0, endMs: 20_000 },
  { phase: 'fault', startMs: 20_000, endMs: 40_000 },
  { phase: 'recovery', startMs: 40_000, endMs: 60_000 },
];

export function tmpDir(prefix = 'gameday-evidence-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return loadSigningKey({ env: { GAMEDAY_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } });
}

export function verdict(slo: string, phase: string, pass: boolean, samples = 400, blocking = true): VerdictRecord {
  return {
    slo,
    kind: 'latency',
    phase,
    request: 'offers',
    objective: 'p(95) < 250 ms',
    observed: samples ? (pass ? 31.6 : 412.2) : null,
    unit: 'ms',
    samples,
    pass,
    blocking,
    reason: !samples ? 'no-evidence' : pass ? 'met' : 'breached',
    detail: samples ? `p(95) = ${pass ? 31.6 : 412.2} ms over ${samples} requests (request offers, phase ${phase})` : `no http_req_duration samples (request offers, phase ${phase})`,
    evidence: ['k6_samples.ndjson.gz'],
  };
}

export const DEFAULT_VERDICTS = [
  verdict('offers-p95-steady', 'steady', true),
  verdict('errors-during-fault', 'fault', true),
  verdict('offers-p95-fault', 'fault', true, 400, false),
  verdict('offers-p95-recovery', 'recovery', true),
];

export interface FixtureOptions {
  runId?: string;
  app?: string;
  verdicts?: VerdictRecord[];
  problems?: Array<{ code: string; message: string }>;
  /** fault outcome (default reverted, both verified) */
  faultOutcome?: 'reverted' | 'inject-failed' | 'revert-failed' | 'not-started';
  /** proxies the fault hit (default both replicas) */
  faultProxies?: string[];
  /** number of samples lines in k6_samples.ndjson.gz */
  samples?: number;
  /** instead: k6_samples.ndjson.gz of this many incompressible bytes (benchmarks) */
  samplesBytes?: number;
  /** the minimal run: manifest, decisions and one log only */
  minimal?: boolean;
}

function samplesGz(n: number): Buffer {
  const lines: string[] = [
    JSON.stringify({ type: 'Metric', data: { name: 'http_req_duration', type: 'trend', contains: 'time', thresholds: [], submetrics: null }, metric: 'http_req_duration' }),
  ];
  for (let i = 0; i < n; i++) {
    const t = (i * 60_000) / n;
    const phase = t < 20_000 ? 'steady' : t < 40_000 ? 'fault' : 'recovery';
    lines.push(
      JSON.stringify({
        type: 'Point',
        data: { time: new Date(T0 + t).toISOString(), value: (phase === 'fault' ? 300 : 20) + (i % 17), tags: { phase, request: i % 4 === 3 ? 'webhook' : 'offers', status: '200', method: 'GET' } },
        metric: 'http_req_duration',
      }),
    );
  }
  return gzipSync(`${lines.join('\n')}\n`);
}

/** Writes the run directory into `dir` (created) and returns it; not signed. */
export function makeRunDir(dir: string, opts: FixtureOptions = {}): string {
  const runId = opts.runId ?? '20261123T192014Z-bb2f44';
  const app = opts.app ?? 'APP2';
  const drill = 'partner-hub-baseline';
  const verdicts = opts.verdicts ?? DEFAULT_VERDICTS;
  const problems = opts.problems ?? [];
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const failedBlocking = verdicts.some((v) => !v.pass && v.blocking);
  const failedAdvisory = verdicts.some((v) => !v.pass && !v.blocking);
  const decision = problems.length || failedBlocking || !verdicts.length ? 'NO-GO' : failedAdvisory ? 'CONDITIONAL' : 'GO';
  const exitCode = decision === 'GO' ? 0 : decision === 'NO-GO' ? 1 : 2;
  writeJson(path.join(dir, 'decisions.json'), {
    runId,
    drill,
    app,
    decision,
    exitCode,
    reasons: [...problems.map((p) => `invalid run (${p.code}): ${p.message}`), ...verdicts.filter((v) => !v.pass).map((v) => `${v.blocking ? 'blocking' : 'advisory'} SLO ${v.slo} ${v.reason}: ${v.detail}; objective ${v.objective}`)],
    invalid: problems.length > 0,
    problems,
    verdicts,
  });
  fs.writeFileSync(path.join(dir, 'logs/partner-hub-0.log'), 'listening on 127.0.0.1:41001 zone a\n');
  if (!opts.minimal) {
    const outcome = opts.faultOutcome ?? 'reverted';
    const injected = outcome === 'reverted' || outcome === 'revert-failed';
    writeJson(path.join(dir, 'chaos_report.json'), {
      runId,
      toxiproxy: { url: 'http://127.0.0.1:38474', version: '2.12.0', source: 'tools' },
      t0: new Date(T0).toISOString(),
      faults: [
        {
          name: 'hub-latency',
          driver: 'toxiproxy',
          action: 'latency',
          target: { service: 'partner-hub', proxies: opts.faultProxies ?? ['gd-bb2f44-partner-hub-0', 'gd-bb2f44-partner-hub-1'] },
          params: { latency: 300, jitter: 0 },
          scheduled: { startMs: 20_000, endMs: 40_000 },
          injectedAt: outcome === 'not-started' ? null : new Date(T0 + 20_004).toISOString(),
          injectVerified: injected,
          revertedAt: injected ? new Date(T0 + 40_003).toISOString() : null,
          revertVerified: outcome === 'reverted',
          outcome,
          error: outcome === 'reverted' ? null : `${outcome}: connection refused`,
        },
      ],
      sweptBeforeRun: { processes: [], proxies: [] },
    });
    writeJson(path.join(dir, 'slo_results.json'), {
      runId,
      drill,
      timeScale: 1,
      phases: PHASES,
      samples: { lines: 9_601, corrupt: 0, requests: 2_400 },
      k6: { exitCode: 0, signal: null, invalid: false, code: 'ok', message: 'k6 finished' },
      verdicts,
    });
    writeJson(path.join(dir, 'k6_summary.json'), { metrics: { http_reqs: { type: 'counter', values: { count: 2400, rate: 40 } } }, root_group: { name: '', checks: [] } });
    writeJson(path.join(dir, 'k6_plan.json'), { t0: T0, phases: PHASES, targets: ['http://127.0.0.1:41011', 'http://127.0.0.1:41012'], requests: [{ name: 'offers', method: 'GET', path: '/offers', weight: 3 }], options: {} });
    fs.writeFileSync(path.join(dir, 'k6_script.js'), '// bundled by esbuild\nexport const options = {};\nexport default function () {}\n');
    fs.writeFileSync(path.join(dir, 'k6_stderr.log'), 'time="2026-11-23T19:20:16Z" level=info msg="starting"\n');
    if (opts.samplesBytes === undefined) fs.writeFileSync(path.join(dir, 'k6_samples.ndjson.gz'), samplesGz(opts.samples ?? 2_000));
    else {
      const fd = fs.openSync(path.join(dir, 'k6_samples.ndjson.gz'), 'w');
      for (let left = opts.samplesBytes; left > 0; left -= 1 << 20) fs.writeSync(fd, randomBytes(Math.min(left, 1 << 20)));
      fs.closeSync(fd);
    }
    const journal: string[] = [];
    for (let i = 0; i < 300; i++) {
      const t = i * 200;
      const storm = t >= 20_000 && t < 40_000;
      journal.push(
        JSON.stringify({ time: new Date(T0 + t).toISOString(), mono: 1000 + t, partner: 'acme', method: 'GET', path: '/offers', requestId: `r${i}`, attempt: 1, status: storm ? 429 : 200, retryAfter: storm ? 1 : null, behaviour: storm ? 1 : t < 20_000 ? 0 : 2 }),
      );
    }
    fs.writeFileSync(path.join(dir, 'simulator_journal.ndjson'), `${journal.join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'logs/partner-hub-1.log'), 'listening on 127.0.0.1:41002 zone b\n');
    fs.writeFileSync(path.join(dir, 'logs/toxiproxy.log'), 'INFO Started proxy name=gd-bb2f44-partner-hub-0\n');
  }
  writeJson(path.join(dir, MANIFEST_FILE), {
    schema: 'gameday/run-manifest@1',
    runId,
    drill: { name: drill, app, file: 'examples/partner-hub/drills/baseline.ts', sha256: createHash('sha256').update('name: partner-hub-baseline\n').digest('hex') },
    timeScale: 1,
    compressed: false,
    scheduledMs: 60_000,
    startedAt: '2026-11-23T19:20:14.012Z',
    endedAt: '2026-11-23T19:21:19.480Z',
    tools: { gameday: '0.1.0', node: 'v20.19.0', k6: { version: 'v1.7.1', source: 'tools', pinned: 'v1.7.1' }, toxiproxy: { version: '2.12.0', source: 'tools' } },
    decision: { decision, exitCode },
    artifacts: listArtifacts(dir),
  });
  return dir;
}

/** Every regular file under `dir`, relative POSIX paths. */
export function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

export function flipByte(file: string, at: number): void {
  const buf = fs.readFileSync(file);
  buf[at] ^= 0x01;
  fs.writeFileSync(file, buf);
}
