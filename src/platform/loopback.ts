// Whether an address is on this machine: the one rule every "loopback only unless the drill allows
// it" check uses (endpoints, Toxiproxy, Prometheus, guards, FIS, Docker engines, API servers). Pure.
import net from 'node:net';

/** localhost, 127.0.0.0/8, ::1 (also written [::1] as in a URL), ::ffff:127.x.y.z (also as ::ffff:7fxx:xxxx) */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  // an IPv4-mapped 127.x.y.z, as written (::ffff:127.0.0.1) or as a URL serializes it (::ffff:7f00:1)
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h) || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h);
  return false;
}

/** Whether a URL's host is on this machine; false for what is not a URL. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}
