// Whose error was it? Every failed request that went through the load balancer is attributed
// from nginx's own logs: nginx could not pick a replica (no live upstream), could not reach the
// one it picked (refused, reset, timed out), or the replica answered the error itself. A failure
// nginx never logged happened between k6 and nginx (the network). Pure: it reads lines.
import { phaseAt, type PhaseWindow } from '../../scenarios/lib/phase.ts';

export interface AccessLine {
  /** epoch ms */
  timeMs: number;
  request: string;
  status: number;
  /** each attempt's upstream address (nginx's upstream group name when none could be picked) */
  upstreams: string[];
  upstreamStatuses: string[];
  /** per attempt: "-" when no response header came back (the status is nginx's own) */
  headerTimes: string[];
  connection: string;
}

/** One line of the gameday log format (src/targets/load-balancer.ts); null for any other line. */
export function parseAccessLine(line: string): AccessLine | null {
  const m = /^\S+ \S+ "([^"]*)" (\d{3}) \d+ \S+ upstream=(.*?) upstream_status=(.*?) upstream_time=.*? upstream_header_time=(.*?) conn=(\d+) msec=(\d+(?:\.\d+)?)$/.exec(line);
  if (!m) return null;
  const list = (s: string) => s.split(/, | : /).map((x) => x.trim()).filter((x) => x !== '');
  return { request: m[1], status: Number(m[2]), upstreams: list(m[3]), upstreamStatuses: list(m[4]), headerTimes: list(m[5]), connection: m[6], timeMs: Math.round(Number(m[7]) * 1000) };
}

/**
 * What nginx's error log says went wrong, per connection and request line, in order: refused,
 * reset, timeout, no live upstream. A keep-alive connection carries many requests, so the
 * causes queue up and each failed attempt of the access log takes the next one.
 */
export function errorCauses(errorLog: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of errorLog) {
    const m = /\[error\] \d+#\d+: \*(\d+) (.*?), client: .*? request: "([^"]*)"/.exec(line);
    if (!m) continue;
    const text = m[2];
    const cause = /no live upstreams/.test(text)
      ? 'no live upstream'
      : /Connection refused/.test(text)
        ? 'upstream refused'
        : /timed out/.test(text)
          ? 'upstream timeout'
          : /reset by peer|prematurely closed/.test(text)
            ? 'upstream reset'
            : 'upstream error';
    const key = `${m[1]} ${m[3]}`;
    const queue = out.get(key) ?? [];
    queue.push(cause);
    out.set(key, queue);
  }
  return out;
}

export interface Attribution {
  /** failed requests nginx logged (status 400 and above) */
  failed: number;
  /** "load balancer: no live upstream", "service hub-r0: 503", ... → count */
  byCause: Record<string, number>;
  /** the same per phase of the timeline */
  byPhase: Record<string, Record<string, number>>;
}

export interface AttributionInput {
  accessLog: readonly string[];
  errorLog: readonly string[];
  /** upstream address (host:port) → replica name */
  replicaOf: Readonly<Record<string, string>>;
  t0: number;
  phases: readonly PhaseWindow[];
}

export function attributeFailures(o: AttributionInput): Attribution {
  const causes = errorCauses(o.errorLog);
  const out: Attribution = { failed: 0, byCause: {}, byPhase: {} };
  for (const text of o.accessLog) {
    const line = parseAccessLine(text);
    if (!line) continue;
    // every attempt nginx answered itself (no response header) took one error-log cause, failed request or not
    const queue = causes.get(`${line.connection} ${line.request}`) ?? [];
    let logged: string | undefined;
    line.upstreams.forEach((addr, i) => {
      if (!(addr in o.replicaOf) || line.headerTimes[i] === '-' || line.headerTimes[i] === undefined) logged = queue.shift() ?? logged;
    });
    if (line.status < 400) continue;
    const i = line.upstreams.length - 1;
    const last = line.upstreams[i] ?? '-';
    let cause: string;
    if (!(last in o.replicaOf)) cause = 'load balancer: no live upstream';
    else if (line.headerTimes[i] === '-') cause = `load balancer: ${logged ?? (line.status === 504 ? 'upstream timeout' : 'upstream error')} (${o.replicaOf[last]})`;
    else cause = `service ${o.replicaOf[last]}: ${line.upstreamStatuses[i] ?? line.status}`;
    out.failed++;
    out.byCause[cause] = (out.byCause[cause] ?? 0) + 1;
    const phase = phaseAt(o.phases, line.timeMs - o.t0);
    const p = (out.byPhase[phase] ??= {});
    p[cause] = (p[cause] ?? 0) + 1;
  }
  return out;
}

/** "408 failed: 407 load balancer: no live upstream, 1 service hub-r0: 503" (largest first). */
export function describeAttribution(byCause: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byCause).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((n, [, c]) => n + c, 0);
  return total === 0 ? 'no failed request' : `${total} failed: ${entries.map(([cause, n]) => `${n} ${cause}`).join(', ')}`;
}
