// The one blast-radius rule for anything gameday connects to (an endpoint, a Toxiproxy, a Docker
// engine, a Kubernetes API server): loopback is allowed; anything else only when the drill's
// allowRemote gives a reason and lists the host (loopback as loopback.ts says). Pure: it makes no connection.
import { isLoopbackHost } from './loopback.ts';

/** The drill's permission to reach beyond loopback (the parts this rule reads). */
export interface RemoteAllowance {
  reason: string;
  hosts?: readonly string[];
}

/**
 * Why `url` may not be reached (null: it may): off loopback it needs allowRemote naming its host.
 * `legacy`: a Toxiproxy at TOXIPROXY_URL is allowed by a reason alone when the drill lists no hosts.
 */
export function remoteRefusal(url: string, allow: RemoteAllowance | undefined, what: string, legacy = false): string | null {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return `${what} ${url} is not a URL: write e.g. http://127.0.0.1:8080`;
  }
  if (isLoopbackHost(host)) return null;
  const hosts = allow?.hosts ?? [];
  const bare = host.replace(/^\[|\]$/g, '');
  if (allow && (hosts.includes(host) || hosts.includes(bare) || (legacy && hosts.length === 0))) return null;
  if (allow) return `${what} ${url} is not on loopback and ${bare} is not in allowRemote.hosts (${hosts.join(', ') || 'none listed'}): add it there, or point the drill at a loopback address — nothing was contacted`;
  return `${what} ${url} is not on loopback: a drill only touches this machine unless it sets allowRemote: { reason: "...", hosts: ["${bare}"] } — nothing was contacted`;
}
