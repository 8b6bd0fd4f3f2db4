// Steady-state probes, the pure half: whether what a probe saw is steady (its conditions), what its
// objective says, and the verdicts of the "after" probes (`probe:<name>`, blocking). The run side
// (src/run/probes.ts) asks the system and hands what came back here.
import { query, type JsonValue } from 'jsonpath-rfc9535';
import type { Condition, HttpProbe, Probe, ProbeResult, PromProbe } from '../schema/probes.ts';
import { runsAt } from '../schema/probes.ts';
import { RUN_FILES } from '../schema/run-dir.ts';
import type { Verdict } from './verdict.ts';

export interface Assessment {
  steady: boolean;
  /** false when nothing usable came back: a verdict on it is no-evidence */
  answered: boolean;
  value: number | null;
  detail: string;
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

/** The condition as text: `== "closed"`, `≤ 0`, `≥ 1 and ≤ 5`, `matches /ok/`. */
export function describeCondition(c: Condition): string {
  const parts: string[] = [];
  if (c.equals !== undefined) parts.push(`== ${show(c.equals)}`);
  if (c.atLeast !== undefined) parts.push(`≥ ${c.atLeast}`);
  if (c.atMost !== undefined) parts.push(`≤ ${c.atMost}`);
  if (c.matches !== undefined) parts.push(`matches /${c.matches}/`);
  return parts.join(' and ');
}

/** Whether one value meets the condition; a bound on a number is not met by a non-number. */
export function meets(value: unknown, c: Condition): boolean {
  if (c.equals !== undefined && value !== c.equals) return false;
  if (c.atLeast !== undefined && !(typeof value === 'number' && value >= c.atLeast)) return false;
  if (c.atMost !== undefined && !(typeof value === 'number' && value <= c.atMost)) return false;
  if (c.matches !== undefined) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text === undefined || !new RegExp(c.matches).test(text)) return false;
  }
  return true;
}

/** What a probe expects, as the verdict's objective. */
export function describeProbe(p: Probe): string {
  if (p.http) {
    const h = p.http;
    const parts = [`${h.method} ${h.url} answers ${h.status.join(' or ')}`];
    if (h.json) parts.push(`${h.json.path} ${describeCondition(h.json)}`);
    if (h.latencyBelow !== undefined) parts.push(`within ${h.latencyBelow} ms`);
    return parts.join(', ');
  }
  if (p.prometheus) return `every series of ${p.prometheus.query} ${describeCondition(p.prometheus)}`;
  return `${JSON.stringify(p.command!.argv)} exits 0 within ${p.command!.timeout} ms`;
}

export interface HttpObservation {
  /** null: no answer (refused, timed out) */
  status: number | null;
  latencyMs: number;
  body: string;
  error?: string;
}

/** An HTTP probe's answer against its status, JSON path condition and latency bound. */
export function assessHttp(h: HttpProbe, o: HttpObservation): Assessment {
  if (o.status === null) return { steady: false, answered: false, value: null, detail: `no answer: ${o.error ?? 'unknown error'}` };
  const problems: string[] = [];
  if (!h.status.includes(o.status)) problems.push(`answered ${o.status}, expected ${h.status.join(' or ')}`);
  if (h.latencyBelow !== undefined && o.latencyMs >= h.latencyBelow) problems.push(`took ${Math.round(o.latencyMs)} ms, bound ${h.latencyBelow} ms`);
  if (h.json) {
    let doc: JsonValue | undefined;
    try {
      doc = JSON.parse(o.body) as JsonValue;
    } catch {
      problems.push(`the body is not JSON, so ${h.json.path} cannot be read`);
    }
    if (doc !== undefined) {
      const values = query(doc, h.json.path);
      if (values.length === 0) problems.push(`${h.json.path} selects nothing in the body`);
      else {
        const bad = values.filter((v) => !meets(v, h.json!));
        if (bad.length) problems.push(`${h.json.path} is ${bad.map(show).slice(0, 3).join(', ')}, expected ${describeCondition(h.json)}`);
      }
    }
  }
  const steady = problems.length === 0;
  return { steady, answered: true, value: Math.round(o.latencyMs * 10) / 10, detail: steady ? `answered ${o.status} in ${Math.round(o.latencyMs)} ms${h.json ? `, ${h.json.path} ${describeCondition(h.json)}` : ''}` : problems.join('; ') };
}

export type PromObservation = { ok: true; series: { labels: Record<string, string>; points: [number, number][] }[] } | { ok: false; kind: string; message: string };

const seriesName = (labels: Record<string, string>) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;

/** A PromQL instant query's answer: every series meets the condition; no series (or only NaN) is not steady and not answered. */
export function assessPrometheus(p: PromProbe, o: PromObservation): Assessment {
  if (!o.ok) return { steady: false, answered: false, value: null, detail: `Prometheus: ${o.message}` };
  const values = o.series.flatMap((s) => {
    const v = s.points.at(-1)?.[1];
    return v === undefined || Number.isNaN(v) ? [] : [{ labels: s.labels, v }];
  });
  if (values.length === 0) return { steady: false, answered: false, value: null, detail: `${p.query} returned no data` };
  const bad = values.filter((x) => !meets(x.v, p));
  const steady = bad.length === 0;
  return {
    steady,
    answered: true,
    value: values[0].v,
    detail: steady
      ? `${values.length} series, ${values.slice(0, 3).map((x) => x.v).join(', ')}${values.length > 3 ? ', …' : ''}: ${describeCondition(p)}`
      : `${bad.slice(0, 3).map((x) => `${seriesName(x.labels)} = ${x.v}`).join(', ')}: expected ${describeCondition(p)}`,
  };
}

export interface CommandObservation {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stderr: string;
}

/** A command probe: exit 0 is steady; a timeout or a program that does not start is no answer. */
export function assessCommand(o: CommandObservation): Assessment {
  if (o.timedOut) return { steady: false, answered: false, value: null, detail: 'timed out' };
  if (o.exitCode === 0) return { steady: true, answered: true, value: 0, detail: 'exited 0' };
  const why = o.stderr.trim().split('\n').slice(-1)[0]?.slice(0, 200) ?? '';
  if (o.exitCode === null) return { steady: false, answered: false, value: null, detail: `${o.signal ? `killed by ${o.signal}` : 'did not run'}${why ? `: ${why}` : ''}` };
  return { steady: false, answered: true, value: o.exitCode, detail: `exited ${o.exitCode}${why ? `: ${why}` : ''}` };
}

export const PROBES_FILE = RUN_FILES.probes;

/** The verdicts of the "after" probes: each a blocking verdict `probe:<name>`; one that did not run or got no answer is no-evidence. */
export function probeVerdicts(probes: readonly Probe[], results: readonly ProbeResult[]): Verdict[] {
  return probes
    .filter((p) => runsAt(p, 'after'))
    .map((p) => {
      const r = results.find((x) => x.probe === p.name && x.when === 'after');
      const base = { slo: `probe:${p.name}`, kind: 'probe' as const, phase: 'after', request: null, objective: describeProbe(p), blocking: true, evidence: [PROBES_FILE] };
      const unit = p.http ? ('ms' as const) : ('count' as const);
      if (!r) return { ...base, observed: null, unit, samples: 0, pass: false, reason: 'no-evidence' as const, detail: 'no result of this probe after the drill: the run stopped before it, or the samples were judged elsewhere (gameday ingest)' };
      return {
        ...base,
        observed: r.value,
        unit,
        samples: 1,
        pass: r.steady,
        reason: r.steady ? ('met' as const) : r.answered ? ('breached' as const) : ('no-evidence' as const),
        detail: `after the last recovery: ${r.detail}`,
      };
    });
}
