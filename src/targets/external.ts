// An external target: a system that is already running, named by its endpoints. gameday starts
// and stops nothing of it; it checks each endpoint's health probe before anything is injected and
// places proxies on its own Toxiproxy in front of the endpoints, so network faults sit on the load
// path (k6 -> proxy on 127.0.0.1 -> endpoint).
import { ExternalEndpoint, remoteRefusal } from '../schema/external.ts';
import type { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import type { Ledger } from '../platform/ledger.ts';

export { ExternalEndpoint };

/** Resolves "env:NAME" header values; a missing variable is an error naming the endpoint and header. */
export function resolveHeaders(endpoint: Pick<ExternalEndpoint, 'name' | 'headers'>, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(endpoint.headers).map(([k, v]) => {
      if (!v.startsWith('env:')) return [k, v];
      const name = v.slice(4);
      const value = env[name];
      if (value === undefined) throw new Error(`target.endpoints.${endpoint.name}.headers.${k} reads ${name} from the environment, and ${name} is not set: export it before the run`);
      return [k, value];
    }),
  );
}

/** Refuses every endpoint off loopback (unless allowRemote) before any connection is made. */
export function refuseRemoteEndpoints(endpoints: readonly ExternalEndpoint[], drill: { allowRemote?: { reason: string; hosts?: readonly string[] } }): void {
  for (const e of endpoints) {
    const refusal = remoteRefusal(e.baseUrl, drill.allowRemote, `endpoint ${e.name}:`);
    if (refusal) throw new Error(refusal);
  }
}

/** The health probe at start: throws (nothing injected yet) when an endpoint does not answer 2xx. */
export async function checkHealth(endpoint: ExternalEndpoint, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const url = new URL(endpoint.health.path, endpoint.baseUrl).toString();
  let status: number;
  try {
    const res = await fetch(url, { headers: resolveHeaders(endpoint, env), signal: AbortSignal.timeout(endpoint.health.timeout) });
    await res.arrayBuffer();
    status = res.status;
  } catch (err) {
    throw new Error(`endpoint ${endpoint.name} is down at start: GET ${url} failed (${(err as Error).cause ?? (err as Error).message}); start it, or fix target.endpoints.${endpoint.name}.baseUrl — nothing was injected`);
  }
  if (status < 200 || status > 299) throw new Error(`endpoint ${endpoint.name} is not healthy at start: GET ${url} answered HTTP ${status}; fix it or target.endpoints.${endpoint.name}.health.path — nothing was injected`);
}

export interface ProxiedEndpoint {
  name: string;
  proxy: string;
  /** http://127.0.0.1:PORT: where load goes */
  url: string;
}

/** Puts a proxy of the run's Toxiproxy in front of each endpoint (recorded in the ledger first). */
export async function proxyEndpoints(o: { endpoints: readonly ExternalEndpoint[]; toxiproxy: ToxiproxyDriver; ledger: Ledger; runId: string }): Promise<ProxiedEndpoint[]> {
  const out: ProxiedEndpoint[] = [];
  for (const e of o.endpoints) {
    const u = new URL(e.baseUrl);
    if (u.protocol === 'https:') throw new Error(`endpoint ${e.name}: an https endpoint cannot sit behind the run's Toxiproxy yet (TLS would be checked against 127.0.0.1); use its http address or no network fault`);
    const upstream = `${u.hostname}:${u.port || '80'}`;
    const proxy = `gameday-${o.runId}-${e.name}`;
    o.ledger.proxyCreated(o.toxiproxy.apiUrl, proxy);
    const info = await o.toxiproxy.createProxy(proxy, upstream);
    const base = u.pathname.replace(/\/$/, '');
    out.push({ name: e.name, proxy, url: `http://${info.listen}${base}` });
  }
  return out;
}
