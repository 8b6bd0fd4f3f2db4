// Steady-state probes, the side-effect half: ask the system (an HTTP request to the target, a
// PromQL instant query to the drill's Prometheus, a command without a shell) and hand what came
// back to the pure assessments of src/judge/probes.ts. Never throws: a probe that gets no answer
// is a result that says so.
import path from 'node:path';
import { runStep } from '../../chaos/command.ts';
import { assessCommand, assessHttp, assessPrometheus, type Assessment } from '../judge/probes.ts';
import { ENTRY_URL_PLACEHOLDER, probeKind, type HttpProbe, type Probe, type ProbeResult } from '../schema/probes.ts';
import { instantQuery, type PromEndpoint } from '../targets/promql.ts';

export interface ProbeDeps {
  /** the target's entry URL: where a path of an HTTP probe goes, and {{entryUrl}} in a command */
  entryUrl: string;
  /** the drill's Prometheus, when it has one */
  prometheus: PromEndpoint | null;
  /** each command's output is appended here */
  logFile: string;
  /** where commands run: the drill's folder */
  cwd: string;
}

const BODY_KEPT = 2000;
const cut = (s: string) => (s.length > BODY_KEPT ? `${s.slice(0, BODY_KEPT)}… (${s.length} characters)` : s);
const expand = (s: string, entryUrl: string) => s.replaceAll(ENTRY_URL_PLACEHOLDER, entryUrl);

/** The URL an HTTP probe asks: a path joined to the entry URL, or the absolute URL given. */
export function probeUrl(h: Pick<HttpProbe, 'url'>, entryUrl: string): string {
  return h.url.startsWith('/') ? `${entryUrl.replace(/\/+$/, '')}${h.url}` : h.url;
}

async function httpProbe(h: HttpProbe, deps: ProbeDeps): Promise<{ asked: string; observed: Record<string, unknown>; a: Assessment }> {
  const url = probeUrl(h, deps.entryUrl);
  const asked = `${h.method} ${url}`;
  const started = performance.now();
  try {
    const res = await fetch(url, { method: h.method, headers: h.headers, signal: AbortSignal.timeout(h.timeout), redirect: 'manual' });
    const body = await res.text();
    const latencyMs = performance.now() - started;
    return { asked, observed: { status: res.status, latencyMs: Math.round(latencyMs * 10) / 10, body: cut(body) }, a: assessHttp(h, { status: res.status, latencyMs, body }) };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    const error = e.name === 'TimeoutError' ? `no answer within ${h.timeout} ms` : `${e.message}${e.cause ? `: ${e.cause.message}` : ''}`;
    return { asked, observed: { error }, a: assessHttp(h, { status: null, latencyMs: performance.now() - started, body: '', error }) };
  }
}

async function runOne(p: Probe, when: 'before' | 'after', deps: ProbeDeps): Promise<ProbeResult> {
  const at = new Date().toISOString();
  const started = performance.now();
  let asked: string;
  let observed: Record<string, unknown>;
  let a: Assessment;
  if (p.http) {
    ({ asked, observed, a } = await httpProbe(p.http, deps));
  } else if (p.prometheus) {
    asked = p.prometheus.query;
    const answer = deps.prometheus ? await instantQuery(deps.prometheus, p.prometheus.query) : ({ ok: false, kind: 'unreachable', message: 'the drill has no Prometheus (telemetry.prometheus)' } as const);
    observed = answer.ok ? { server: deps.prometheus!.url, series: answer.series } : { server: deps.prometheus?.url ?? null, error: answer.message, kind: answer.kind };
    a = assessPrometheus(p.prometheus, answer);
  } else {
    const argv = p.command!.argv.map((s) => expand(s, deps.entryUrl));
    asked = JSON.stringify(argv);
    const run = await runStep('probe', { argv, timeout: p.command!.timeout, shell: false }, deps.logFile, deps.cwd);
    observed = { exitCode: run.exitCode, signal: run.signal, timedOut: run.timedOut, stdout: cut(run.stdout), stderr: cut(run.stderr) };
    a = assessCommand(run);
  }
  return { probe: p.name, when, kind: probeKind(p), at, ms: Math.round(performance.now() - started), steady: a.steady, answered: a.answered, asked, observed, value: a.value, detail: a.detail };
}

/** Runs the probes at once (they only read); results in the drill's order. */
export function runProbes(probes: readonly Probe[], when: 'before' | 'after', deps: ProbeDeps): Promise<ProbeResult[]> {
  return Promise.all(probes.map((p) => runOne(p, when, deps)));
}

/** "probes.log" in the run's log folder. */
export const probesLog = (logDir: string) => path.join(logDir, 'probes.log');
