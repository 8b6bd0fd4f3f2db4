// Starting k6's load at the moment the harness chooses, without a fixed lead: k6 starts paused
// (`--paused`) with its REST API on 127.0.0.1 and without running setup() (`--no-setup`); once
// every VU is initialised it reports "paused before run", the harness picks t = 0, hands it to
// the script as its setup data (`PUT /v1/setup`) and resumes it at t = 0 (`PATCH /v1/status`).
// So the lead is what k6 really needs to start, not a guess (https://grafana.com/docs/k6/latest/reference/k6-rest-api/).
import { sleep, waitFor } from '../platform/poll.ts';

/** lib.ExecutionStatus of k6: VUs and executors initialised, waiting for the resume. */
export const K6_PAUSED_BEFORE_RUN = 4;

/** The `k6 run` arguments that start it paused, its setup data to come from the harness. */
export function controlArgs(port: number): string[] {
  return ['--paused', '--no-setup', '--address', `127.0.0.1:${port}`];
}

interface Status {
  status: number;
  paused: boolean;
}

async function call(port: number, method: string, route: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`k6 REST API ${method} ${route}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

async function status(port: number): Promise<Status> {
  const doc = (await call(port, 'GET', '/v1/status')) as { data?: { attributes?: Partial<Status> } };
  const a = doc.data?.attributes;
  if (typeof a?.status !== 'number' || typeof a.paused !== 'boolean') throw new Error(`k6 REST API GET /v1/status: unexpected answer ${JSON.stringify(doc).slice(0, 200)}`);
  return { status: a.status, paused: a.paused };
}

/**
 * Resolves true once k6 (started with controlArgs) has initialised its VUs and waits paused, or
 * false when `gone` settles first (k6 exited: its outcome says why). Throws after `timeoutMs`.
 */
export async function waitUntilPaused(port: number, gone: Promise<unknown>, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  // an exit ends the wait at once, even while a status request is under way
  const exited = gone.then(
    () => 'exited' as const,
    () => 'exited' as const,
  );
  const paused = (note: (detail: string) => void) =>
    status(port).then(
      (s) => {
        note(`status ${s.status}`);
        return s.status >= K6_PAUSED_BEFORE_RUN && s.paused ? ('paused' as const) : null;
      },
      (err: unknown) => {
        // the API is not listening yet while k6 parses the script
        note(err instanceof Error ? err.message : String(err));
        return null;
      },
    );
  const outcome = await waitFor((note) => Promise.race([exited, paused(note)]), {
    timeoutMs,
    intervalMs: 20,
    what: `k6 to initialise its VUs (REST API on 127.0.0.1:${port})`,
    signal,
  });
  return outcome === 'paused';
}

/**
 * Hands every k6 (paused, ports of their REST APIs) its setup data `{ t0 }` and resumes them at
 * t0, which is chosen one API round trip ahead (the time a status request takes now, at most
 * 250 ms), so that the setup data has arrived by then and the load starts at t0, not a round
 * trip after it. Returns t0 (epoch ms).
 */
export async function startAt(ports: readonly number[]): Promise<number> {
  const asked = performance.now();
  await Promise.all(ports.map((port) => status(port)));
  const t0 = Date.now() + Math.min(250, Math.ceil(performance.now() - asked));
  await Promise.all(ports.map((port) => call(port, 'PUT', '/v1/setup', { t0 })));
  const early = t0 - Date.now();
  if (early > 0) await sleep(early);
  await Promise.all(ports.map((port) => call(port, 'PATCH', '/v1/status', { data: { type: 'status', id: 'default', attributes: { paused: false } } })));
  return t0;
}
