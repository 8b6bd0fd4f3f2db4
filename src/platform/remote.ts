// The one blast-radius rule for anything gameday connects to (an endpoint, a Toxiproxy, a Docker
// engine, a Kubernetes API server): loopback is allowed; anything else only when the drill's
// allowRemote gives a reason and lists the host. Pure: it makes no connection.
import net from 'node:net';

/** The drill's permission to reach beyond loopback (the parts this rule reads). */
export interface RemoteAllowance {
  reason: string;
  hosts?: readonly string[];
}

/** localhost, 127.0.0.0/8, ::1 (also as an IPv4-mapped 127.x); a URL's hostname may keep IPv6 brackets. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h) || /^::ffff:7f[0-9a-f]{2}:/.test(h);
  return false;
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
